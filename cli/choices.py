"""Filter values checked against what the tracker knows: a typo is refused (exit 2) with the
valid values and the likeliest one meant, never answered with an empty table."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from errors import UnknownValue, UsageError

if TYPE_CHECKING:
    from sqlmodel import Session


def check_choices(option: str, values: Iterable[str] | None, valid: Sequence[str]) -> list[str]:
    """``values`` unchanged when each is one of ``valid``; else ``UnknownValue`` for the first
    that is not, with the closest valid values as suggestions."""
    checked = list(values or [])
    for value in checked:
        if value not in valid:
            raise UnknownValue(option, value, valid, suggestions=_close(value, valid))
    return checked


def check_choice(option: str, value: str | None, valid: Sequence[str]) -> str | None:
    return None if value is None else check_choices(option, [value], valid)[0]


def check_for_treaties(option: str, values: Iterable[str], treaties: Sequence[object], *,
                       what: str = "kind") -> list[str]:
    """``values`` unchanged unless one belongs only to a convention not among ``treaties``
    (``rules.treaties.Treaty``): then ``UsageError`` (exit 2) naming ``option`` and the
    convention to ask instead (``--kind: art5_clearance is an APMBC kind (use --treaty
    apmbc)``), never an empty table. ``what`` is ``kind`` (``Treaty.kinds``) or ``theme``
    (``Treaty.themes``); values no convention owns (``meeting_funds``) pass."""
    from rules.treaties import TREATIES

    checked = list(values)
    for value in checked:
        owners = [t for t in TREATIES.values() if value in getattr(t, f"{what}s")]
        if owners and not any(t in treaties for t in owners):
            code = owners[0].code
            raise UsageError(f"{option}: {value} is {_a(code)} {code} {what} (use --treaty {code.lower()})")
    return checked


def _a(code: str) -> str:
    """The article before a convention's code as read aloud: an APMBC, a CCM."""
    return "an" if code[0] in "AEIOU" else "a"


def _close(value: str, valid: Sequence[str]) -> list[str]:
    folded = value.casefold()
    same = [v for v in valid if v.casefold() == folded]
    if same:
        return same
    # "art7" -> art7_annual, art7_initial; "parties" -> party
    starts = [v for v in valid if v.casefold().startswith(folded) or folded.startswith(v.casefold())]
    return starts[:3] or difflib.get_close_matches(value, valid, n=2, cutoff=0.6)


def check_states(
    option: str, values: Iterable[str] | None, *, session: Session, treaties: Sequence[object] = ()
) -> list[str]:
    """ISO 3166-1 alpha-3 codes of States in the registry, exactly as stored (``AFG``);
    with ``treaties`` (``rules.treaties.Treaty``), the States taking part in any of them.

    A State's name (``Afghanistan``), a lowercase code (``afg``) or a near miss is refused
    with the code meant: codes are what every other command, key and file uses.
    """
    checked = list(values or [])
    if not checked:
        return []
    from sqlmodel import select

    from models.tables import State
    from rules.treaties import CCM

    names: dict[str, str] = {}
    if not treaties or CCM in treaties:
        names.update(session.exec(select(State.iso3, State.name)).all())
    if any(t is not CCM for t in treaties):
        from models.treaty_tables import TreatyParty

        codes = [t.code for t in treaties if t is not CCM]  # type: ignore[attr-defined]
        query = select(TreatyParty.iso3, TreatyParty.name).where(TreatyParty.treaty.in_(codes))  # type: ignore[attr-defined]
        names.update(session.exec(query).all())
    for value in checked:
        if value in names:
            continue
        if treaties:  # a command that takes --treaty: say which one would know the State
            _refuse_other_convention(option, value, session=session, treaties=treaties)
        raise UnknownValue(option, value, suggestions=_state_guess(value, names),
                           see="States are named by ISO3 code; see `ccm-tracker states`")
    return checked


def _refuse_other_convention(option: str, value: str, *, session: Session, treaties: Sequence[object]) -> None:
    """``UsageError`` (exit 2) when ``value`` is a State outside ``treaties``
    but in another convention's registry: says which, and the ``--treaty`` to ask with."""
    from models.tables import State
    from rules.treaties import CCM, TREATIES

    for other in TREATIES.values():
        if other in treaties:
            continue
        if other is CCM:
            found = session.get(State, value) is not None
        else:
            from models.treaty_tables import TreatyParty

            found = session.get(TreatyParty, (other.code, value)) is not None
        if found:
            where = "/".join(t.code for t in treaties)  # type: ignore[attr-defined]
            raise UsageError(f"{option}: {value} is not in the {where} registry but is {_a(other.code)} {other.code} "
                             f"participant (use --treaty {other.code.lower()})")


def _state_guess(value: str, names: dict[str, str]) -> list[str]:
    folded = value.strip().casefold()
    by_code = [iso3 for iso3 in names if iso3.casefold() == folded]
    by_name = [iso3 for iso3, name in names.items() if name.casefold() == folded]
    if by_code or by_name:
        return by_code or by_name
    starts = [iso3 for iso3, name in names.items() if folded and name.casefold().startswith(folded)]
    if starts:
        return starts[:3]
    close = difflib.get_close_matches(value.casefold(), [n.casefold() for n in names.values()], n=2, cutoff=0.75)
    return [iso3 for iso3, name in names.items() if name.casefold() in close]


def check_country(option: str, value: str, *, session: Session) -> str:
    """A State in a convention's registry, or any ISO 3166-1 alpha-3 code (outreach and
    letters go to States outside the conventions too); names and lowercase codes are refused
    as above, with the code meant from every convention's registry (``Thailnd`` -> THA)."""
    import pycountry

    from rules.treaties import TREATIES

    if value.isupper() and len(value) == 3 and pycountry.countries.get(alpha_3=value) is not None:
        return value
    try:
        return check_states(option, [value], session=session, treaties=tuple(TREATIES.values()))[0]
    except UnknownValue as unknown:
        if unknown.suggestions:
            raise
        try:
            meant = [pycountry.countries.lookup(value.strip()).alpha_3]
        except LookupError:
            meant = []
        raise UnknownValue(option, value, suggestions=meant,
                           see="an ISO 3166-1 alpha-3 code, e.g. KHM") from None


def check_obligation_key(option: str, key: str, *, session: Session) -> str:
    """``key`` when the obligation table holds it; else ``UnknownValue`` with the closest key
    (``CCM:AFG:art7_anual:2026`` -> did you mean ``CCM:AFG:art7_annual:2026``?)."""
    from sqlmodel import select

    from models.tables import Obligation

    if session.get(Obligation, key) is not None:
        return key
    keys = list(session.exec(select(Obligation.key)).all())
    raise UnknownValue(option, key, suggestions=closest(key, keys),
                       see="see `ccm-tracker deadlines --format json`")


def closest(value: str, known: Iterable[str], n: int = 1) -> list[str]:
    """The known values meant by ``value``: those equal to it but for case first
    (``ccm:afg:art4_clearance`` -> ``CCM:AFG:art4_clearance``), else the ``n`` nearest,
    compared without case (compared with it, a lowercase key is nearer another State's key
    whose letters happen to be lowercase-like, ``CCM:ZMB:...``, than its own)."""
    by_fold: dict[str, list[str]] = {}
    for item in known:
        by_fold.setdefault(item.casefold(), []).append(item)
    folded = value.strip().casefold()
    if folded in by_fold:
        return by_fold[folded][:n]
    near = difflib.get_close_matches(folded, list(by_fold), n=n)
    return [item for fold in near for item in by_fold[fold]][:n]
