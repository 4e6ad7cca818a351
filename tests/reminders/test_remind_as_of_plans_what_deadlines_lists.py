"""`remind --as-of D` plans from the obligations of D, the ones `deadlines --as-of D` lists
(README, "As of a day"): one that does not exist on D is not planned, and each is planned
with its status and due date on D, not with those the rows stored today have."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import select

from models.db import session_scope
from models.reminders import Reminder

PARTICIPANTS = "state,iso3,signature_date,deposit_date,instrument,provisional_application_date,withdrawal_effective_date,source,notes\n"
REPORTS = "iso3,report,received_on,source\n"


def _listed(run: Callable[..., Any], day: str, *args: str) -> dict[str, dict]:
    found = json.loads(run("deadlines", "--treaty", "all", "--as-of", day, "--format", "json", *args).stdout)
    return {o["key"]: o for o in found}


def _planned(run: Callable[..., Any], day: str) -> dict[str, tuple[str, str]]:
    """The dry run's new reminders to `isu` (who follows everything): key -> (stage, due)."""
    rows = {}
    for line in run("remind", "--dry-run", "--as-of", day).stdout.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) == 6 and cells[0] == "isu" and cells[5] == "new":
            rows[cells[1]] = (cells[2], cells[3])
    return rows


def _import(run: Callable[..., Any], name: str, text: str) -> None:
    Path(name).write_text(text, encoding="utf-8")  # the test's folder (database_url chdirs)
    run("import", name)


def test_remind_as_of_a_day_after_a_withdrawal_plans_nothing_deadlines_does_not_list(run):
    run("init", "--tracking-since", "2026-01-01")  # adds the recipient `isu`
    _import(run, "alb_withdraw.csv", PARTICIPANTS
            + "Albania,ALB,2008-12-03,2009-06-16,ratification,,2027-01-01,test,\n")
    day = "2027-03-01"
    listed = _listed(run, day)
    planned = _planned(run, day)
    # withdrawn before it falls due: neither channel knows the 2026 report on that day
    assert "CCM:ALB:art7_annual:2026" not in listed
    assert "CCM:ALB:art7_annual:2026" not in planned
    # every reminder planned is for an obligation listed open or overdue, with its due date
    attention = {k: o for k, o in listed.items() if o["status"] in ("open", "overdue")}
    assert planned and set(planned) <= set(attention)
    assert all(due == attention[key]["due"] for key, (_, due) in planned.items())
    # and every report listed open and due 2027-04-30 is at its 60-day stage that day
    at_sixty_days = {k for k, o in attention.items() if o["due"] == "2027-04-30" and o["status"] == "open"}
    assert {k for k, (stage, _) in planned.items() if stage == "before:60d"} == at_sixty_days
    # `outreach` answers from the same computation: its letter that day has no 2026 report
    letter = run("outreach", "ALB", "--as-of", day).stdout
    under_the_ccm = letter.split("under the Anti-Personnel Mine Ban Convention")[0]
    assert "2025 annual transparency report" in under_the_ccm
    assert "2026 annual transparency report" not in under_the_ccm


def test_remind_as_of_a_day_before_a_report_was_received_plans_it_as_deadlines_lists_it(
    run, configure, database_url
):
    configure(None)  # the local outbox folder
    run("init", "--tracking-since", "2026-01-01")
    _import(run, "reports.csv", REPORTS + "AFG,2025,2026-06-10,test\n")
    key = "CCM:AFG:art7_annual:2025"
    assert _listed(run, "2026-11-30", "--state", "AFG")[key]["status"] == "met_late"  # received late
    day = "2026-03-02"  # before it was received, 59 days before it fell due
    assert _listed(run, day, "--state", "AFG")[key]["status"] == "open"
    assert _planned(run, day)[key] == ("before:60d", "2026-04-30")
    # a real run as of that day records it against the stored row's version, once
    run("remind", "--as-of", day)
    again = run("remind", "--as-of", day)
    assert "0 planned" in again.stdout
    with session_scope(database_url) as session:
        rows = session.exec(select(Reminder).where(Reminder.obligation_key == key)).all()
    assert [(r.version, r.stage, r.state) for r in rows] == [(1, "before:60d", "sent")]
