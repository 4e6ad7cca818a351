"""Facts that cannot be true are refused the same way by `record` and `import`, and nothing
is written: a meeting the Convention's calendar does not hold, an extension that ends before
the meeting that granted it, an Art. 4 clearance completed before the State joined; and the
same extension date from another meeting is a correction, not "nothing changed"."""

from __future__ import annotations

import json

import pytest

from tests.cli.running import ccm_here


@pytest.fixture
def registry(database_url, capsys):
    code, _, err = ccm_here(capsys, "init", "--tracking-since", "2026-01-01", "--no-default-recipient")
    assert code == 0, err
    for iso3 in ("SOM", "IRL"):
        code, _, err = ccm_here(capsys, "record", "applies", iso3, "--article", "4", "--source", "Monitor")
        assert code == 0, err
    return database_url


def _clearance(capsys, iso3: str) -> dict:
    code, out, err = ccm_here(capsys, "deadlines", "--state", iso3, "--kind", "art4_clearance", "--format", "json")
    assert code == 0, err
    return next(o for o in json.loads(out) if o["key"] == f"CCM:{iso3}:art4_clearance")


@pytest.mark.parametrize(("meeting", "said"), [
    ("13MPS", "error: --meeting: '13MPS' is not a meeting in the Convention's calendar (did you mean 13MSP?)"),
    ("99MSP", "error: --meeting: '99MSP' is not a meeting in the Convention's calendar (yet)"),
])
def test_record_extension_refuses_a_meeting_not_in_the_calendar(registry, capsys, meeting, said):
    before = _clearance(capsys, "SOM")
    code, out, err = ccm_here(capsys, "record", "extension", "SOM", "--article", "4", "--until", "2028-03-01",
                              "--meeting", meeting, "--source", "x")
    assert (code, out) == (1, "")
    assert err.startswith(said), err
    assert "ccm_meetings.csv" in err  # how to record a meeting not yet in the calendar
    assert _clearance(capsys, "SOM") == before


def test_record_extension_refuses_a_deadline_on_or_before_the_granting_meeting(registry, capsys):
    before = _clearance(capsys, "IRL")
    code, out, err = ccm_here(capsys, "record", "extension", "IRL", "--article", "4", "--until", "2025-08-01",
                              "--meeting", "13MSP", "--source", "x")
    assert (code, out) == (1, "")
    assert err.startswith("error: --until: the new deadline 2025-08-01 is not after 13MSP granted it (2025-09-19)")
    assert _clearance(capsys, "IRL") == before


def test_record_art4_completion_before_the_state_deposited_is_refused(registry, capsys):
    before = _clearance(capsys, "SOM")
    code, out, err = ccm_here(capsys, "record", "completion", "SOM", "--article", "4", "--on", "2005-01-01",
                              "--source", "x")
    assert (code, out) == (1, "")
    assert err.startswith("error: --on: Art. 4 clearance completed 2005-01-01 is before SOM deposited its "
                          "instrument on 2015-09-30"), err
    assert _clearance(capsys, "SOM") == before


def test_same_extension_date_from_another_meeting_needs_correct_and_is_audited(registry, capsys):
    args = ["record", "extension", "LBN", "--article", "4", "--until", "2031-05-01", "--source", "x"]
    code, out, err = ccm_here(capsys, *args, "--meeting", "12MSP")
    assert code == 0, err
    code, out, err = ccm_here(capsys, *args, "--meeting", "12MSP (2024)")  # the same meeting, said longer
    assert code == 0 and "already on record" in out
    code, out, err = ccm_here(capsys, *args, "--meeting", "13MSP")
    assert (code, out) == (1, "")
    assert "on record as granted by 12MSP (source: x), not 13MSP" in err and "--correct --reason" in err
    code, out, err = ccm_here(capsys, *args, "--meeting", "13MSP", "--correct", "--reason", "final report")
    assert code == 0, err
    assert "corrected: LBN Art. 4 deadline extended to 2031-05-01 (was 12MSP; reason: final report)" in out
    code, out, err = ccm_here(capsys, "facts", "LBN")
    assert "12MSP → 13MSP" in out and "final report" in out


def test_import_refuses_an_unknown_meeting_and_an_early_clearance_like_record(registry, capsys, tmp_path):
    rows = tmp_path / "articles.csv"
    rows.write_text(
        "state,iso3,article,extended_deadline,extension_granted_at,completed_date,completed_period,source,notes\n"
        "Somalia,SOM,4,2028-03-01,13MPS,,,x,\n"
        "Ireland,IRL,4,2025-08-01,13MSP,,,x,\n"
        "Somalia,SOM,4,,,2005-01-01,,x,\n",
        encoding="utf-8",
    )
    before = _clearance(capsys, "SOM")
    code, out, err = ccm_here(capsys, "import", str(rows))
    assert code == 1, out
    assert f"{rows}:2: extension_granted_at: '13MPS' is not a meeting in the Convention's calendar (did you mean 13MSP?)" in err
    assert f"{rows}:3: extended_deadline: the new deadline 2025-08-01 is not after 13MSP granted it" in err
    assert f"{rows}:4: completed_date: Art. 4 clearance completed 2005-01-01 is before SOM deposited" in err
    assert _clearance(capsys, "SOM") == before
