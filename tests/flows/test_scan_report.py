"""The scan's summary and artifact rows, as plain data (no Prefect, no database)."""

from __future__ import annotations

import datetime as dt

from flows.scan_report import (
    MAX_TABLE_ROWS,
    STATUS_ORDER,
    artifact_key,
    summarize,
    summary_lines,
    summary_markdown,
    table_rows,
)
from models.obligations import ObligationChange, SyncResult
from rules.obligations import Obligation

AS_OF = dt.date(2026, 11, 26)


def _obligation(key: str, due: dt.date, met: bool = False) -> Obligation:
    return Obligation(key=key, state=key.split(":")[1], kind="art7_annual", due=due,
                      original_due=due, period=key.split(":")[-1], met=met)


def test_summary_splits_due_soon_overdue_met_and_history_on_the_scan_day():
    computed = [
        _obligation("CCM:AFG:art7_annual:2026", AS_OF + dt.timedelta(days=90)),  # due soon (edge)
        _obligation("CCM:AFG:art7_annual:2027", AS_OF + dt.timedelta(days=91)),  # open, later
        _obligation("CCM:ALB:art7_annual:2025", dt.date(2026, 4, 30)),  # overdue
        _obligation("CCM:ALB:art7_annual:2010", dt.date(2011, 4, 30)),  # history
        _obligation("CCM:ALB:art7_annual:2024", dt.date(2025, 4, 30), met=True),
    ]
    change = ObligationChange(key="CCM:ALB:art7_annual:2025", state="ALB", kind="art7_annual",
                              due=dt.date(2026, 4, 30), version=1, change="overdue")
    summary = summarize(computed=computed, synced=SyncResult(total=5, changes=[change]),
                        as_of=AS_OF, tracking_since=dt.date(2026, 1, 1), states=None)
    assert summary.by_status == {"open": 2, "met": 1, "overdue": 1, "history": 1, "met_late": 0,
                                 "not_needed": 0, "unverified": 0, "retired": 0}
    assert [r["key"] for r in summary.due_soon] == ["CCM:AFG:art7_annual:2026"]
    assert summary.due_soon[0]["days"] == 90
    assert [r["key"] for r in summary.overdue] == ["CCM:ALB:art7_annual:2025"]
    assert summary.changes == {"created": 0, "changed": 0, "met": 0, "met_late": 0,
                               "not_needed": 0, "overdue": 1, "retired": 0}
    markdown = summary_markdown(summary)
    assert "| overdue | 1 |" in markdown and "Due within 90 days: **1**" in markdown


def test_every_rescan_shares_one_set_of_artifact_keys_and_full_scans_keep_theirs():
    assert artifact_key(None, "overdue") == "ccm-scan-overdue"
    assert artifact_key(["AFG"], "due-90-days") == "ccm-rescan-due-90-days"
    assert artifact_key(["ALB", "AFG"], "changed") == "ccm-rescan-changed"
    assert artifact_key(["AFG", "ALB", "AGO", "AND"], "summary") == "ccm-rescan-summary"


def test_overdue_rows_come_most_late_first_with_state_names_and_lead_the_summary():
    computed = [
        _obligation("CCM:ALB:art7_annual:2025", dt.date(2026, 4, 30)),
        _obligation("CCM:AFG:art7_annual:2024", dt.date(2025, 4, 30)),
        _obligation("CCM:AGO:art7_annual:2025", dt.date(2026, 4, 30)),
    ]
    summary = summarize(computed=computed, synced=SyncResult(total=3, changes=[]), as_of=AS_OF,
                        tracking_since=dt.date(2020, 1, 1), states=["AFG", "ALB"],
                        names={"AFG": "Afghanistan", "ALB": "Albania", "AGO": "Angola"})
    assert [(r["state_name"], r["days_late"]) for r in summary.overdue] == [
        ("Afghanistan", 575), ("Angola", 210), ("Albania", 210)]  # ties by key
    assert summary.scope == "Afghanistan (AFG), Albania (ALB)"
    markdown = summary_markdown(summary)
    assert markdown.index("- Afghanistan: art7_annual 2024, due 2025-04-30, 575 days late") < (
        markdown.index("| status | count |"))


def test_a_long_table_is_cut_and_says_how_much_was_left_out():
    rows = [{"n": i} for i in range(MAX_TABLE_ROWS + 7)]
    shown, note = table_rows(rows)
    assert len(shown) == MAX_TABLE_ROWS
    assert note == f" (first {MAX_TABLE_ROWS} of {MAX_TABLE_ROWS + 7} shown)"
    assert table_rows(rows[:3]) == (rows[:3], "")


def test_the_status_counts_cover_every_status_and_add_up_to_the_total():
    computed = [
        _obligation("CCM:AFG:art7_annual:2026", AS_OF + dt.timedelta(days=10)),  # open
        _obligation("CCM:ALB:art7_annual:2025", dt.date(2026, 4, 30)),  # unverified: no register
        _obligation("CCM:ALB:art7_annual:2010", dt.date(2011, 4, 30)),  # history
        Obligation(key="CCM:AFG:art4_clearance", state="AFG", kind="art4_clearance",
                   due=dt.date(2022, 3, 1), original_due=dt.date(2022, 3, 1), met=True,
                   met_on=dt.date(2023, 1, 1)),  # met late
    ]
    summary = summarize(computed=computed, synced=SyncResult(total=4, changes=[]), as_of=AS_OF,
                        tracking_since=dt.date(2020, 1, 1), states=None, registers={"reports": None})
    status_line = next(line for line in summary_lines(summary) if line.startswith("status: "))
    counted = {name: int(count) for count, name in
               (part.split(" ") for part in status_line.removeprefix("status: ").split(", "))}
    assert sum(counted.values()) == summary.total == 4
    assert counted == {"overdue": 0, "unverified": 1, "open": 1, "met": 0, "met_late": 1, "history": 1}
    markdown = summary_markdown(summary)
    assert sum(int(line.split("|")[2]) for line in markdown.splitlines()
               if line.startswith("| ") and line.split("|")[1].strip() in STATUS_ORDER) == 4


def test_a_scan_that_creates_nothing_says_the_obligations_were_already_stored():
    computed = [_obligation("CCM:AFG:art7_annual:2026", AS_OF + dt.timedelta(days=10)),
                _obligation("CCM:AFG:art7_annual:2027", AS_OF + dt.timedelta(days=400))]
    created = ObligationChange(key="CCM:AFG:art7_annual:2027", state="AFG", kind="art7_annual",
                               due=AS_OF + dt.timedelta(days=400), version=1, change="created")
    summary = summarize(computed=computed, synced=SyncResult(total=2, changes=[created]), as_of=AS_OF,
                        tracking_since=None, states=None)
    changes = next(line for line in summary_lines(summary) if line.startswith("changes: "))
    assert changes.startswith("changes: 1 created, ")
    assert "; 1 of the 2 obligations were already stored" in changes
    assert "1 of the 2 obligations were already stored" in summary_markdown(summary)
