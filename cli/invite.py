"""`invite SLUG`: send a meeting's calendar invite (iTIP) through the notification outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import OutputFormat, emit_rows, fail, today_in_geneva

if TYPE_CHECKING:
    from sqlmodel import Session


def register(app: typer.Typer) -> None:
    app.command("invite")(invite)


def invite(
    slug: Annotated[str | None, typer.Argument(metavar="SLUG", help="The meeting's slug (see `ccm-tracker meetings list`).")] = None,
    deadline: Annotated[str | None, typer.Option(metavar="KEY", help="Instead of a meeting: an obligation key (e.g. CCM:AFG:art7_annual:2026), sent as an all-day invite.")] = None,
    recipient: Annotated[list[str] | None, typer.Option(metavar="NAME", help="Invite this recipient; repeatable. Default: every recipient with an --email who follows meetings.")] = None,
    queue_only: Annotated[bool, typer.Option("--queue-only", help="Queue the invites; the next `remind` run sends them.")] = False,
    force: Annotated[bool, typer.Option("--force", help="With --deadline: invite even to a deadline already past or from before tracking.")] = False,
) -> None:
    """Invite recipients to a meeting (or, with --deadline, to a deadline): a real calendar
    invite they can accept.

    A scheduled meeting sends METHOD:REQUEST; after `meetings move` it sends an update (same
    UID, higher SEQUENCE); after `meetings cancel`, METHOD:CANCEL. Inviting again to an
    unchanged meeting sends nothing. Each invite goes to the recipient's Apprise tag
    `<tag>-invite` when the Apprise config has it (a `ccminvite://` URL builds RFC 6047 MIME),
    else to `<tag>` with the .ics attached. Every send is recorded and retried like a reminder.
    """
    if (slug is None) == (deadline is None):
        raise fail("say what to invite to: a meeting SLUG, or --deadline KEY (one of them)", code=2)
    from models.db import require_database, session_scope
    from notifications.dispatch import dispatch, utc_now
    from notifications.invites import invitees, queue_deadline_invites, queue_meeting_invites
    from notifications.policy_file import load_policy
    from notifications.service import channel_from
    from settings import get_settings

    settings = get_settings()
    require_database(settings.database_url)
    channel = channel_from(settings)
    with session_scope() as session:
        _check_what(session, slug, deadline)  # what to invite to, before who is invited
        tags = [r.tag for r in invitees(session=session, names=recipient or [])]
        organiser = (settings.invite_organiser or channel.sender(tags)
                     or "ccm-tracker <ccm-tracker@localhost>")
        common = {
            "session": session,
            "recipients": recipient or [],
            "organiser": organiser,
            "now": utc_now(),
            "send_on": today_in_geneva(),
        }
        if deadline is not None:
            plan = queue_deadline_invites(key=deadline, settings=settings, force=force, **common)
        else:
            plan = queue_meeting_invites(slug=slug, **common)
    typer.echo(
        f"{plan.meeting}: METHOD:{plan.method} (SEQUENCE {plan.version}) queued for "
        f"{', '.join(plan.queued) or 'nobody new'}"
        + (f"; already queued for {', '.join(plan.already)}" if plan.already else "")
    )
    if queue_only:
        return
    result = dispatch(
        url=settings.database_url,
        as_of=today_in_geneva(),
        policy=load_policy(settings.reminder_policy),
        channel=channel,
    )
    rows = [{"recipient": d.recipient, "items": len(d.items), "outcome": d.outcome, "error": d.error}
            for d in result.deliveries]
    emit_rows(rows, OutputFormat.table, ["recipient", "items", "outcome", "error"],
              title=f"sent {result.count('sent')}, failed {result.count('failed')}, to retry {result.count('pending')}")
    if result.count("failed"):
        raise typer.Exit(1)


def _check_what(session: Session, slug: str | None, deadline: str | None) -> None:
    """Refuse an unknown meeting slug or obligation key (exit 2, the likeliest one meant)."""
    if deadline is not None:
        from cli.choices import check_obligation_key

        check_obligation_key("--deadline", deadline, session=session)
        return
    from sqlmodel import select

    from cli.choices import closest
    from errors import UnknownValue
    from models.committee import Meeting

    slugs = list(session.exec(select(Meeting.slug)).all())
    if slug not in slugs:
        raise UnknownValue("SLUG", str(slug), suggestions=closest(str(slug), slugs),
                           see="see `ccm-tracker meetings list`")
