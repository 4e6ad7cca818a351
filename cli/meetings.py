"""`meetings list|add|move|cancel`: the meetings calendar, dated only as precisely as known."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import GENEVA, Format, OutputFormat, chosen_treaties, emit_rows
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

app = typer.Typer(help="The meetings calendar: list, add, move, cancel.", no_args_is_help=True)

Start = Annotated[str | None, typer.Option(metavar="YYYY-MM-DD[THH:MM]", help="First day (YYYY-MM-DD) or local start (YYYY-MM-DDTHH:MM).")]
End = Annotated[str | None, typer.Option(metavar="YYYY-MM-DD[THH:MM]", help="Last day (YYYY-MM-DD), or local end (YYYY-MM-DDTHH:MM).")]
Month = Annotated[str | None, typer.Option(metavar="YYYY-MM", help="Only the month is known: YYYY-MM.")]
Source = Annotated[str, typer.Option(help="Where this comes from (minutes and section, a note verbale).")]
COLUMNS = ["slug", "treaty", "title", "kind", "when", "timezone", "in_geneva", "venue", "status",
           "version", "funds_due"]


@app.command("list")
def list_command(
    fmt: Format = OutputFormat.table,
    zone: Annotated[str, typer.Option("--show-in", metavar="ZONE", help="Also show timed meetings on this clock (an IANA timezone).")] = GENEVA,
    treaty: Annotated[str | None, typer.Option("--treaty", metavar="ccm|apmbc|all", help="Only this convention's meetings (default: all).")] = None,
) -> None:
    """Every meeting with its convention, local dates, its time on Geneva's clock, and when
    its funds are due (90 days before it opens, for a UN-serviced meeting of either convention).

    Every convention's meetings unless --treaty (or the root --treaty) keeps one: the
    calendar is one. Meetings known only by month or "to be decided" show no days and no
    funds date.
    """
    from models.db import session_scope
    from models.meetings import list_meetings

    _check_zone("--show-in", zone)
    codes = tuple(t.code for t in chosen_treaties(treaty, default="all"))
    with session_scope() as session:
        rows = [meeting_row(m, zone) for m in list_meetings(session=session, treaties=codes)]
    columns = COLUMNS if fmt is OutputFormat.table else [*COLUMNS, "uid", "precision", "start",
                                                          "end", "start_date", "end_date",
                                                          "month", "organiser", "source"]
    emit_rows(rows, fmt, columns, title=f"{len(rows)} meetings")


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

    --treaty apmbc makes it the APMBC's: its calendar UID is APMBC:MEETING:<slug> (a CCM
    meeting's stays CCM:MEETING:<slug>), and its costs' invoices are under the APMBC.
    """
    from cli.choices import check_choice
    from cli.common import root_treaty
    from models.meetings import meeting_when, schedule_meeting
    from rules.treaties import TREATIES
    from settings import get_settings

    check_choice("--kind", kind, [str(k) for k in MeetingKind])
    convention = treaty or root_treaty() or "ccm"
    check_choice("--treaty", convention.lower(), [c.lower() for c in TREATIES])

    def write(session):  # type: ignore[no-untyped-def]
        when = meeting_when(start=start, end=end, month=month, timezone=timezone)
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
    """Move a meeting (or fix its dates): its version grows, so calendars update it."""
    from models.meetings import list_meetings, meeting_when, move_meeting
    from settings import get_settings

    def write(session):  # type: ignore[no-untyped-def]
        current = [m for m in list_meetings(session=session) if m.slug == slug]
        zone = timezone or (current[0].timezone if current else GENEVA)
        when = meeting_when(start=start, end=end, month=month, timezone=zone)
        return move_meeting(session=session, slug=slug, when=when, timezone=zone, venue=venue,
                            source=source, actor=get_settings().actor)
    _record(write, "moved")


@app.command("cancel")
def cancel(slug: Annotated[str, typer.Argument(metavar="SLUG", help="The meeting's slug.")], source: Source = "") -> None:
    """Cancel a meeting (kept on record; calendars receive the cancellation)."""
    from models.meetings import cancel_meeting
    from settings import get_settings

    _record(lambda session: cancel_meeting(session=session, slug=slug, source=source,
                                           actor=get_settings().actor), "cancelled")


def _record(write, verb: str) -> None:  # type: ignore[no-untyped-def]
    from cli.announcing import announce
    from models.db import session_scope
    from models.refresh import written_revision

    with session_scope() as session:
        meeting, change = write(session)
        row = meeting_row(meeting)
        revision = written_revision(session)
    if change == "unchanged":
        typer.echo(f"unchanged: {row['slug']} ({row['when']})")
        return
    typer.echo(f"{change}: {row['slug']} {row['when']} {row['timezone']} (version {row['version']})")
    if row["funds_due"]:
        typer.echo(f"meeting funds due: {row['funds_due']}")
    announce(f"ccm.meeting.{row['slug']}", f"ccm.meeting.{change}",
             {"uid": row["uid"], "version": row["version"], "when": row["when"]}, revision=revision)


