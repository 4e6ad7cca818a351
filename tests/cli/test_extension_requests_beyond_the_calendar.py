"""A request to extend a deadline the meeting calendar does not reach yet is estimated (a
year before the deadline, 9 months earlier) and open, on the bundled data as a newcomer
runs it: not due years early before the last meeting on the calendar, nor pulled forward
by an MSP recorded years before the deadline."""

from __future__ import annotations

import json

from tests.cli.running import ccm_here

DAY = "2026-11-30"
ESTIMATED = "deciding meeting estimated: the meeting calendar does not reach the deadline yet"
KINDS = ("--kind", "art3_extension_request", "--kind", "art4_extension_request")


def requests(capsys, *args: str) -> dict[str, dict]:
    code, out, err = ccm_here(capsys, "deadlines", *KINDS, *args, "--format", "json", "--as-of", DAY)
    assert code == 0, err
    return {row["key"]: row for row in json.loads(out)}


def due_and_status(row: dict) -> tuple[str, str]:
    return row["due"], row["status"]


def test_requests_beyond_the_calendar_are_estimated_and_open_after_an_extension_and_a_new_msp(
    database_url, capsys
):
    code, _, err = ccm_here(capsys, "init", "--tracking-since", "2026-01-01", "--no-default-recipient")
    assert code == 0, err
    found = requests(capsys)
    nigeria = found["CCM:NGA:art3_extension_request:2031-08-01"]
    south_sudan = found["CCM:SSD:art4_extension_request:2034-02-01"]
    assert due_and_status(nigeria) == ("2029-11-01", "open")
    assert due_and_status(south_sudan) == ("2032-05-01", "open")
    assert ESTIMATED in nigeria["note"] and ESTIMATED in south_sudan["note"]

    code, _, err = ccm_here(capsys, "record", "extension", "AFG", "--article", "4", "--until",
                            "2030-08-01", "--meeting", "13MSP", "--source", "13MSP final report")
    assert code == 0, err
    afghanistan = requests(capsys, "--state", "AFG")["CCM:AFG:art4_extension_request:2030-08-01"]
    assert due_and_status(afghanistan) == ("2028-11-01", "open")
    assert ESTIMATED in afghanistan["note"]

    code, _, err = ccm_here(capsys, "meetings", "add", "14msp", "--title", "14MSP", "--kind", "msp",
                            "--start", "2027-09-15", "--end", "2027-09-17", "--source", "test")
    assert code == 0, err
    found = requests(capsys)
    assert [due_and_status(found[key]) for key in (
        "CCM:AFG:art4_extension_request:2030-08-01",
        "CCM:NGA:art3_extension_request:2031-08-01",
        "CCM:SSD:art4_extension_request:2034-02-01",
    )] == [("2028-11-01", "open"), ("2029-11-01", "open"), ("2032-05-01", "open")]
