"""The themes' coordinators and target States, action items and outputs; each change audited.

A target State is targeted under one convention (``treaty``: CCM or APMBC, ``rules.treaties``)
by one theme of that convention; the same State may be targeted under both (``overlaps``).
"""

from __future__ import annotations

import datetime as dt
import re

import pycountry
from sqlmodel import Session, select

from clock import today_in_geneva
from errors import UsageError, UserError
from models.audit import audit
from models.committee import (
    ActionItem,
    ActionItemTarget,
    Output,
    OutputResponse,
    TargetState,
    ThemeCoordinator,
)
from models.rows import apply_changes
from models.tables import State
from models.validation import day_refused, fact_day_problems
from rules.action_items import ITEM_STATUSES, ActionItemFacts, OutputFacts
from rules.themes import THEMES
from rules.treaties import CCM, Treaty

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class CoordinationRejected(UserError, ValueError):
    """The coordination fact cannot be recorded as given; nothing was written."""


class ItemSlugNotInForm(UsageError, CoordinationRejected):
    """An action item's slug not in the form slugs take (exit 2, as any value not in its
    option's form)."""


def check_theme(theme: str, treaty: Treaty | None = None) -> str:
    """``theme`` is one of the Committee's eight (``rules.themes``), or with ``treaty`` one of
    that convention's themes (the APMBC's include ``cooperative_compliance``)."""
    valid = THEMES if treaty is None else treaty.themes
    if theme not in valid:
        under = "" if treaty is None else f" under the {treaty.code}"
        raise CoordinationRejected(f"theme {theme!r} is not one of {', '.join(valid)}{under}")
    return theme


UNIVERSALIZATION = "universalization"


def party_on(*, session: Session, treaty: Treaty, iso3: str, day: dt.date) -> dt.date | None:
    """The day ``iso3`` deposited its instrument of ``treaty`` when it is a party on ``day``
    (deposited on or before it, no withdrawal in effect by then), else None."""
    from models.fact_tables import fact_tables

    row = fact_tables(treaty).party_row(session, iso3)
    if row is None or row.deposit_date is None or row.deposit_date > day:
        return None
    if row.withdrawal_effective_date is not None and row.withdrawal_effective_date <= day:
        return None
    return row.deposit_date


def country_name(iso3: str) -> str:
    """The ISO 3166 name of ``iso3`` (targets need not be parties), or a clear error."""
    country = pycountry.countries.get(alpha_3=iso3.upper())
    if country is None:
        raise CoordinationRejected(f"{iso3!r} is not an ISO 3166-1 alpha-3 code")
    return str(country.name)  # the UN spelling ("Viet Nam"), not the common name


def state_name(*, session: Session, iso3: str) -> str:
    row = session.get(State, iso3.upper())
    return row.name if row else country_name(iso3)


def add_coordinator(*, session: Session, theme: str, iso3: str, source: str, actor: str) -> str:
    check_theme(theme)
    if session.get(State, iso3.upper()) is None:
        raise CoordinationRejected(f"coordinator {iso3.upper()} is not in the registry")
    found = session.exec(select(ThemeCoordinator).where(
        ThemeCoordinator.theme == theme, ThemeCoordinator.iso3 == iso3.upper())).first()
    if found is not None:
        return "unchanged"
    session.add(ThemeCoordinator(theme=theme, iso3=iso3.upper(), source=source))
    audit(session=session, actor=actor, action="coordinator.added", subject=iso3.upper(),
          detail={"theme": theme}, source=source)
    return "created"


def add_target(
    *, session: Session, theme: str, iso3: str, ask: str = "", source: str, actor: str,
    treaty: Treaty = CCM, as_of: dt.date | None = None,
) -> str:
    """Target ``iso3`` under ``treaty``'s ``theme`` (one row per treaty, theme and State):
    ``created``, ``updated`` (a new ask or source) or ``unchanged``.

    A universalization target must not be a party to that convention on ``as_of`` (default:
    today in Geneva): universalization asks a State to join (a CCM party may be an APMBC
    target, and a State that withdrew may be targeted again). Raises ``CoordinationRejected``.
    """
    check_theme(theme, treaty)
    code = iso3.upper()
    name = state_name(session=session, iso3=code)
    if theme == UNIVERSALIZATION:
        from clock import today_in_geneva

        day = as_of or today_in_geneva()
        deposited = party_on(session=session, treaty=treaty, iso3=code, day=day)
        if deposited is not None:
            raise CoordinationRejected(
                f"{code} ({name}) is a party to the {treaty.code} on {day.isoformat()} (deposited "
                f"{deposited.isoformat()}): a universalization target is a State not party to it")
    found = session.exec(select(TargetState).where(
        TargetState.treaty == treaty.code, TargetState.theme == theme, TargetState.iso3 == code)).first()
    if found is not None:
        if (found.ask, found.source) == (ask, source):
            return "unchanged"
        found.ask, found.source = ask, source
        session.add(found)
        change = "updated"
    else:
        session.add(TargetState(treaty=treaty.code, theme=theme, iso3=code, name=name, ask=ask, source=source))
        change = "created"
    audit(session=session, actor=actor, action=f"target.{change}", subject=code,
          detail={"theme": theme, "ask": ask, **({} if treaty is CCM else {"treaty": treaty.code})},
          source=source)
    return change


def coordinators(*, session: Session) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {theme: [] for theme in THEMES}
    for row in session.exec(select(ThemeCoordinator).order_by(ThemeCoordinator.id)).all():
        found[row.theme].append(row.iso3)
    return found


def targets(
    *, session: Session, iso3: str | None = None, treaties: tuple[Treaty, ...] | None = None
) -> list[TargetState]:
    """Target rows by State, then convention (the CCM first), then theme; only ``iso3``'s
    and only under ``treaties`` when given."""
    from rules.treaties import TREATIES

    query = select(TargetState)
    if iso3:
        query = query.where(TargetState.iso3 == iso3.upper())
    if treaties is not None:
        query = query.where(TargetState.treaty.in_([t.code for t in treaties]))  # type: ignore[attr-defined]
    order = list(TREATIES)
    rows = session.exec(query).all()
    return sorted(rows, key=lambda t: (t.iso3, order.index(t.treaty) if t.treaty in order else len(order),
                                       t.treaty, t.theme))


def add_action_item(
    *,
    session: Session,
    slug: str,
    title: str,
    owner_theme: str,
    owner: str = "",
    due: dt.date | None = None,
    target_states: list[str] | None = None,
    source: str = "",
    notes: str = "",
    actor: str,
    replace: bool = False,
) -> tuple[ActionItem, str]:
    if not SLUG.fullmatch(slug):
        raise ItemSlugNotInForm(f"SLUG: {slug!r} is not a slug: use lower-case letters, digits and '-'")
    check_theme(owner_theme)
    wanted = sorted({t.upper() for t in target_states or []})
    for iso3 in wanted:
        country_name(iso3)
    values = {"title": title, "owner_theme": owner_theme, "owner": owner, "due": due,
              "source": source, "notes": notes}
    item = session.exec(select(ActionItem).where(ActionItem.slug == slug)).first()
    if item is not None and not replace:
        raise CoordinationRejected(f"action item {slug!r} exists")
    if item is None:
        item = ActionItem(slug=slug, **values)
        session.add(item)
        session.flush()
        change = "created"
    else:
        changed = apply_changes(item, values)
        have = item_targets(session=session, item=item)
        if not changed and have == wanted:
            return item, "unchanged"
        session.add(item)
        for row in session.exec(select(ActionItemTarget).where(
                ActionItemTarget.action_item_id == item.id)).all():
            if row.iso3 not in wanted:
                session.delete(row)
        wanted = [iso3 for iso3 in wanted if iso3 not in have]
        change = "updated"
    for iso3 in wanted:
        session.add(ActionItemTarget(action_item_id=item.id, iso3=iso3))  # type: ignore[arg-type]
    audit(session=session, actor=actor, action=f"action.{change}", subject=slug,
          detail={"theme": owner_theme, "due": due, "targets": wanted, "title": title},
          source=source)
    _refresh(session)
    return item, change


def close_action_item(
    *, session: Session, slug: str, status: str, on: dt.date, source: str = "", actor: str,
    today: dt.date | None = None,
) -> ActionItem:
    """Mark an item done or dropped on ``on`` (or open again). ``on`` is the day it happened:
    one after ``today`` (Geneva) or before the Convention opened for signature is refused
    naming ``--on`` (``models.validation.fact_day_problems``); nothing is written."""
    if status not in ITEM_STATUSES:
        raise CoordinationRejected(f"status {status!r} is not one of {', '.join(ITEM_STATUSES)}")
    item = session.exec(select(ActionItem).where(ActionItem.slug == slug)).first()
    if item is None:
        raise CoordinationRejected(f"no action item {slug!r} (see `ccm-tracker action list`)")
    if status != "open":
        refused = day_refused(fact_day_problems(on, field="--on", what=f"{slug} {status}",
                                                today=today or today_in_geneva(), treaty=CCM))
        if refused:
            raise CoordinationRejected(refused)
    item.status = status
    item.closed_on = None if status == "open" else on
    session.add(item)
    audit(session=session, actor=actor, action=f"action.{status}", subject=slug,
          detail={"on": on, "theme": item.owner_theme}, source=source)
    _refresh(session)
    return item


def item_targets(*, session: Session, item: ActionItem) -> list[str]:
    rows = session.exec(select(ActionItemTarget).where(ActionItemTarget.action_item_id == item.id))
    return sorted(row.iso3 for row in rows.all())


def action_items(*, session: Session) -> list[tuple[ActionItem, list[str]]]:
    targets_of: dict[int, list[str]] = {}
    for row in session.exec(select(ActionItemTarget)).all():
        targets_of.setdefault(row.action_item_id, []).append(row.iso3)
    items = session.exec(select(ActionItem).order_by(ActionItem.slug)).all()
    return [(item, sorted(targets_of.get(item.id or 0, []))) for item in items]


def action_item_facts(*, session: Session) -> list[ActionItemFacts]:
    return [
        ActionItemFacts(
            slug=item.slug, title=item.title, owner_theme=item.owner_theme, due=item.due,
            status=item.status, closed_on=item.closed_on, targets=tuple(found),
        )
        for item, found in action_items(session=session)
    ]


def add_output(
    *, session: Session, slug: str, theme: str, text: str, target_count: int,
    deadline: dt.date | None, source: str, actor: str,
) -> str:
    check_theme(theme)
    if target_count < 1:
        raise CoordinationRejected("an output's target count must be at least 1")
    values = {"theme": theme, "text": text, "target_count": target_count,
              "deadline": deadline, "source": source}
    row = session.exec(select(Output).where(Output.slug == slug)).first()
    if row is not None and all(getattr(row, k) == v for k, v in values.items()):
        return "unchanged"
    change = "created" if row is None else "updated"
    row = row or Output(slug=slug, **values)
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    audit(session=session, actor=actor, action=f"output.{change}", subject=slug,
          detail=values, source=source)
    _refresh(session)
    return change


def record_response(
    *, session: Session, slug: str, iso3: str, on: dt.date, source: str, actor: str
) -> str:
    """A State responded towards an output (counted once per State)."""
    output = session.exec(select(Output).where(Output.slug == slug)).first()
    if output is None:
        raise CoordinationRejected(f"no output {slug!r}")
    country_name(iso3)
    found = session.exec(select(OutputResponse).where(
        OutputResponse.output_id == output.id, OutputResponse.iso3 == iso3.upper())).first()
    if found is not None:
        return "unchanged"
    session.add(OutputResponse(output_id=output.id, iso3=iso3.upper(), responded_on=on, source=source))  # type: ignore[arg-type]
    audit(session=session, actor=actor, action="output.response", subject=iso3.upper(),
          detail={"output": slug, "on": on}, source=source)
    _refresh(session)
    return "created"


def output_facts(*, session: Session) -> list[OutputFacts]:
    responses: dict[int, list[dt.date]] = {}
    for row in session.exec(select(OutputResponse)).all():
        responses.setdefault(row.output_id, []).append(row.responded_on)
    return [
        OutputFacts(slug=o.slug, theme=o.theme, text=o.text, target_count=o.target_count,
                    deadline=o.deadline, responses=tuple(sorted(responses.get(o.id or 0, []))))
        for o in session.exec(select(Output).order_by(Output.slug)).all()
    ]


def _refresh(session: Session) -> None:
    """Action items and outputs are the Committee's obligations: recompute them now."""
    from models.refresh import refresh_obligations

    refresh_obligations(session=session, committee=True)
