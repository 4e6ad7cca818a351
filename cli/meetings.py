"""`meetings list|add|move|cancel`: the meetings calendar, dated only as precisely as known."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import (
    GENEVA,
    LAST_DAY,
    Format,
    OutputFormat,
    chosen_treaties,
    emit_rows,
    parse_date,
)
from rules.meetings import (
    UN_SERVICED,
    MeetingFacts,
    MeetingKind,
    in_zone,
    meeting_funds_due,
    undated_reason,
)

if TYPE_CHECKING:
    from models.committee import Meeting
    from models.convention_meetings import ConventionMeeting

app = typer.Typer(help="The meetings calendar: list, add, move, cancel.", no_args_is_help=True)

Start = Annotated[str | None, typer.Option(metavar="YYYY-MM-DD[THH:MM]", help="First day (YYYY-MM-DD) or local start (YYYY-MM-DDTHH:MM).")]
End = Annotated[str | None, typer.Option(metavar="YYYY-MM-DD[THH:MM]", help="Last day (YYYY-MM-DD), or local end (YYYY-MM-DDTHH:MM).")]
Month = Annotated[str | None, typer.Option(metavar="YYYY-MM", help="Only the month is known: YYYY-MM.")]
Source = Annotated[str, typer.Option(help="Where this comes from (minutes and section, a note verbale).")]
# How many days a meeting may last. The longest on either convention's calendar
# lasted 6 (the APMBC's 2RC, Cartagena 2009); a Review Conference held in parts is recorded part by
# part. A month-long bound leaves room for any real meeting and refuses a mistyped year
# (2027-01-01 to 2099-01-01), which would otherwise stand as a 72-year MSP.
MOST_DAYS = 31
TIME = re.compile(r"\d{2}:\d{2}(:\d{2})?")
COLUMNS = ["slug", "treaty", "title", "kind", "when", "timezone", "in_geneva", "venue", "status",
           "version", "funds_due", "from"]


@app.command("list")
def list_command(
    fmt: Format = OutputFormat.table,
    zone: Annotated[str, typer.Option("--show-in", metavar="ZONE", help="Also show timed meetings on this clock (an IANA timezone).")] = GENEVA,
    treaty: Annotated[str | None, typer.Option("--treaty", metavar="ccm|apmbc|all", help="Only this convention's meetings (default: all).")] = None,
    recorded: Annotated[bool, typer.Option("--recorded", help="Only the meetings recorded in the database (meetings add), not the bundled calendar's.")] = False,
) -> None:
    """Every meeting with its convention, local dates, its time on Geneva's clock, and when
    its funds are due (90 days before it opens, for a UN-serviced meeting of either convention).

    Every convention's meetings unless --treaty (or the root --treaty) keeps one: the
    calendar is one. Column `from` says where a meeting is kept: `recorded` (meetings add; it
    has a version, calendar invites and a funds deadline) or `calendar`, the convention's
    bundled calendar of MSPs and Review Conferences (data/ccm_meetings.csv,
    data/apmbc_meetings.csv: read-only, its code is what `record extension --meeting` takes).
    --recorded shows only the recorded ones. Meetings known only by month or "to be decided"
    show no days and no funds date.
    """
    from cli.common import today_in_geneva
    from models.convention_meetings import treaty_calendar
    from models.db import session_scope
    from models.meetings import list_meetings

    _check_zone("--show-in", zone)
    codes = tuple(t.code for t in chosen_treaties(treaty, default="all"))
    with session_scope() as session:
        rows = [meeting_row(m, zone) for m in list_meetings(session=session, treaties=codes)]
    bundled = [] if recorded else [calendar_row(code, m, today_in_geneva())
                                   for code in codes for m in treaty_calendar(code)]
    rows = sorted([*rows, *bundled], key=_in_date_order)
    columns = COLUMNS if fmt is OutputFormat.table else [*COLUMNS, "uid", "precision", "start",
                                                          "end", "start_date", "end_date",
                                                          "month", "organiser", "source"]
    title = f"{len(rows)} meetings" + (f" ({len(bundled)} from the bundled calendar)" if bundled else "")
    emit_rows(rows, fmt, columns, title=title)


def calendar_row(treaty: str, m: ConventionMeeting, today: dt.date) -> dict[str, object]:
    """A meeting of the convention ``treaty``'s bundled calendar as `meetings list` shows it:
    the same fields as a recorded one (``meeting_row``), its code as slug; no UID, version,
    timezone or funds date (those are a recorded meeting's)."""
    return {
        "slug": m.code, "treaty": treaty, "uid": None, "title": m.title, "kind": m.kind,
        "precision": "day", "when": f"{m.opening} to {m.closing}", "timezone": "",
        "in_geneva": "", "venue": m.venue, "organiser": "",
        "status": "held" if m.closing < today else "scheduled", "version": None, "funds_due": "",
        "start": None, "end": None, "start_date": m.opening, "end_date": m.closing,
        "month": None, "source": m.source, "from": "calendar",
    }


def _in_date_order(row: dict[str, object]) -> tuple[dt.date, str]:
    day = row["start_date"]
    if not isinstance(day, dt.date):
        month = row["month"]
        day = dt.date.fromisoformat(f"{month}-01") if isinstance(month, str) else dt.date.max
    return day, str(row["slug"]).lower()


def _check_zone(option: str, zone: str) -> None:
    import zoneinfo

    from errors import UnknownValue

    try:
        zoneinfo.ZoneInfo(zone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise UnknownValue(option, zone, see="an IANA timezone, e.g. Europe/Zurich") from None


def meeting_row(m: Meeting, zone: str = GENEVA) -> dict[str, object]:
    facts = MeetingFacts(slug=m.slug, title=m.title, kind=m.kind, precision=m.date_precision,
                         start_date=m.start_date, end_date=m.end_date, month=m.month,
                         cancelled=m.status == "cancelled")
    funds: object = ""
    if m.kind in UN_SERVICED and m.status != "cancelled":
        funds = undated_reason(facts) or meeting_funds_due(m.start_date)  # type: ignore[arg-type]
    return {
        "slug": m.slug, "treaty": m.treaty, "uid": m.uid, "title": m.title, "kind": m.kind,
        "precision": m.date_precision, "when": describe_when(m), "timezone": m.timezone,
        "in_geneva": _on_clock(m, zone), "venue": m.venue, "organiser": m.organiser,
        "status": m.status, "version": m.version, "funds_due": funds,
        "start": m.start.isoformat() if m.start else None,
        "end": m.end.isoformat() if m.end else None,
        "start_date": m.start_date, "end_date": m.end_date, "month": m.month, "source": m.source,
        "from": "recorded",
    }


def describe_when(m: Meeting) -> str:
    if m.start and m.end:
        end = m.end.strftime("%H:%M") if m.end.date() == m.start.date() else m.end.strftime("%Y-%m-%d %H:%M")
        return f"{m.start:%Y-%m-%d %H:%M}-{end}"
    if m.start_date and m.end_date:
        return m.start_date.isoformat() if m.start_date == m.end_date else f"{m.start_date} to {m.end_date}"
    if m.month:
        return f"{m.month} (day not fixed)"
    return "to be decided"


def _on_clock(m: Meeting, zone: str) -> str:
    if m.start_at is None or m.end_at is None:
        return ""
    start, end = in_zone(m.start_at, zone), in_zone(m.end_at, zone)
    return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M} ({start:%Z})"


@app.command("add")
def add(
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="A short stable name, e.g. 7msp, cc-2017-01-25.")],
    title: Annotated[str, typer.Option(metavar="TEXT", help="The meeting's name.")],
    kind: Annotated[str, typer.Option(metavar="KIND", help=f"One of: {', '.join(MeetingKind)}.")],
    start: Start = None,
    end: End = None,
    month: Month = None,
    timezone: Annotated[str, typer.Option(metavar="ZONE", help="IANA timezone of the venue.")] = GENEVA,
    venue: Annotated[str, typer.Option(help="Where.")] = "",
    organiser: Annotated[str, typer.Option(help="Who organises it.")] = "",
    treaty: Annotated[str | None, typer.Option("--treaty", metavar="ccm|apmbc", help="The convention whose meeting it is (default: ccm).")] = None,
    source: Source = "",
) -> None:
    """Schedule a meeting. With no --start and no --month its dates are "to be decided".

    --source is required, as for every fact. Dates are YYYY-MM-DD (a local time:
    YYYY-MM-DDTHH:MM), up to 2999-12-31; --end not before --start, and a meeting lasts at
    most 31 days (the longest on either convention's calendar lasted 6; record a longer one
    part by part). A meeting on the convention's bundled calendar (`meetings list`, from
    `calendar`: 13msp) is refused unless given its own days (e.g. to invoice its costs).

    --treaty apmbc makes it the APMBC's: its calendar UID is APMBC:MEETING:<slug> (a CCM
    meeting's stays CCM:MEETING:<slug>), and its costs' invoices are under the APMBC.
    """
    from cli.choices import check_choice
    from cli.common import root_treaty
    from models.meetings import check_not_on_calendar, meeting_when, schedule_meeting
    from rules.treaties import TREATIES
    from settings import get_settings

    check_choice("--kind", kind, [str(k) for k in MeetingKind])
    check_dates(start, end, month)
    convention = treaty or root_treaty() or "ccm"
    check_choice("--treaty", convention.lower(), [c.lower() for c in TREATIES])

    def write(session):  # type: ignore[no-untyped-def]
        when = meeting_when(start=start, end=end, month=month, timezone=timezone)
        check_not_on_calendar(treaty=convention, slug=slug, title=title, when=when)
        return schedule_meeting(session=session, slug=slug, title=title, kind=kind, when=when,
                                timezone=timezone, venue=venue, organiser=organiser,
                                source=source, treaty=convention, actor=get_settings().actor)
    _record(write, "scheduled")


@app.command("move")
def move(
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="The meeting's slug.")],
    start: Start = None,
    end: End = None,
    month: Month = None,
    timezone: Annotated[str | None, typer.Option(metavar="ZONE", help="IANA timezone (default: unchanged).")] = None,
    venue: Annotated[str | None, typer.Option(help="New venue (default: unchanged).")] = None,
    source: Source = "",
) -> None:
    """Move a meeting (or fix its dates): its version grows, so calendars update it.

    Only the options given change: --venue alone keeps the dates; --start alone keeps the
    meeting's length (a 4-day meeting still ends 3 days after its new first day; a timed
    one keeps its hours) and says so. A cancelled meeting is refused: it stays cancelled
    (add it again under a new slug to hold it after all).
    """
    from models.meetings import end_keeping_length, get_meeting, meeting_when, move_meeting
    from settings import get_settings

    check_dates(start, end, month)
    kept: list[str] = []

    def write(session):  # type: ignore[no-untyped-def]
        current = get_meeting(session=session, slug=slug)
        zone = timezone or current.timezone
        new_end = end
        if start is not None and end is None and month is None:
            new_end = end_keeping_length(current, start)
            if new_end is not None:
                days = (current.end_date - current.start_date).days + 1  # type: ignore[operator]
                length = "" if "T" in new_end else f" of {days} day{'s' if days > 1 else ''}"
                kept.append(f"kept its length{length}: it now ends {new_end.replace('T', ' ')} "
                            "(give --end to end it elsewhere)")
        when = None if start is None and end is None and month is None else meeting_when(
            start=start, end=new_end, month=month, timezone=zone)
        return move_meeting(session=session, slug=slug, when=when, timezone=zone, venue=venue,
                            source=source, actor=get_settings().actor)
    if _record(write, "moved") != "unchanged" and kept:
        typer.echo(kept[0])


@app.command("cancel")
def cancel(slug: Annotated[str, typer.Argument(metavar="SLUG", help="The meeting's slug.")], source: Source = "") -> None:
    """Cancel a meeting (kept on record; calendars receive the cancellation)."""
    from models.meetings import cancel_meeting
    from settings import get_settings

    _record(lambda session: cancel_meeting(session=session, slug=slug, source=source,
                                           actor=get_settings().actor), "cancelled")


def check_dates(start: str | None, end: str | None, month: str | None) -> None:
    """The dates as `meetings add` and `move` take them, as every command reads a date: a
    value that is not one, or is after 2999-12-31, an --end before --start or more than
    MOST_DAYS days after it, is a usage error naming the option (exit 2)."""
    first = _moment(start, "--start")
    last = _moment(end, "--end")
    if month is not None:
        from models.meetings import MONTH

        if not MONTH.fullmatch(month):
            raise typer.BadParameter(f"{month!r} is not a month (YYYY-MM)", param_hint="--month")
        if int(month[:4]) > LAST_DAY.year:
            raise typer.BadParameter(f"{month!r} is after {LAST_DAY:%Y-%m}, the last month the "
                                     "tracker computes deadlines for", param_hint="--month")
    if first is None or last is None or isinstance(first, dt.datetime) != isinstance(last, dt.datetime):
        return  # nothing to compare (models.meetings.meeting_when says what is missing)
    if last < first or (isinstance(last, dt.datetime) and last == first):
        raise typer.BadParameter(f"{end} is {'before' if last < first else 'the same time as'} "
                                 f"--start {start}", param_hint="--end")
    days = (_day(last) - _day(first)).days + 1
    if days > MOST_DAYS:
        raise typer.BadParameter(
            f"{end} would make the meeting {days} days long; a meeting lasts at most {MOST_DAYS} "
            "days (the longest on either convention's calendar lasted 6): check the year, or "
            "record a longer one part by part", param_hint="--end")


def _moment(value: str | None, option: str) -> dt.date | dt.datetime | None:
    """``YYYY-MM-DD`` (a date) or ``YYYY-MM-DDTHH:MM`` (a local time, naive), read as
    cli.common.parse_date reads a date; None when not given."""
    if value is None:
        return None
    text = value.strip()
    if len(text) > 10 and text[10] in "T ":
        day = parse_date(text[:10], option)
        try:
            clock = dt.time.fromisoformat(text[11:])
        except ValueError:
            clock = None
        if clock is None or not TIME.fullmatch(text[11:]):
            raise typer.BadParameter(f"{value!r} is not a local time (YYYY-MM-DDTHH:MM)",
                                     param_hint=option)
        return dt.datetime.combine(day, clock)  # type: ignore[arg-type]
    return parse_date(text, option)


def _day(moment: dt.date | dt.datetime) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def _record(write, verb: str) -> str:  # type: ignore[no-untyped-def]
    from cli.announcing import announce
    from models.db import session_scope
    from models.refresh import written_revision

    with session_scope() as session:
        meeting, change = write(session)
        row = meeting_row(meeting)
        revision = written_revision(session)
    if change == "unchanged":
        typer.echo(f"unchanged: {row['slug']} ({row['when']})")
        return change
    typer.echo(f"{change}: {row['slug']} {row['when']} {row['timezone']} (version {row['version']})")
    if row["funds_due"]:
        typer.echo(f"meeting funds due: {row['funds_due']}")
    announce(f"ccm.meeting.{row['slug']}", f"ccm.meeting.{change}",
             {"uid": row["uid"], "version": row["version"], "when": row["when"]}, revision=revision)
    return change


