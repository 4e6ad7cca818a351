"""A convention is data plus rules: the parameters the pure rule functions take.

A ``Treaty`` describes one convention: its code and name, the parameters of its
entry-into-force rule, its reporting article, its deadline articles (period, extension step
limit, obligation kinds) and the names of its meetings and themes. The functions in
``rules.entry_into_force``, ``rules.reports``, ``rules.articles`` and ``rules.obligations``
take a ``treaty`` argument (the CCM by default) and read only these parameters, so a third
convention is a new ``Treaty`` plus its data, with no new rule code unless its text has a new
kind of rule.

Sources:

- CCM (Convention on Cluster Munitions, Dublin 30 May 2008, opened for signature in Oslo on
  3 December 2008): Art. 3(2) 8 years, Art. 3(3) extensions of up to 4 years; Art. 4(1)(a)
  10 years, Art. 4(1)(b) from the end of active hostilities, Art. 4(5) up to 5 years;
  Art. 7(1) 180 days, 7(2) 30 April; Art. 17 (30th instrument deposited 16 February 2010,
  in force 1 August 2010).
- APMBC (Convention on the Prohibition of the Use, Stockpiling, Production and Transfer of
  Anti-Personnel Mines and on their Destruction, Oslo 18 September 1997, opened for signature
  in Ottawa on 3 December 1997; UN Treaty Collection XXVI-5): Art. 4 stockpile destruction
  "not later than four years" after entry into force, with no extension mechanism; Art. 5(1)
  clearance within 10 years, Art. 5(3)-(6) extensions "for a period of up to ten years",
  decided by a Meeting of States Parties or Review Conference; Art. 7(1) 180 days, 7(2)
  30 April; Art. 17(1) in force on the first day of the sixth month after the month of the
  40th deposit (Burkina Faso, 16 September 1998 -> 1 March 1999), Art. 17(2) for a later
  deposit the first day of the sixth month after the month of deposit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EntryIntoForce:
    """Art. 17 of both conventions: ``in_force`` for every State that deposited on or before
    ``cutoff_deposit`` (the day of the ``instruments``-th instrument); for a later deposit,
    the first day of the ``months_after_deposit``-th month after the month of deposit."""

    in_force: dt.date
    instruments: int
    cutoff_deposit: dt.date
    months_after_deposit: int
    opened_for_signature: dt.date


@dataclass(frozen=True, slots=True)
class ReportingArticle:
    """Transparency reports: an initial one ``initial_days`` after entry into force, then one
    a year covering the previous calendar year, due on ``annual_due`` (month, day)."""

    article: int
    initial_days: int
    annual_due: tuple[int, int]
    initial_kind: str = "art7_initial"
    annual_kind: str = "art7_annual"


@dataclass(frozen=True, slots=True)
class DeadlineArticle:
    """An article that sets a deadline counted from entry into force.

    ``years`` after entry into force; ``max_extension_years`` a step (None: the article has
    no extension mechanism, so no request obligation exists and any extension is refused);
    ``kind`` names the deadline, ``request_kind`` the request to extend it.
    ``from_end_of_hostilities``: the CCM's Art. 4(1)(b) (areas contaminated after entry into
    force count from the end of active hostilities).
    """

    article: int
    years: int
    max_extension_years: int | None
    kind: str
    request_kind: str | None
    subject: str  # "stockpile destruction" / "clearance"
    work: str  # what must be done, lower case: "destroy stockpiled anti-personnel mines"
    theme: str
    from_end_of_hostilities: bool = False

    @property
    def extendable(self) -> bool:
        return self.max_extension_years is not None


@dataclass(frozen=True, slots=True)
class Treaty:
    """One convention's parameters. ``code`` prefixes every obligation key of the treaty."""

    code: str
    name: str
    short_name: str
    entry_into_force: EntryIntoForce
    reporting: ReportingArticle
    deadline_articles: tuple[DeadlineArticle, ...]
    meetings: tuple[str, ...]  # the names of its meetings
    themes: tuple[str, ...]  # the themes (``rules.themes``) its obligations and work fall under
    # its committees (APMBC) -> the theme each follows, so a coordinator follows one theme
    # across both conventions
    committees: tuple[tuple[str, str], ...] = ()
    withdrawal_article: int = 20
    # who issues its ISU contribution invoices (and signs for it): "CCM ISU", "APMBC ISU"
    isu: str = ""

    @property
    def isu_name(self) -> str:
        """The short name of the treaty's Implementation Support Unit ("APMBC ISU")."""
        return self.isu or f"{self.code} ISU"

    def article(self, number: int) -> DeadlineArticle:
        """The deadline article ``number``; ``KeyError`` naming the treaty's articles when
        the treaty sets no deadline under it."""
        for found in self.deadline_articles:
            if found.article == number:
                return found
        numbers = ", ".join(str(a.article) for a in self.deadline_articles)
        raise KeyError(f"the {self.code} sets no deadline under Art. {number} (articles: {numbers})")

    @property
    def articles(self) -> tuple[int, ...]:
        return tuple(a.article for a in self.deadline_articles)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every obligation kind the treaty's rules produce."""
        found = [self.reporting.initial_kind, self.reporting.annual_kind]
        for a in self.deadline_articles:
            found.append(a.kind)
            if a.request_kind:
                found.append(a.request_kind)
        return tuple(found)

    def kind_article(self, kind: str) -> DeadlineArticle | None:
        """The deadline article whose deadline or request ``kind`` is, if any."""
        for a in self.deadline_articles:
            if kind in (a.kind, a.request_kind):
                return a
        return None


CCM = Treaty(
    code="CCM",
    name="Convention on Cluster Munitions",
    short_name="CCM",
    entry_into_force=EntryIntoForce(
        in_force=dt.date(2010, 8, 1),
        instruments=30,
        cutoff_deposit=dt.date(2010, 2, 16),  # Burkina Faso, the 30th instrument
        months_after_deposit=6,
        opened_for_signature=dt.date(2008, 12, 3),
    ),
    reporting=ReportingArticle(article=7, initial_days=180, annual_due=(4, 30)),
    deadline_articles=(
        DeadlineArticle(
            article=3, years=8, max_extension_years=4,
            kind="art3_stockpile", request_kind="art3_extension_request",
            subject="stockpile destruction", work="destroy stockpiled cluster munitions",
            theme="stockpile_destruction",
        ),
        DeadlineArticle(
            article=4, years=10, max_extension_years=5,
            kind="art4_clearance", request_kind="art4_extension_request",
            subject="clearance",
            work="clear and destroy cluster munition remnants in contaminated areas",
            theme="clearance", from_end_of_hostilities=True,
        ),
    ),
    meetings=("Meeting of States Parties", "Review Conference"),
    themes=(
        "transparency", "stockpile_destruction", "clearance", "victim_assistance",
        "universalization", "cooperation", "national_implementation", "general_status",
    ),
    isu="CCM ISU",
)

APMBC = Treaty(
    code="APMBC",
    name="Anti-Personnel Mine Ban Convention",
    short_name="APMBC",
    entry_into_force=EntryIntoForce(
        in_force=dt.date(1999, 3, 1),
        instruments=40,
        cutoff_deposit=dt.date(1998, 9, 16),  # Burkina Faso, the 40th instrument
        months_after_deposit=6,
        opened_for_signature=dt.date(1997, 12, 3),
    ),
    reporting=ReportingArticle(article=7, initial_days=180, annual_due=(4, 30)),
    deadline_articles=(
        DeadlineArticle(
            article=4, years=4, max_extension_years=None,
            kind="art4_stockpile", request_kind=None,
            subject="stockpile destruction", work="destroy stockpiled anti-personnel mines",
            theme="stockpile_destruction",
        ),
        DeadlineArticle(
            article=5, years=10, max_extension_years=10,
            kind="art5_clearance", request_kind="art5_extension_request",
            subject="clearance", work="destroy all anti-personnel mines in mined areas",
            theme="clearance",
        ),
    ),
    meetings=("Meeting of States Parties", "Review Conference", "Intersessional Meetings"),
    themes=(
        "transparency", "stockpile_destruction", "clearance", "victim_assistance",
        "universalization", "cooperation", "cooperative_compliance", "general_status",
    ),
    # the four committees of the APMBC's implementation machinery (since the 3RC, 2014);
    # cooperative compliance has no Committee theme of the CCM's (no obligation kind follows it)
    committees=(
        ("Committee on Article 5 Implementation", "clearance"),
        ("Committee on Victim Assistance", "victim_assistance"),
        ("Committee on the Enhancement of Cooperation and Assistance", "cooperation"),
        ("Committee on Cooperative Compliance", "cooperative_compliance"),
    ),
    isu="APMBC ISU",
)

TREATIES: dict[str, Treaty] = {t.code: t for t in (CCM, APMBC)}


def treaty_named(code: str) -> Treaty:
    """The treaty whose code is ``code`` (any case): ``KeyError`` naming the known codes."""
    found = TREATIES.get(code.strip().upper())
    if found is None:
        known = ", ".join(c.lower() for c in TREATIES)
        raise KeyError(f"unknown treaty {code!r} (known: {known})")
    return found


def treaties_named(choice: str) -> tuple[Treaty, ...]:
    """``ccm``, ``apmbc`` or ``all`` (any case) -> the treaties; ``KeyError`` naming the
    known values for anything else."""
    if choice.strip().lower() == "all":
        return tuple(TREATIES.values())
    try:
        return (treaty_named(choice),)
    except KeyError:
        known = ", ".join([*(c.lower() for c in TREATIES), "all"])
        raise KeyError(f"unknown treaty {choice!r} (known: {known})") from None


def treaty_of_key(key: str) -> str:
    """The treaty code an obligation key starts with: ``APMBC:AFG:art5_clearance`` -> APMBC."""
    return key.split(":", 1)[0]


def treaty_of(code: str) -> Treaty:
    """The ``Treaty`` of a stored code (any case); a code this version does not know gets a
    bare description (its own code, "<CODE> ISU", no articles), so its rows are still shown
    under their own name, never as the CCM's."""
    found = TREATIES.get(code.strip().upper())
    if found is not None:
        return found
    bare = code.strip().upper()
    return Treaty(code=bare, name=bare, short_name=bare, entry_into_force=CCM.entry_into_force,
                  reporting=CCM.reporting, deadline_articles=(), meetings=(), themes=())
