"""`remind`, `ack` and `recipients`: reminders through Apprise (docs/reminders.md).

These call the same functions as the Prefect flow `dispatch-reminders`, without Prefect.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    AsOf,
    EveryTreatyChoice,
    Format,
    OutputFormat,
    emit_rows,
    fail,
    parse_date,
    say,
    today_in_geneva,
)

recipients_app = typer.Typer(help="Who gets reminders, and for what (themes, States, kinds).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("remind")(remind)
    app.command("ack")(ack)
    app.command("acks")(acks)
    app.command("page")(page)
    app.add_typer(recipients_app, name="recipients")


def remind(
    as_of: AsOf = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would go to whom; send and write nothing.")] = False,
    treaty: EveryTreatyChoice = None,
) -> None:
    """Plan the reminders due today and send them: one digest per recipient.

    Messages go through Apprise to the URLs tagged in the file named by CCM_APPRISE_CONFIG;
    with no such file they are written to the local outbox folder (CCM_OUTBOX_DIR).
    A digest names each item's convention. `--treaty all` (the default: reminders concern
    both) sends every convention's; `--treaty ccm|apmbc` only that one's (the others stay
    pending for a run that covers them).
    """
    from cli.common import chosen_treaties
    from models.db import require_database
    from notifications.service import channel_from, preview, run_reminders
    from settings import get_settings

    treaties = chosen_treaties(treaty, default="all")
    only = treaties[0].code if len(treaties) == 1 else None
    today = today_in_geneva()  # the day the stored obligations answer for
    day = parse_date(as_of, "--as-of") or today
    settings = get_settings()
    require_database(settings.database_url)
    # a missing or broken CCM_APPRISE_CONFIG is refused by a dry run as by a real one
    # (ConfigurationError: one sentence naming the file); the dry run sends nothing
    channel = channel_from(settings)
    if dry_run:
        lines = preview(as_of=day, settings=settings, treaty=only, today=today)
        emit_rows([line.__dict__ for line in lines], OutputFormat.table,
                  ["recipient", "key", "stage", "due", "send_on", "why"],
                  title=f"{len(lines)} reminder(s) would go out on {day.isoformat()} (dry run)")
        return
    if settings.apprise_config is None or settings.local_outbox_tags:  # the outbox is written
        check_outbox_dir(settings.outbox_dir)
    report = run_reminders(as_of=day, settings=settings, channel=channel, treaty=only, today=today)
    result = report.dispatch
    rows = [{"recipient": d.recipient, "items": len(d.items), "outcome": d.outcome, "error": d.error}
            for d in result.deliveries]
    emit_rows(rows, OutputFormat.table, ["recipient", "items", "outcome", "error"],
              title=f"Reminders on {day.isoformat()}: {report.plan.new_rows} planned, "
                    f"{result.count('sent')} sent, {result.count('failed')} failed, "
                    f"{result.count('pending')} to retry")
    if result.count("failed"):
        raise typer.Exit(1)


def check_outbox_dir(folder: Path) -> None:
    """Refuse (one sentence naming CCM_OUTBOX_DIR) a local outbox folder that cannot be
    created or written, before anything is claimed; creates the folder (as the first
    message written there would)."""
    folder = Path(folder).absolute()
    if folder.exists() and not folder.is_dir():
        raise fail(f"CCM_OUTBOX_DIR names {folder}, which is not a folder (nothing was sent)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise fail(f"CCM_OUTBOX_DIR names {folder}, which cannot be created ({reason}; "
                   "nothing was sent)") from None
    if not os.access(folder, os.W_OK):
        raise fail(f"CCM_OUTBOX_DIR names {folder}, which cannot be written (nothing was sent)")


def ack(
    key: Annotated[str, typer.Argument(metavar="KEY", help="Obligation key, e.g. CCM:AFG:art7_annual:2025")],
    recipient: Annotated[str | None, typer.Option(metavar="NAME", help="Only for this recipient (default: everyone).")] = None,
) -> None:
    """Stop further reminders for one obligation (until its due date moves)."""
    from models.db import session_scope
    from notifications.dispatch import utc_now
    from notifications.service import acknowledge
    from settings import get_settings

    settings = get_settings()
    with session_scope() as session:
        from cli.choices import check_obligation_key

        check_obligation_key("KEY", key, session=session)
        cancelled = acknowledge(session=session, key=key, recipient=recipient, actor=settings.actor, now=utc_now())
    who = recipient or "everyone"
    say(f"Acknowledged {key} for {who}; {cancelled} pending reminder(s) cancelled.")


def acks(
    fmt: Format = OutputFormat.table,
) -> None:
    """List acknowledgements and snoozes: who, what, when, until (from `ack` and from links)."""
    from models.db import session_scope
    from notifications.service import ACK_COLUMNS, acknowledgements

    with session_scope() as session:
        rows = acknowledgements(session=session)
    emit_rows(rows, fmt, ACK_COLUMNS, title=f"{len(rows)} acknowledgement(s)")


def page(
    recipient: Annotated[str | None, typer.Option(metavar="NAME", help="A recipient's page: overdue and coming deadlines, a timeline, acknowledge links' target, their feed.")] = None,
    subscription: Annotated[str | None, typer.Option(metavar="ID|NAME", help="A feed subscription's page: what its feed holds.")] = None,
) -> None:
    """Print the address of a personal page (signed, expires after CCM_LINK_MAX_AGE_DAYS),
    served by `ccm-tracker serve`. Digests carry the recipient's own link already."""
    from models.db import session_scope
    from models.reminders import Recipient
    from models.subscriptions import SubscriptionRejected, get_active
    from notifications.links import Links
    from settings import get_settings

    if (recipient is None) == (subscription is None):
        raise fail("say whose page: --recipient NAME or --subscription ID|NAME (one of them)", code=2)
    with session_scope() as session:
        links = Links.of(session=session, settings=get_settings())
        if recipient is not None:
            if session.get(Recipient, recipient) is None:
                raise fail(f"no recipient named {recipient!r} (see `ccm-tracker recipients list`)")
            url = links.page_url(recipient)
        else:
            try:
                found = get_active(session=session, ref=str(subscription))
            except SubscriptionRejected as error:
                raise fail(str(error))
            url = links.feed_page_url(int(found.id or 0))
    typer.echo(url)


@recipients_app.command("resume")
def recipients_resume(name: Annotated[str, typer.Argument(metavar="NAME", help="The recipient's name.")]) -> None:
    """Start reminders again for a recipient who stopped them (one-click unsubscribe)."""
    from models.db import session_scope
    from models.reminders import Recipient

    with session_scope() as session:
        row = session.get(Recipient, name)
        if row is None:
            raise fail(f"no recipient named {name!r}")
        was = row.stopped_at
        row.stopped_at = None
        session.add(row)
    say(f"Reminders to {name} resume with the next run." if was else
        f"{name} had not stopped their reminders; nothing changed.")


@recipients_app.command("add")
def recipients_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A name for the person or channel (letters, digits, . _ -).")],
    tag: Annotated[str, typer.Option(metavar="TAG", help="The Apprise tag of their URL(s) in the Apprise config file.")],
    theme: Annotated[list[str] | None, typer.Option(metavar="THEME", help="Follow this theme; repeatable.")] = None,
    state: Annotated[list[str] | None, typer.Option(metavar="ISO3", help="Follow this State (ISO3); repeatable.")] = None,
    kind: Annotated[list[str] | None, typer.Option(metavar="KIND", help="Follow this kind; repeatable.")] = None,
    email: Annotated[str | None, typer.Option(metavar="ADDRESS", help="Their address as an ATTENDEE of calendar invites (`ccm-tracker invite`).")] = None,
) -> None:
    """Add a recipient. No filter: they follow everything."""
    from cli.choices import check_choices, check_country
    from models.db import session_scope
    from notifications.dispatch import utc_now
    from notifications.recipients import add_recipient
    from rules.themes import KINDS, THEMES

    themes = check_choices("--theme", theme, THEMES)
    kinds = check_choices("--kind", kind, KINDS)
    with session_scope() as session:
        states = [check_country("--state", s, session=session) for s in state or []]
        add_recipient(session=session, name=name, tag=tag, themes=themes, states=states,
                      kinds=kinds, email=email, now=utc_now())
    say(f"Added recipient {name} (Apprise tag {tag}).")


@recipients_app.command("list")
def recipients_list(
    fmt: Format = OutputFormat.table,
) -> None:
    """List recipients and what they follow (an empty filter means everything)."""
    from models.db import session_scope
    from notifications.recipients import list_recipients

    with session_scope() as session:
        rows = [{"name": r.name, "tag": r.tag, "themes": r.themes, "states": r.states, "kinds": r.kinds}
                for r in list_recipients(session=session)]
    emit_rows(rows, fmt, ["name", "tag", "themes", "states", "kinds"], title=f"{len(rows)} recipient(s)")


@recipients_app.command("check")
def recipients_check() -> None:
    """Check the Apprise config and every recipient's tag, as a run does before sending.

    Lists each recipient with where its messages go (the URLs behind its tag, by label: no
    secrets), names every config entry Apprise refused and every tag with no URL. Exit 1 when
    anything would stop or fail a run.
    """
    from models.db import session_scope
    from notifications.recipients import list_recipients
    from notifications.service import channel_from
    from settings import get_settings

    settings = get_settings()
    channel = channel_from(settings, strict=False)
    problems = channel.problems()
    with session_scope() as session:
        people = list_recipients(session=session)
    rows = []
    for person in people:
        addresses = channel.addresses(person.tag)
        if not addresses:
            problems.append(f"recipient {person.name}: no Apprise URL is tagged {person.tag!r} in "
                            f"{settings.apprise_config}: its reminders fail until one is")
        rows.append({"name": person.name, "tag": person.tag,
                     "goes to": "; ".join(a.label for a in addresses) or "NOWHERE"})
    emit_rows(rows, OutputFormat.table, ["name", "tag", "goes to"],
              title=f"{len(rows)} recipient(s); {channel.describe}")
    for problem in problems:
        typer.secho(f"problem: {problem}", err=True, fg="red")
    if problems:
        raise typer.Exit(1)
    say("No problems: every config entry loaded and every tag has a URL.")


@recipients_app.command("remove")
def recipients_remove(name: Annotated[str, typer.Argument(metavar="NAME", help="The recipient's name.")]) -> None:
    """Remove a recipient (their sent history stays in the outbox)."""
    from models.db import session_scope
    from notifications.recipients import remove_recipient

    with session_scope() as session:
        remove_recipient(session=session, name=name)
    say(f"Removed recipient {name}.")
