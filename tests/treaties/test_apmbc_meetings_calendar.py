"""The APMBC's bundled calendar (data/apmbc_meetings.csv): an Art. 5 extension takes effect on
the closing day of the meeting that granted it, not on 31 December of its year."""

import csv
import datetime as dt
import json

from models.convention_meetings import (
    CALENDAR_FILES,
    meeting_in_month,
    meeting_named,
    treaty_calendar,
)
from models.treaty_facts import granted_by_end_of
from tests.cli.running import ccm_here

DATA = CALENDAR_FILES["APMBC"].parent / "apmbc" / "apmbc_article4_article5.csv"


def afghanistan_clearance(capsys, day: str) -> dict:
    code, out, err = ccm_here(capsys, "deadlines", "--treaty", "apmbc", "--state", "AFG",
                              "--kind", "art5_clearance", "--as-of", day, "--format", "json")
    assert code == 0, err
    [row] = json.loads(out)
    return row


def test_an_extension_granted_at_a_meeting_on_the_calendar_takes_effect_on_its_closing_day(
    database_url, capsys
):
    # AFG, Art. 5 (data/apmbc/apmbc_article4_article5.csv): in force 2003-03-01, so clearance
    # due 2013-03-01; extended to 2023-03-01 by the 12MSP (2012) and to 2025-03-01 by the
    # 20MSP (2022), which closed on 25 November 2022 (data/apmbc_meetings.csv).
    assert ccm_here(capsys, "init", "--tracking-since", "2020-01-01")[0] == 0
    before = afghanistan_clearance(capsys, "2022-11-24")
    assert (before["key"], before["due"]) == ("APMBC:AFG:art5_clearance", "2023-03-01")
    assert afghanistan_clearance(capsys, "2022-11-25")["due"] == "2025-03-01"
    # (the fallback, 31 December of the meeting's year, would have said 2023-03-01 here)
    assert afghanistan_clearance(capsys, "2022-12-01")["due"] == "2025-03-01"
    # and the 12MSP (closed 7 December 2012) the same way
    assert afghanistan_clearance(capsys, "2012-12-06")["due"] == "2013-03-01"
    assert afghanistan_clearance(capsys, "2012-12-07")["due"] == "2023-03-01"


def test_every_granting_meeting_named_in_the_bundled_apmbc_data_is_on_the_calendar_or_said_not_to_be():
    calendar = treaty_calendar("APMBC")
    with DATA.open(encoding="utf-8", newline="") as handle:
        named = {row["extension_granted_at"] for row in csv.DictReader(handle) if row["extension_granted_at"]}
    missing = {text for text in named
               if meeting_named(text, calendar) is None and meeting_in_month(text, calendar) is None}
    assert missing == set()
    # "MSP (Dec 2017)" is the one MSP of December 2017: the 16MSP in Vienna, closed 21 December
    assert granted_by_end_of("MSP (Dec 2017)", calendar) == dt.date(2017, 12, 21)


def test_a_meeting_not_on_the_calendar_falls_back_to_the_end_of_its_year():
    calendar = treaty_calendar("APMBC")
    assert granted_by_end_of("Special Meeting (2007)", calendar) == dt.date(2007, 12, 31)  # not bundled
    assert granted_by_end_of("", calendar) is None


def test_the_apmbc_calendar_rows_are_dated_sourced_and_in_order():
    calendar = treaty_calendar("APMBC")
    assert [m.code for m in calendar][:3] == ["1MSP", "2MSP", "3MSP"]
    for meeting in calendar:
        assert meeting.opening <= meeting.closing <= meeting.opening + dt.timedelta(days=6)
        assert meeting.source.startswith("http")
        assert meeting.kind in ("msp", "review_conference")
    assert treaty_calendar("CCW") == ()


def test_the_8msp_and_the_first_review_conference_are_on_the_calendar_with_their_closing_days():
    calendar = treaty_calendar("APMBC")
    # Dead Sea, Jordan, 18-22 November 2007 (ICBL; the ISU's day-by-day pages)
    assert granted_by_end_of("8MSP (2007)", calendar) == dt.date(2007, 11, 22)
    # the Nairobi Summit, 29 November - 3 December 2004 (UN Disarmament Yearbook; UN DC/2941)
    first_rc = meeting_named("1RC (2004)", calendar)
    assert (first_rc.opening, first_rc.closing, first_rc.kind) == (
        dt.date(2004, 11, 29), dt.date(2004, 12, 3), "review_conference")
    # every MSP from the 1MSP to the 22MSP and every Review Conference from the 1RC to the 5RC
    assert [m.code for m in calendar] == [
        "1MSP", "2MSP", "3MSP", "4MSP", "5MSP", "1RC", "6MSP", "7MSP", "8MSP", "9MSP", "2RC", "10MSP",
        "11MSP", "12MSP", "13MSP", "3RC", "14MSP", "15MSP", "16MSP", "17MSP", "4RC", "18MSP", "19MSP",
        "20MSP", "21MSP", "5RC", "22MSP"]
