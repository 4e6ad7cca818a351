"""`outreach ISO3`: one consolidated letter per target State; `outreach --overlaps`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    AsOf,
    EveryTreatyChoice,
    Format,
    OutputFormat,
    a_path,
    chosen_treaties,
    emit_rows,
    fail,
    parse_date,
    registers_by_treaty,
    say,
    today_in_geneva,
)

# The State's own treaty deadlines go in its letter; follow-ups and action items are the
# Committee's own work (open invoices have their own section).
LETTER_KINDS_EXCLUDED = {"invoice_followup", "action_item", "meeting_funds"}


def register(app: typer.Typer) -> None:
    app.command("outreach")(outreach)


def outreach(
    iso3: Annotated[str | None, typer.Argument(metavar="ISO3", help="The target State (ISO3).")] = None,
    overlaps_only: Annotated[bool, typer.Option(
        "--overlaps", help="List States targeted by more than one (convention, theme) pair.")] = False,
    as_of: AsOf = None,
    output: Annotated[Path | None, typer.Option(parser=a_path, metavar="FILE", help="Write the letter here instead of printing it.")] = None,
    fmt: Format = OutputFormat.table,
    treaty: EveryTreatyChoice = None,
) -> None:
    """Draft one Markdown letter to a State with every theme's ask, open deadline and invoice.

    The letter covers every convention the State has obligations under (a section of open
    deadlines per convention) and every theme that targets it under any of them; `--treaty
    ccm` or `--treaty apmbc` keeps one.

    With `--overlaps`, list the States that more than one (convention, theme) pair targets
    instead, each theme with its convention, and whether one joint letter (both conventions)
    covers it.
    """
    if overlaps_only:
        _overlaps(fmt, chosen_treaties(treaty, default="all"))
        return
    if iso3 is None:
        raise fail("give a State (ISO3), or --overlaps", code=2)
    from sqlmodel import select

    from cli.choices import check_country
    from models.committee import Meeting
    from models.coordination import coordinators, state_name, targets
    from models.db import session_scope
    from models.money import invoice_facts
    from models.obligations import compute_obligations
    from notifications.letters import ThemeAsk, outreach_letter
    from rules.obligations import Status
    from settings import get_settings

    day = parse_date(as_of, "--as-of") or today_in_geneva()
    from models.treaty_facts import tracking_by_treaty
    from rules.treaties import treaty_of_key

    treaties = chosen_treaties(treaty, default="all")
    settings = get_settings()
    with session_scope() as session:
        code = check_country("ISO3", iso3, session=session)
        name = state_name(session=session, iso3=code)
        names = {t: [state_name(session=session, iso3=c) for c in cs]
                 for t, cs in coordinators(session=session).items()}
        asks = [ThemeAsk(_theme_label(t.theme, t.treaty), _ask(t.theme, t.ask, t.treaty),
                         tuple(names.get(t.theme, [])), treaty=t.treaty)
                for t in targets(session=session, iso3=code, treaties=treaties)]
        since = tracking_by_treaty(session=session, override=settings.tracking_since)
        kept = registers_by_treaty(session=session)
        found = compute_obligations(session=session, as_of=day, settings=settings, states=[code],
                                    treaties=treaties)
        invoices = [f for f in invoice_facts(session=session, iso3=code) if f.open_on(day)]
        titles = {m.slug: m.title for m in session.exec(select(Meeting)).all()}
    due = [
        (o, status.value) for o in found if o.kind not in LETTER_KINDS_EXCLUDED
        for status in [o.status(day, since.get(treaty_of_key(o.key)),
                                kept.get(treaty_of_key(o.key), {}))]
        if status in (Status.OPEN, Status.OVERDUE)
    ]
    if not asks:
        say(f"note: no theme targets {code}; the letter has no theme's ask", err=True)
    text = outreach_letter(iso3=code, name=name, as_of=day, asks=asks, obligations=due,
                           invoices=invoices, meeting_titles=titles)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"written: {output}")
    else:
        typer.echo(text)


def _theme_label(theme: str, treaty: str) -> str:
    """A target's theme as the letter heads it: the CCM's as before (the letter looks its
    title up), another convention's with its name ("Universalization (Anti-Personnel Mine
    Ban Convention)"), so one letter under both says which convention each ask is under."""
    from notifications.letters import THEME_TITLES
    from rules.treaties import TREATIES

    if treaty == "CCM":
        return theme
    convention = TREATIES.get(treaty)
    name = convention.name if convention else treaty
    # the CCM's title without the CCM's article ("Clearance ... (Article 4)" is the CCM's
    # Art. 4; the APMBC's clearance is its Art. 5): the convention's own article where its
    # rules name one for the theme
    base = re.sub(r" \(Article \d+\)$", "", THEME_TITLES.get(theme, theme.replace("_", " ").capitalize()))
    articles = [a.article for a in convention.deadline_articles if a.theme == theme] if convention else []
    if theme == "transparency" and convention:
        articles = [convention.reporting.article]
    article = f" (Article {articles[0]})" if articles else ""
    return f"{base}{article} ({name})"


def _ask(theme: str, ask: str, treaty: str) -> str:
    """The target's own words, else the theme's default; a universalization ask of another
    convention than the CCM asks to join that convention, not the CCM."""
    from rules.treaties import TREATIES

    if ask or treaty == "CCM":
        return ask
    if theme == "universalization":
        return f"consider joining the {TREATIES[treaty].name if treaty in TREATIES else treaty}"
    from notifications.letters import DEFAULT_ASKS

    return DEFAULT_ASKS.get(theme, "")


def overlap_rows(pairs, conventions, names):  # type: ignore[no-untyped-def]
    """The overlap report's rows from ``pairs`` ((treaty, theme, iso3) per target): one per
    State targeted by more than one (treaty, theme) pair, with each theme's convention
    (``themes``: "universalization (CCM)"), the conventions (``treaties``), whether one joint
    letter covers it (``joint_letter``: its pairs span more than one convention, so
    `outreach ISO3` writes one letter with every convention's asks and deadlines; false:
    one convention's letter does), the command that writes that letter (``letter``) and
    the conventions it is a party to (``party_to``)."""
    from rules.action_items import overlaps
    from rules.treaties import TREATIES

    order = {code: index for index, code in enumerate(TREATIES)}
    found = overlaps(((treaty, theme), iso3) for treaty, theme, iso3 in pairs)
    rows = []
    for iso3, keyed in found.items():
        keyed = tuple(sorted(keyed, key=lambda p: (order.get(p[0], len(order)), p[0], p[1])))
        treaties = list(dict.fromkeys(treaty for treaty, _ in keyed))
        joint = len(treaties) > 1
        rows.append({
            "state": iso3, "name": names.get(iso3, iso3),
            "themes": [f"{theme} ({treaty})" for treaty, theme in keyed],
            "treaties": treaties,
            "joint_letter": joint,
            "letter": f"outreach {iso3}" if joint else f"outreach --treaty {treaties[0].lower()} {iso3}",
            "party_to": conventions.get(iso3, []) or ["none"],
        })
    return rows


def _overlaps(fmt: OutputFormat, treaties) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from models.coordination import state_name, targets
    from models.db import session_scope
    from models.tables import State
    from models.treaty_tables import TreatyParty

    with session_scope() as session:
        pairs = [(t.treaty, t.theme, t.iso3) for t in targets(session=session, treaties=treaties)]
        # the conventions each State takes part in (deposited, not withdrawn)
        conventions: dict[str, list[str]] = {}
        for iso3, deposit, withdrawn in session.exec(
            select(State.iso3, State.deposit_date, State.withdrawal_effective_date)
        ).all():
            if deposit and not withdrawn:
                conventions.setdefault(iso3, []).append("CCM")
        for code, iso3, deposit, withdrawn in session.exec(
            select(TreatyParty.treaty, TreatyParty.iso3, TreatyParty.deposit_date,
                   TreatyParty.withdrawal_effective_date)
        ).all():
            if deposit and not withdrawn:
                conventions.setdefault(iso3, []).append(code)
        names = {iso3: state_name(session=session, iso3=iso3) for _, _, iso3 in pairs}
    rows = overlap_rows(pairs, conventions, names)
    emit_rows(rows, fmt, ["state", "name", "themes", "treaties", "joint_letter", "letter", "party_to"],
              title=f"{len(rows)} States targeted by more than one (convention, theme) pair")
