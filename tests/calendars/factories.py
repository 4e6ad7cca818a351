"""Hand-written calendar factories: each test says the events it needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from calendars.model import DeadlineEvent, MeetingEvent, Person

NOW = dt.datetime(2026, 11, 26, 0, 0, tzinfo=dt.UTC)
ISU = Person(email="isu@example.org", name="CCM ISU")
DELEGATE = Person(email="delegate@example.org", name="Jane Delegate")


def make_deadline(
    key: str = "CCM:AFG:art7_annual:2025",
    due: dt.date = dt.date(2026, 4, 30),
    version: int = 1,
    met: bool = False,
    kind: str = "art7_annual",
    state: str | None = "AFG",
    themes: tuple[str, ...] = ("transparency",),
    summary: str = "Afghanistan: 2025 annual transparency report",
    description: str = "2025 annual transparency report (Art. 7(2)).",
    article: str = "Art. 7",
) -> DeadlineEvent:
    return DeadlineEvent(
        key=key, version=version, due=due, summary=summary, description=description,
        categories=(article, *themes), url="https://www.clusterconvention.org/", met=met,
        state=state, kind=kind, themes=themes,
    )


def make_meeting(
    slug: str = "14msp",
    start: tuple[int, int, int, int, int] = (2026, 9, 14, 10, 0),
    hours: float = 3,
    timezone: str = "Europe/Zurich",
    version: int = 1,
    cancelled: bool = False,
    precision: str = "time",
    title: str = "Fourteenth Meeting of States Parties",
    venue: str = "Palais des Nations, Geneva",
    attendees: tuple[Person, ...] = (DELEGATE,),
) -> MeetingEvent:
    begin = dt.datetime(*start, tzinfo=ZoneInfo(timezone))
    return MeetingEvent(
        key=f"CCM:MEETING:{slug}", version=version, title=title, kind="msp", start=begin,
        end=begin + dt.timedelta(hours=hours), timezone=timezone, precision=precision,  # type: ignore[arg-type]
        venue=venue, organiser=ISU, attendees=attendees, cancelled=cancelled,
        description=f"{title} at {venue}.", categories=("Meeting", "msp"),
    )


@dataclass
class FakeMeetingRow:
    """Stands in for issue 6's Meeting row (the adapter only reads these attributes)."""

    key: str
    version: int
    title: str
    kind: str
    start: dt.datetime
    end: dt.datetime
    timezone: str
    venue: str | None
    organiser: str | None
    precision: str
    status: str
    attendees: tuple[str, ...] = ()


def scan(session, as_of: dt.date = dt.date(2026, 11, 26), tracking_since: dt.date | None = None):  # type: ignore[no-untyped-def]
    """Fill the obligation table as the scan flow does (compute, sync, bump the revision)."""
    from models import revision
    from models.obligations import compute_obligations, sync_obligations
    from settings import get_settings

    session.flush()
    computed = compute_obligations(session=session, as_of=as_of, settings=get_settings())
    result = sync_obligations(
        session=session, computed=computed, as_of=as_of, tracking_since=tracking_since
    )
    revision.bump(session)
    return result
