"""Action links and the personal page, served by ``ccm-tracker serve`` (the feeds' FastAPI app
includes this router: ``calendars/server.py``).

Every URL carries a signed, expiring token (``notifications.links``). A GET never changes
anything (link scanners and mail previews GET every link): it shows a page, whose buttons POST.

- ``GET /act/{token}[?do=ack|snooze]``: the deadline and two buttons; ``POST /act/{token}``
  with ``do=ack`` acknowledges it for that recipient (until its date changes), ``do=snooze``
  with ``days=N`` or ``until=YYYY-MM-DD`` pauses it.
- ``GET /stop/{token}``: a confirmation; ``POST /stop/{token}``: RFC 8058 one-click, stops
  that recipient's reminders. The body (``List-Unsubscribe=One-Click``) is ignored: the token
  in the path is the authority, and no cookie is needed.
- ``GET /me/{token}``: the recipient's page: overdue and coming deadlines, an SVG timeline of
  the next 24 months, and their calendar feed (``POST /me/{token}/feed`` makes it).
Forms are ``application/x-www-form-urlencoded`` read with ``urllib.parse`` (no
python-multipart needed). Text that came from outside never reaches a log line unescaped.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs, quote

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, select

from clock import today_in_geneva
from models.db import session_scope
from models.reminders import Recipient, Reminder
from models.subscriptions import (
    Subscription,
    SubscriptionRejected,
    create_subscription,
    list_subscriptions,
    rotate_subscription,
)
from models.tables import Obligation, State
from notifications.digest import how_late, human_date, one_line
from notifications.links import LinkRefused, Links
from notifications.message import TEMPLATES
from notifications.planning import QUIET_STATUSES
from notifications.recipients import Audience
from notifications.service import AcknowledgeError, acknowledge, stop_reminders
from notifications.timeline import timeline_svg
from rules import wording
from settings import get_settings

log = logging.getLogger("ccm.links")
SNOOZE_DAYS = (7, 14, 30)
HORIZON_MONTHS = 24


@lru_cache(maxsize=1)
def _pages() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined)


def _page(template: str, status: int = 200, **values: object) -> HTMLResponse:
    html = _pages().get_template(f"pages/{template}.html.j2").render(**values)
    return HTMLResponse(html, status_code=status, headers={
        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex",
    })


def _refused(error: LinkRefused) -> HTMLResponse:
    return _page("message", 404, heading="This link does not work", message=str(error), page_url="")


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body())[:4096].decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body).items() if v}


def actions_router(database_url: str | None = None) -> APIRouter:
    router = APIRouter()

    def links(session: Session) -> Links:
        return Links.of(session=session, settings=get_settings())

    @router.get("/act/{token}")
    def act_page(token: str, do: str = "ack") -> HTMLResponse:
        with session_scope(database_url) as session:
            try:
                row = _row(session, links(session).read("act", token))
            except LinkRefused as error:
                return _refused(error)
            shown = _deadline(session, row)
        return _page("act", heading="Acknowledge or snooze this deadline", action=f"/act/{token}",
                     chosen=do, recipient=row.recipient, **shown)

    @router.post("/act/{token}")
    async def act(token: str, request: Request) -> HTMLResponse:
        form = await _form(request)
        with session_scope(database_url) as session:
            try:
                row = _row(session, links(session).read("act", token))
            except LinkRefused as error:
                return _refused(error)
            page_url = links(session).page_url(row.recipient)
            today = today_in_geneva()
            if form.get("do") == "snooze":
                until = _until(form, today)
                if until is None:
                    return _page("message", 400, heading="Snooze until when?", page_url=page_url,
                                 message="Choose a number of days (7, 14 or 30) or a later date.")
            elif form.get("do") == "ack":
                until = None
            else:
                return _page("message", 400, heading="Nothing was changed", page_url=page_url,
                             message="Press Acknowledge or Snooze on the page this link opens.")
            try:
                acknowledge(session=session, key=row.obligation_key, recipient=row.recipient,
                            actor=f"link:{row.recipient}", now=dt.datetime.now(dt.UTC), until=until)
            except AcknowledgeError as error:
                return _page("message", 404, heading="Nothing was changed", message=str(error),
                             page_url=page_url)
            shown = _deadline(session, row)
        done = (f"Snoozed until {human_date(until)}: reminders about it start again then."
                if until else "Acknowledged: no more reminders about it, unless its date changes.")
        log.info("%s %s for %s", "snoozed" if until else "acknowledged",
                 ascii(row.obligation_key), ascii(row.recipient))
        return _page("message", heading=f"{shown['who']}: {shown['what']}", message=done,
                     page_url=page_url)

    @router.get("/stop/{token}")
    def stop_page(token: str) -> HTMLResponse:
        with session_scope(database_url) as session:
            try:
                target = links(session).read("stop", token)
            except LinkRefused as error:
                return _refused(error)
        return _page("stop", heading="Stop reminders", recipient=target.recipient,
                     action=f"/stop/{token}")

    @router.post("/stop/{token}")
    def stop(token: str) -> HTMLResponse:
        with session_scope(database_url) as session:
            try:
                target = links(session).read("stop", token)
                stop_reminders(session=session, recipient=str(target.recipient),
                               now=dt.datetime.now(dt.UTC))
            except (LinkRefused, AcknowledgeError) as error:
                return _page("message", 404, heading="Nothing was changed", message=str(error),
                             page_url="")
        log.info("reminders stopped for %s (one-click)", ascii(target.recipient))
        return _page("message", heading="Reminders stopped", page_url="",
                     message=f"No more CCM deadline reminders will be sent to {target.recipient}.")

    @router.get("/me/{token}")
    def me(token: str) -> HTMLResponse:
        return _personal(token, feed=None)

    @router.post("/me/{token}/feed")
    def make_feed(token: str) -> HTMLResponse:
        return _personal(token, feed=True)

    @router.get("/feed-page/{token}")
    def feed_page(token: str) -> HTMLResponse:
        """The page of one feed subscription: what its feed holds, read only (its address
        is the subscriber's: only its hash is stored, so the page cannot show it)."""
        with session_scope(database_url) as session:
            try:
                target = links(session).read("feedpage", token)
            except LinkRefused as error:
                return _refused(error)
            subscription = session.get(Subscription, target.row_id)
            if subscription is None or subscription.revoked_at is not None:
                return _refused(LinkRefused("this feed subscription was revoked"))
            audience = Audience(subscription.name, "", frozenset(subscription.theme_list),
                                frozenset(subscription.state_list), frozenset(subscription.kind_list))
            today = today_in_geneva()
            items = _followed(session, audience, today)
        return _page("feed", heading=f"Deadlines in the feed {subscription.name!r}",
                     as_of=human_date(today), overdue=[i for i in items if i.late],
                     upcoming=[i for i in items if not i.late],
                     timeline=timeline_svg(items, today, HORIZON_MONTHS))

    def _personal(token: str, feed: bool | None) -> HTMLResponse:
        settings = get_settings()
        with session_scope(database_url) as session:
            made = links(session)
            try:
                target = made.read("page", token)
            except LinkRefused as error:
                return _refused(error)
            person = session.get(Recipient, target.recipient)
            if person is None:
                return _refused(LinkRefused("this recipient no longer exists"))
            feed_links = _feed(session, person, settings.feed_base_url) if feed else None
            today = today_in_geneva()
            items = _followed(session, Audience.of(person), today)
        overdue = [i for i in items if i.late]
        upcoming = [i for i in items if not i.late]
        return _page("me", heading=f"Deadlines for {person.name}", as_of=human_date(today),
                     overdue=overdue, upcoming=upcoming, feed=feed_links,
                     feed_action=f"/me/{token}/feed", stop_url=made.stop_url(person.name),
                     timeline=timeline_svg(items, today, HORIZON_MONTHS))

    return router


def _row(session: Session, target: object) -> Reminder:
    row = session.get(Reminder, getattr(target, "row_id", None))
    if row is None:
        raise LinkRefused("this link's reminder is no longer on record")
    return row


def _until(form: dict[str, str], today: dt.date) -> dt.date | None:
    if form.get("until"):
        try:
            until = dt.date.fromisoformat(form["until"])
        except ValueError:
            return None
        return until if until > today else None
    days = form.get("days", "")
    return today + dt.timedelta(days=int(days)) if days.isdigit() and int(days) in SNOOZE_DAYS else None


def _deadline(session: Session, row: Reminder) -> dict[str, object]:
    obligation = session.get(Obligation, row.obligation_key)
    kind = obligation.kind if obligation else "obligation"
    state = session.get(State, obligation.state) if obligation and obligation.state else None
    due = obligation.due if obligation else (row.due or row.send_on)
    today = today_in_geneva()
    return {
        "who": one_line(state.name if state else (obligation.state if obligation and obligation.state
                                                  else "Coordination Committee")),
        "what": wording.title(kind, obligation.period if obligation else None),
        "reference": wording.wording(kind).reference, "to_do": wording.what_to_do(kind),
        "due": human_date(due), "when": how_late(due, today), "late": due < today,
    }


@dataclass(frozen=True)
class PageItem:
    who: str
    what: str
    due_date: dt.date
    due: str
    when: str
    late: bool


def _followed(session: Session, audience: Audience, today: dt.date) -> list[PageItem]:
    names = dict(session.execute(select(State.iso3, State.name)).all())
    end = today.replace(year=today.year + HORIZON_MONTHS // 12)
    found = []
    for o in session.exec(select(Obligation)).all():
        if o.status in QUIET_STATUSES or o.met_on is not None or o.due > end:
            continue
        if not audience.follows(o.kind, o.state, o.theme):
            continue
        who = one_line(names.get(o.state, o.state) if o.state else "Coordination Committee")
        found.append(PageItem(who, wording.title(o.kind, o.period), o.due, human_date(o.due),
                              how_late(o.due, today), o.due < today))
    return sorted(found, key=lambda i: (i.due_date, i.who.casefold()))


def _feed(session: Session, person: Recipient, base_url: str) -> dict[str, str]:
    """A feed with the recipient's filters: made on first use, a new address after that."""
    name = f"recipient {person.name}"
    now = dt.datetime.now(dt.UTC)
    existing = [s for s in list_subscriptions(session=session) if s.name == name]
    try:
        if existing:
            _, token = rotate_subscription(session=session, ref=str(existing[0].id), now=now,
                                           actor=f"link:{person.name}")
        else:
            _, token = create_subscription(
                session=session, name=name, themes=[t for t in person.themes.split(",") if t],
                states=[s for s in person.states.split(",") if s],
                kinds=[k for k in person.kinds.split(",") if k], now=now, actor=f"link:{person.name}")
    except SubscriptionRejected as error:
        raise LinkRefused(str(error)) from error
    https = f"{base_url.rstrip('/')}/feeds/{token}.ics"
    webcal = "webcal://" + https.split("://", 1)[1]
    return {"https": https, "webcal": webcal,
            "google": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")}
