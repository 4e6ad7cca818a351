"""An APMBC report's status is the same in every channel: the stored row the scan writes,
`deadlines` (table and JSON) and the outreach letter (issue: `deadlines` and `outreach` said
`overdue` where the APMBC's reports register is not kept, so everything else said `unverified`)."""

import json

from sqlmodel import Session, select

from models.db import get_engine
from models.tables import Obligation
from tests.cli.running import ccm_here

DAY = "2026-11-29"
KEY = "APMBC:AUS:art7_annual:2025"


def test_an_apmbc_report_has_the_same_status_in_the_store_deadlines_and_outreach(database_url, capsys):
    assert ccm_here(capsys, "init", "--tracking-since", "2020-01-01")[0] == 0
    code, _, err = ccm_here(capsys, "--treaty", "all", "scan", "--no-prefect")  # stores: as of today
    assert code == 0, err
    with Session(get_engine(database_url)) as session:
        stored = session.exec(select(Obligation).where(Obligation.key == KEY)).one()
        both = session.exec(select(Obligation).where(Obligation.key.in_([KEY, "CCM:AUS:art7_annual:2025"]))).all()
    assert stored.status == "unverified"  # no APMBC reports register kept: not proven late

    code, out, err = ccm_here(capsys, "--treaty", "all", "deadlines", "--state", "AUS",
                              "--format", "json", "--as-of", DAY)
    assert code == 0, err
    listed = {r["key"]: r["status"] for r in json.loads(out)}
    assert listed[KEY] == stored.status

    code, out, err = ccm_here(capsys, "--treaty", "all", "deadlines", "--overdue",
                              "--format", "json", "--as-of", DAY)
    assert code == 0, err
    assert not [r["key"] for r in json.loads(out) if r["key"].startswith("APMBC:") and ":art7_" in r["key"]]

    code, out, err = ccm_here(capsys, "--treaty", "all", "outreach", "AUS", "--as-of", DAY)
    assert code == 0, err
    # the letter lists what is open or overdue: the 2025 report once per treaty where it is
    asked_for = [o for o in both if o.status in ("open", "overdue")]
    assert len(both) == 2
    assert out.count("2025 annual transparency report") == len(asked_for)
