"""The APMBC's rules against worked examples computed by hand from the treaty text and the
bundled dates, and a fictional third convention defined here with no new rule code."""

import csv
import datetime as dt
import itertools
import re
from pathlib import Path

import pytest

from rules.articles import deadline_chain, extension_step_problem, original_deadline
from rules.entry_into_force import entry_into_force
from rules.facts import ArticleFacts, RulePolicy, StateFacts
from rules.obligations import state_obligations
from rules.reports import annual_report_due, initial_report_due
from rules.treaties import (
    APMBC,
    CCM,
    DeadlineArticle,
    EntryIntoForce,
    ReportingArticle,
    Treaty,
    treaty_named,
)

D = dt.date
DATA = Path(__file__).resolve().parents[2] / "data" / "apmbc"
FAR = D(2030, 1, 1)


def participants() -> dict[str, dict[str, str]]:
    with (DATA / "apmbc_participants.csv").open(newline="", encoding="utf-8") as f:
        return {row["iso3"]: row for row in csv.DictReader(f)}


def apmbc_eif(iso3: str) -> dt.date:
    return entry_into_force(D.fromisoformat(participants()[iso3]["deposit_date"]), APMBC)


def by_key(obligations):
    return {o.key: o for o in obligations}


# --- entry into force (Art. 17) -------------------------------------------------------------

def test_the_first_forty_instruments_bind_from_1_march_1999():
    deposits = sorted(D.fromisoformat(r["deposit_date"]) for r in participants().values())
    # Burkina Faso deposited the 40th on 16 September 1998 (the 39th came the same day)
    assert deposits[39] == D(1998, 9, 16)
    assert sum(d <= APMBC.entry_into_force.cutoff_deposit for d in deposits) == 40
    for deposit in deposits[:40]:
        assert entry_into_force(deposit, APMBC) == D(1999, 3, 1)


def test_a_deposit_after_the_fortieth_binds_from_the_first_day_of_the_sixth_month_after():
    # Art. 17(2): deposit in month M -> first day of month M + 6
    assert entry_into_force(D(1998, 9, 21), APMBC) == D(1999, 3, 1)
    assert entry_into_force(D(1998, 10, 1), APMBC) == D(1999, 4, 1)
    assert entry_into_force(D(2002, 9, 11), APMBC) == D(2003, 3, 1)  # Afghanistan's accession
    assert entry_into_force(D(2017, 12, 13), APMBC) == D(2018, 6, 1)  # Sri Lanka


def test_the_ccm_is_still_the_default_treaty():
    assert entry_into_force(D(2011, 9, 8)) == D(2012, 3, 1)
    assert entry_into_force(D(2010, 2, 16)) == D(2010, 8, 1)
    assert entry_into_force(D(1999, 1, 1), CCM) == D(2010, 8, 1)


# --- Art. 4 and Art. 5 ----------------------------------------------------------------------

def test_afghanistan_2002_accession_worked_example():
    eif = apmbc_eif("AFG")
    assert eif == D(2003, 3, 1)
    assert initial_report_due(eif, APMBC) == D(2003, 8, 28)  # 180 days
    assert original_deadline(4, eif, treaty=APMBC) == D(2007, 3, 1)  # the Hansard "1 Mar 2007"
    assert original_deadline(5, eif, treaty=APMBC) == D(2013, 3, 1)  # the ISU's figure
    facts = StateFacts(
        "AFG", deposit_date=D(2002, 9, 11),
        articles=(ArticleFacts(4, completion_known=True),
                  ArticleFacts(5, (D(2023, 3, 1), D(2025, 3, 1)))),
    )
    found = by_key(state_obligations(facts, FAR, RulePolicy(), treaty=APMBC))
    clearance = found["APMBC:AFG:art5_clearance"]
    assert (clearance.original_due, clearance.due) == (D(2013, 3, 1), D(2025, 3, 1))
    assert "extended 2 time(s)" in clearance.note
    assert found["APMBC:AFG:art4_stockpile"].due == D(2007, 3, 1)
    assert found["APMBC:AFG:art7_initial"].due == D(2003, 8, 28)
    assert found["APMBC:AFG:art7_annual:2003"].due == D(2004, 4, 30)
    requests = sorted(k for k in found if ":art5_extension_request:" in k)
    assert requests == [
        "APMBC:AFG:art5_extension_request:2013-03-01",
        "APMBC:AFG:art5_extension_request:2023-03-01",
        "APMBC:AFG:art5_extension_request:2025-03-01",
    ]
    assert all(k.startswith("APMBC:AFG:") for k in found)


def test_chad_art5_deadline_extended_three_times():
    eif = apmbc_eif("TCD")  # deposit 1999-05-06
    assert eif == D(1999, 11, 1)
    original = original_deadline(5, eif, treaty=APMBC)
    assert original == D(2009, 11, 1)  # the ISU's original deadline
    steps = [D(2011, 1, 1), D(2014, 1, 1), D(2020, 1, 1)]
    chain = deadline_chain(original, steps)
    assert chain == [original, *steps]
    for current, until in itertools.pairwise(chain):
        assert extension_step_problem(5, current, until, APMBC) is None


def test_an_art5_step_may_be_ten_years_but_not_more():
    assert extension_step_problem(5, D(2013, 3, 1), D(2023, 3, 1), APMBC) is None
    problem = extension_step_problem(5, D(2013, 3, 1), D(2023, 3, 2), APMBC)
    assert problem == "an Art. 5 extension is at most 10 years a step"


def test_art4_stockpile_deadline_is_never_extended():
    eif = apmbc_eif("UKR")  # deposit 2005-12-27
    assert original_deadline(4, eif, treaty=APMBC) == D(2010, 6, 1)  # Monitor: passed unmet
    problem = extension_step_problem(4, D(2010, 6, 1), D(2012, 6, 1), APMBC)
    assert problem is not None and "no extension mechanism" in problem
    # an Art. 4 fact is never a request, and no request obligation exists for Art. 4
    facts = StateFacts("UKR", deposit_date=D(2005, 12, 27), articles=(ArticleFacts(4),))
    kinds = {o.kind for o in state_obligations(facts, FAR, RulePolicy(), treaty=APMBC)}
    assert kinds == {"art7_initial", "art7_annual", "art4_stockpile"}
    stockpile = by_key(state_obligations(facts, FAR, RulePolicy(), treaty=APMBC))[
        "APMBC:UKR:art4_stockpile"]
    assert stockpile.due == D(2010, 6, 1) and not stockpile.met


def test_an_article_the_treaty_does_not_have_is_refused_by_name():
    with pytest.raises(KeyError, match="APMBC sets no deadline under Art. 3"):
        original_deadline(3, D(2000, 1, 1), treaty=APMBC)
    with pytest.raises(KeyError, match="unknown treaty 'att'"):
        treaty_named("att")


ORIGINAL_IN_NOTES = re.compile(r"original (?:Art\. 5 )?deadline (\d{4}-\d{2}-\d{2})")
ART4_IN_NOTES = re.compile(r"Art\. 4 deadline (\d{4}-\d{2}-\d{2})|stockpile deadline.*?(\d{4}-\d{2}-\d{2})|\b(\d{4}-\d{2}-\d{2}) stockpile deadline")


def published_deadlines():
    """Every original deadline the bundled rows' notes quote from a source (ISU, Monitor,
    ICBL, news), with the article: (iso3, article, date, note)."""
    with (DATA / "apmbc_article4_article5.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            notes = row["notes"]
            if row["extended_deadline"] or row["extension_granted_at"]:
                continue
            if row["article"] == "5" and (m := ORIGINAL_IN_NOTES.search(notes)):
                yield row["iso3"], 5, D.fromisoformat(m[1]), notes
            if row["article"] == "4" and (m := re.search(r"(\d{4}-\d{2}-\d{2})", notes)):
                yield row["iso3"], 4, D.fromisoformat(m[1]), notes
            if row["article"] == "5" and (m := re.search(r"deadline (\d{4}-\d{2}-\d{2}), no ext", notes)):
                yield row["iso3"], 5, D.fromisoformat(m[1]), notes


def test_every_original_deadline_quoted_in_the_data_matches_the_rules():
    checked = list(published_deadlines())
    # AFG AGO BIH TCD COL HRV YEM ZWE UKR LKA IRQ (Art. 5); AGO HRV UKR IRQ (Art. 4)
    assert {(iso3, article) for iso3, article, _, _ in checked} >= {
        ("AFG", 5), ("AGO", 5), ("BIH", 5), ("TCD", 5), ("COL", 5), ("HRV", 5), ("YEM", 5),
        ("ZWE", 5), ("UKR", 5), ("LKA", 5), ("IRQ", 5),
        ("AGO", 4), ("HRV", 4), ("UKR", 4), ("IRQ", 4),
    }
    for iso3, article, published, note in checked:
        computed = original_deadline(article, apmbc_eif(iso3), treaty=APMBC)
        assert computed == published, f"{iso3} Art. {article}: {computed} vs {note}"


def test_every_bundled_extension_step_is_a_valid_art5_step_except_across_a_missing_one():
    with (DATA / "apmbc_article4_article5.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["extended_deadline"]]
    assert rows and {r["article"] for r in rows} == {"5"}
    by_state: dict[str, list[dt.date]] = {}
    for row in rows:
        by_state.setdefault(row["iso3"], []).append(D.fromisoformat(row["extended_deadline"]))
    too_long = []
    for iso3, steps in by_state.items():
        chain = deadline_chain(original_deadline(5, apmbc_eif(iso3), treaty=APMBC), steps)
        for current, until in itertools.pairwise(chain):
            if extension_step_problem(5, current, until, APMBC) is not None:
                too_long.append((iso3, current, until))
    # Cambodia's row for its second step (2020 to 2025, "exact end date not stated") has no
    # date, so 2020-01-01 -> 2030-12-31 reads as one step of 11 years: a gap in the data.
    # Thailand's only row is an extended deadline of 2023-10-31 ("earlier and later steps
    # not captured"): from its original 2009-05-01 that is more than one step.
    assert too_long == [
        ("KHM", D(2020, 1, 1), D(2030, 12, 31)),
        ("THA", D(2009, 5, 1), D(2023, 10, 31)),
    ]


# --- a third convention: a description, no new rule code ------------------------------------

FICTIONAL = Treaty(
    code="FAT",
    name="Fictional Arms Treaty (ATT-like)",
    short_name="FAT",
    entry_into_force=EntryIntoForce(
        in_force=D(2014, 12, 1), instruments=50, cutoff_deposit=D(2014, 9, 25),
        months_after_deposit=3, opened_for_signature=D(2013, 6, 3),
    ),
    # an initial report within a year, annual reports due 31 May
    reporting=ReportingArticle(
        article=13, initial_days=365, annual_due=(5, 31),
        initial_kind="art13_initial", annual_kind="art13_annual",
    ),
    deadline_articles=(
        DeadlineArticle(
            article=9, years=6, max_extension_years=2, kind="art9_destruction",
            request_kind="art9_extension_request", subject="destruction",
            work="destroy surplus arms", theme="stockpile_destruction",
        ),
    ),
    meetings=("Conference of States Parties",),
    themes=("transparency", "stockpile_destruction"),
)


def test_a_fictional_third_treaty_gets_its_obligations_from_the_same_rules():
    assert entry_into_force(D(2014, 9, 25), FICTIONAL) == D(2014, 12, 1)
    assert entry_into_force(D(2016, 2, 29), FICTIONAL) == D(2016, 5, 1)
    assert annual_report_due(2020, FICTIONAL) == D(2021, 5, 31)
    facts = StateFacts("ZZZ", deposit_date=D(2016, 2, 29),
                       annual_reports_received={2016: D(2017, 5, 2)},
                       articles=(ArticleFacts(9, (D(2023, 5, 1),)),))
    found = by_key(state_obligations(facts, D(2018, 1, 1), RulePolicy(), treaty=FICTIONAL))
    assert set(found) == {
        "FAT:ZZZ:art13_initial",
        "FAT:ZZZ:art13_annual:2016",
        "FAT:ZZZ:art13_annual:2017",
        "FAT:ZZZ:art13_annual:2018",  # listed up to the year of the day asked
        "FAT:ZZZ:art9_destruction",
        "FAT:ZZZ:art9_extension_request:2022-05-01",
        "FAT:ZZZ:art9_extension_request:2023-05-01",
    }
    assert found["FAT:ZZZ:art13_initial"].due == D(2017, 5, 1)  # 365 days after 2016-05-01
    assert found["FAT:ZZZ:art13_initial"].note.startswith("Art. 13(1)")
    assert found["FAT:ZZZ:art13_annual:2016"].due == D(2017, 5, 31)
    assert found["FAT:ZZZ:art13_annual:2016"].met
    assert not found["FAT:ZZZ:art13_annual:2017"].met
    destruction = found["FAT:ZZZ:art9_destruction"]
    assert (destruction.original_due, destruction.due) == (D(2022, 5, 1), D(2023, 5, 1))
    assert destruction.note.startswith("Art. 9: destroy surplus arms")
    assert extension_step_problem(9, D(2022, 5, 1), D(2024, 5, 2), FICTIONAL) == (
        "an Art. 9 extension is at most 2 years a step")


def test_entry_into_force_dates_the_notes_quote_match_the_rules():
    # Türkiye: "joined Sep 2003, in force Mar 2004 per news"
    assert apmbc_eif("TUR") == D(2004, 3, 1)
    # Cambodia: "first extension ran from 2010": its original Art. 5 deadline is 2010-01-01
    assert original_deadline(5, apmbc_eif("KHM"), treaty=APMBC) == D(2010, 1, 1)
    # Angola's stockpile deadline "2007-01-01" (Monitor) from its 2002-07-05 ratification
    assert apmbc_eif("AGO") == D(2003, 1, 1)
