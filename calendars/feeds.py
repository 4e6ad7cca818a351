"""Which events a feed holds, and the feed's bytes: for a subscription or a default feed.

Filters (all must hold; an empty filter lets everything through):
- themes: the obligation's kind belongs to one of them (``rules.themes``); meetings concern
  every theme.
- states: the obligation's State is one of them; meetings are not a State's, so they stay.
- kinds: the obligation's kind is one of them; meetings only when ``meeting`` is listed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import func
from sqlmodel import Session, select

from calendars.logtext import for_log
from calendars.model import DeadlineEvent, MeetingEvent
from calendars.render import RenderedFeed, render
from calendars.sources import MEETING_KIND, load_deadlines, load_meetings
from models.subscriptions import Subscription
from models.tables import AuditEntry
from models.tables import Obligation as ObligationRow
from rules.themes import THEMES, follows
from rules.treaties import TREATIES, Treaty
from settings import Settings

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
log = logging.getLogger("ccm.feeds")


@dataclass(frozen=True, slots=True)
class Selection:
    name: str
    themes: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    alarms: bool = False

    @classmethod
    def of(cls, subscription: Subscription) -> Selection:
        return cls(
            name=subscription.name,
            themes=subscription.theme_list,
            states=subscription.state_list,
            kinds=subscription.kind_list,
            alarms=subscription.alarms,
        )

    def wants_deadline(self, event: DeadlineEvent) -> bool:
        return follows(  # event.themes came from themes_of(kind, owner theme)
            themes=self.themes, states=self.states, kinds=self.kinds,
            kind=event.kind, state=event.state, obligation_themes=event.themes,
        )

    def wants_meetings(self) -> bool:
        return not self.kinds or MEETING_KIND in self.kinds

    def treaties(self) -> tuple[Treaty, ...]:
        """The conventions whose events the selection can hold: every one when it takes
        meetings (a feed holds every convention's meetings); else those owning one of its
        themes (``Treaty.themes``) and one of its kinds (a kind no convention owns alone,
        such as ``meeting_funds`` or ``action_item``, keeps them all)."""
        every = tuple(TREATIES.values())
        if self.wants_meetings():
            return every
        found = every
        if self.themes:
            found = tuple(t for t in found if any(theme in t.themes for theme in self.themes))
        if all(any(k in t.kinds for t in every) for k in self.kinds):
            found = tuple(t for t in found if any(k in t.kinds for k in self.kinds))
        return found

    def describe(self) -> str:
        parts = [
            f"themes: {', '.join(self.themes)}" if self.themes else "",
            f"States: {', '.join(self.states)}" if self.states else "",
            f"kinds: {', '.join(self.kinds)}" if self.kinds else "",
        ]
        shown = "; ".join(p for p in parts if p) or "everything"
        names = " and ".join(t.name for t in self.treaties()) or "No convention's"
        return f"{names} deadlines and meetings ({shown})."


def titled(selection: Selection, what: str) -> Selection:
    """``selection`` named by the conventions it holds: ``CCM and APMBC: clearance``."""
    codes = " and ".join(t.code for t in selection.treaties())
    return replace(selection, name=f"{codes}: {what}")


def all_events() -> Selection:
    """Every deadline and meeting, of every convention (what /healthz and all.ics render)."""
    return titled(Selection(name=""), "all deadlines and meetings")


def default_selections() -> list[tuple[str, Selection]]:
    """The feeds anyone may host openly: everything, and one per theme (file stem, selection)."""
    found = [("all", all_events())]
    found += [
        (f"theme-{theme}", titled(Selection(name="", themes=(theme,)), theme.replace("_", " ")))
        for theme in THEMES
    ]
    return found


def feed_revision(*, session: Session) -> dt.datetime:
    """The DTSTAMP of every event: a revision time the data carries (the newest scan's
    midnight UTC, or the newest fact recorded in the audit log, whichever is later), so the
    same data gives the same bytes, the same ETag, and a 304."""
    newest_scan = session.exec(select(func.max(ObligationRow.scanned_on))).one()
    newest_fact = session.exec(select(func.max(AuditEntry.at))).one()
    candidates = [EPOCH]
    if newest_scan is not None:
        candidates.append(dt.datetime.combine(newest_scan, dt.time(), tzinfo=dt.UTC))
    if newest_fact is not None:
        aware = newest_fact if newest_fact.tzinfo else newest_fact.replace(tzinfo=dt.UTC)
        candidates.append(aware.astimezone(dt.UTC).replace(microsecond=0))
    return max(candidates)


def select_events(
    selection: Selection, deadlines: Sequence[DeadlineEvent], meetings: Sequence[MeetingEvent]
) -> tuple[list[DeadlineEvent], list[MeetingEvent]]:
    return (
        [d for d in deadlines if selection.wants_deadline(d)],
        list(meetings) if selection.wants_meetings() else [],
    )


def build_feed(
    selection: Selection,
    *,
    deadlines: Sequence[DeadlineEvent],
    meetings: Sequence[MeetingEvent],
    now: dt.datetime,
    settings: Settings,
) -> RenderedFeed:
    """The selection's feed; an event that cannot be rendered is left out and logged."""
    chosen, chosen_meetings = select_events(selection, deadlines, meetings)
    rendered = render(
        name=selection.name,
        description=selection.describe(),
        deadlines=chosen,
        meetings=chosen_meetings,
        now=now,
        alarm_days=settings.feed_alarm_days if selection.alarms else (),
    )
    for skipped in rendered.skipped:
        log.warning("feed %s: left out %s: %s", for_log(selection.name), for_log(skipped.uid),
                    for_log(skipped.reason))
    return rendered


def feed_for(
    selection: Selection, *, session: Session, settings: Settings, as_of: dt.date | None = None
) -> RenderedFeed:
    """Load, select and render in one go (what the server calls), as of ``as_of`` (default:
    today in Geneva)."""
    return build_feed(
        selection,
        deadlines=load_deadlines(session=session, settings=settings, as_of=as_of),
        meetings=load_meetings(session=session),
        now=feed_revision(session=session),
        settings=settings,
    )
