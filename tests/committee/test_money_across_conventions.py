"""Invoices and meetings under their convention (issue 14): issuer, keys, UIDs, one joint
letter per State across conventions, and its JSON agreeing with it."""

import datetime as dt
import json

import pytest
from sqlmodel import select

from models.committee import Invoice, Meeting
from models.db import session_scope
from models.obligations import compute_obligations
from models.tables import AuditEntry
from notifications.letters import joint_invoice_letter, joint_invoices
from rules.money import InvoiceFacts
from rules.treaties import APMBC, CCM
from settings import get_settings
from tests.committee.conftest import as_json


@pytest.fixture
def meetings(run, states):
    """A CCM meeting (7msp) and an APMBC one (apmbc-22msp), both UN-serviced."""
    run("meetings", "add", "7msp", "--title", "7MSP", "--kind", "msp",
        "--start", "2017-09-04", "--end", "2017-09-06", "--source", "UNOG note")
    run("meetings", "add", "apmbc-22msp", "--title", "22MSP of the APMBC", "--kind", "msp",
        "--start", "2025-12-01", "--end", "2025-12-05", "--treaty", "apmbc",
        "--source", "APMBC ISU")
    return run


def followup_keys(treaties=(CCM, APMBC), as_of=dt.date(2026, 1, 1)):
    with session_scope() as session:
        found = compute_obligations(session=session, as_of=as_of, settings=get_settings(),
                                    treaties=treaties)
    return {o.key: o for o in found if o.kind in ("invoice_followup", "meeting_funds")}


def test_an_apmbc_meetings_invoice_is_issued_by_un_conference_services_under_the_apmbc(meetings):
    out = meetings("money", "invoice", "add", "UN-22MSP-AFG", "--state", "AFG", "--amount", "700",
                   "--kind", "meeting_costs", "--meeting", "apmbc-22msp", "--on", "2025-06-01",
                   "--source", "ledger").stdout
    assert "(APMBC; issued by UN conference services (UNOG))" in out
    [row] = as_json(meetings("money", "invoice", "list", "--as-of", "2025-07-01", "--format", "json"))
    assert (row["treaty"], row["issuer"], row["meeting"]) == (
        "APMBC", "UN conference services (UNOG)", "apmbc-22msp")
    found = followup_keys(as_of=dt.date(2025, 7, 1))
    # its follow-ups and the meeting's funds are the APMBC's: keys start with APMBC
    assert "APMBC:AFG:invoice_followup:UN-22MSP-AFG-F1" in found
    assert "(CHF 700.00, issued 2025-06-01 by the UN conference services (UNOG))" in found[
        "APMBC:AFG:invoice_followup:UN-22MSP-AFG-F1"].note
    funds = found["APMBC:CC:meeting_funds:apmbc-22msp"]
    assert funds.due == dt.date(2025, 12, 1) - dt.timedelta(days=90)
    # a CCM-only computation leaves them out; an APMBC-only one has them and no CCM one
    assert not [k for k in followup_keys((CCM,), dt.date(2025, 7, 1)) if k.startswith("APMBC:")]
    assert all(k.startswith("APMBC:") for k in followup_keys((APMBC,), dt.date(2025, 7, 1)))


def test_an_apmbc_isu_contribution_is_issued_by_the_apmbc_isu(states, run):
    run("money", "invoice", "add", "APMBC-ISU-2026-AFG", "--state", "AFG", "--amount", "1200.10",
        "--treaty", "apmbc", "--on", "2026-01-10", "--source", "ledger")
    [row] = as_json(run("money", "invoice", "list", "--format", "json", "--as-of", "2026-02-01"))
    assert (row["treaty"], row["issuer"]) == ("APMBC", "APMBC ISU")
    assert "APMBC:AFG:invoice_followup:APMBC-ISU-2026-AFG-F1" in followup_keys(as_of=dt.date(2026, 2, 1))


def test_ccm_invoice_keys_and_meeting_uids_are_unchanged(meetings):
    meetings("money", "invoice", "add", "ISU-2017-AFG", "--state", "AFG", "--amount", "1000",
             "--on", "2017-01-09", "--source", "ledger")
    meetings("money", "invoice", "add", "UN-7MSP-AFG", "--state", "AFG", "--amount", "250.50",
             "--kind", "meeting_costs", "--meeting", "7msp", "--on", "2017-01-09",
             "--source", "ledger")
    found = followup_keys(as_of=dt.date(2017, 2, 1))
    assert {"CCM:AFG:invoice_followup:ISU-2017-AFG-F1", "CCM:AFG:invoice_followup:UN-7MSP-AFG-F1",
            "CCM:CC:meeting_funds:7msp"} <= set(found)
    rows = as_json(meetings("meetings", "list", "--recorded", "--format", "json"))
    assert {r["slug"]: (r["treaty"], r["uid"]) for r in rows} == {
        "7msp": ("CCM", "CCM:MEETING:7msp"),
        "apmbc-22msp": ("APMBC", "APMBC:MEETING:apmbc-22msp"),
    }
    from calendars.sources import list_meetings

    with session_scope() as session:  # the feeds' and invites' UIDs
        assert sorted(m.key for m in list_meetings(session=session)) == [
            "APMBC:MEETING:apmbc-22msp", "CCM:MEETING:7msp"]


def test_meetings_list_shows_every_convention_unless_treaty_keeps_one(meetings):
    assert [r["slug"] for r in as_json(meetings("meetings", "list", "--recorded", "--format", "json"))] == [
        "7msp", "apmbc-22msp"]
    only = as_json(meetings("meetings", "list", "--recorded", "--treaty", "apmbc", "--format", "json"))
    assert [(r["slug"], r["funds_due"]) for r in only] == [("apmbc-22msp", "2025-09-02")]
    assert [r["slug"] for r in as_json(meetings("--treaty", "ccm", "meetings", "list", "--recorded",
                                                  "--format", "json"))] == ["7msp"]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--meeting", "apmbc-22msp", "--kind", "meeting_costs", "--treaty", "ccm"], "--treaty ccm"),
        (["--meeting", "7msp", "--kind", "meeting_costs", "--treaty", "apmbc"], "--treaty apmbc"),
        (["--treaty", "all"], "--treaty"),
        (["--treaty", "ccw"], "--treaty"),
    ],
)
def test_a_treaty_the_invoice_cannot_be_under_is_refused_in_one_sentence_and_nothing_written(
    meetings, args, named
):
    result = meetings("money", "invoice", "add", "N-1", "--state", "AFG", "--amount", "10", *args,
                      "--source", "ledger", code=2)
    [line] = [x for x in result.output.splitlines() if x.strip()]
    assert line.startswith("error: ") and named in line
    with session_scope() as session:
        assert session.exec(select(Invoice)).all() == []
        assert [a.action for a in session.exec(select(AuditEntry)).all()
                if a.action.startswith("invoice")] == []


def test_a_meeting_under_an_unknown_convention_is_refused_and_nothing_written(states, run):
    result = run("meetings", "add", "x", "--title", "X", "--kind", "msp", "--treaty", "ccw", code=2)
    [line] = [x for x in result.output.splitlines() if x.strip()]
    assert line.startswith("error: ") and "--treaty" in line
    with session_scope() as session:
        assert session.exec(select(Meeting)).all() == []


def test_a_state_party_to_both_gets_one_joint_letter_with_both_sections_and_per_currency_totals(meetings):
    for args in (
        ["ISU-2017-AFG", "--amount", "1000", "--on", "2017-01-09"],
        ["UN-7MSP-AFG", "--amount", "250.50", "--kind", "meeting_costs", "--meeting", "7msp",
         "--on", "2017-01-09"],
        ["APMBC-ISU-2025-AFG", "--amount", "300.25", "--treaty", "apmbc", "--on", "2025-01-10"],
        ["UN-22MSP-AFG", "--amount", "99.99", "--kind", "meeting_costs", "--meeting",
         "apmbc-22msp", "--on", "2025-06-01"],
    ):
        meetings("money", "invoice", "add", args[0], "--state", "AFG", *args[1:],
                 "--source", "ledger")
    letter = meetings("money", "letter", "AFG", "--as-of", "2025-07-01").stdout
    assert letter.count("# Contributions to the Convention on Cluster Munitions and the "
                        "Anti-Personnel Mine Ban Convention: Afghanistan (AFG)") == 1
    ccm = letter.index("## Convention on Cluster Munitions")
    apmbc = letter.index("## Anti-Personnel Mine Ban Convention")
    assert ccm < letter.index("| ISU-2017-AFG | ISU contribution | CCM ISU |") < apmbc
    assert ccm < letter.index("| UN-7MSP-AFG | meeting costs: 7MSP | UN conference services (UNOG) |") < apmbc
    assert apmbc < letter.index("| APMBC-ISU-2025-AFG | ISU contribution | APMBC ISU |")
    assert apmbc < letter.index(
        "| UN-22MSP-AFG | meeting costs: 22MSP of the APMBC | UN conference services (UNOG) |")
    assert "Outstanding under the Convention on Cluster Munitions: CHF 1,250.50" in letter
    assert "Outstanding under the Anti-Personnel Mine Ban Convention: CHF 400.24" in letter
    assert "**Total outstanding: CHF 1,650.74**" in letter
    assert letter.rstrip().endswith(
        "The Director-General of the United Nations Office at Geneva  \n"
        "The President of the Convention on Cluster Munitions  \n"
        "The President of the Anti-Personnel Mine Ban Convention")
    # the JSON is the same letter: the same invoices, issuers and totals
    content = as_json(meetings("money", "letter", "AFG", "--as-of", "2025-07-01", "--format", "json"))
    assert content["treaties"] == ["CCM", "APMBC"]
    assert [[(i["number"], i["issuer"]) for i in s["invoices"]] for s in content["sections"]] == [
        [("ISU-2017-AFG", "CCM ISU"), ("UN-7MSP-AFG", "UN conference services (UNOG)")],
        [("APMBC-ISU-2025-AFG", "APMBC ISU"), ("UN-22MSP-AFG", "UN conference services (UNOG)")],
    ]
    assert [s["totals"] for s in content["sections"]] == [{"CHF": "1250.50"}, {"CHF": "400.24"}]
    assert content["totals"] == {"CHF": "1650.74"}
    # --treaty keeps one convention: the letter then names it only
    only = meetings("money", "letter", "AFG", "--as-of", "2025-07-01", "--treaty", "apmbc").stdout
    assert "Convention on Cluster Munitions" not in only and "ISU-2017-AFG" not in only


def test_a_ccm_only_states_letter_names_only_the_ccm(meetings):
    meetings("money", "invoice", "add", "ISU-2017-ALB", "--state", "ALB", "--amount", "99",
             "--on", "2017-01-09", "--source", "ledger")
    letter = meetings("money", "letter", "ALB", "--as-of", "2017-03-01").stdout
    assert "# Contributions to the Convention on Cluster Munitions: Albania (ALB)" in letter
    assert "every invoice of the Convention on Cluster Munitions addressed" in letter
    assert "Anti-Personnel" not in letter and "APMBC" not in letter
    assert "**Total outstanding: CHF 99.00**" in letter


def test_a_state_party_to_the_apmbc_only_is_billed_under_the_apmbc_and_not_under_the_ccm(states, run):
    """Thailand is party to the APMBC, not the CCM: its APMBC ISU contribution is recorded and
    lettered (it was refused: invoices could name only the CCM's registry), a CCM invoice is not."""
    run("money", "invoice", "add", "APMBC-ISU-2026-THA", "--state", "THA", "--amount", "800",
        "--treaty", "apmbc", "--on", "2026-01-10", "--source", "ledger")
    letter = run("money", "letter", "THA", "--as-of", "2026-02-01").stdout
    assert "# Contributions to the Anti-Personnel Mine Ban Convention: Thailand (THA)" in letter
    assert "APMBC-ISU-2026-THA" in letter and "Cluster Munitions" not in letter
    refused = run("money", "invoice", "add", "ISU-2026-THA", "--state", "THA", "--amount", "800",
                  "--on", "2026-01-10", "--source", "ledger", code=1)
    assert "THA is not in the CCM registry" in refused.output
    assert len(as_json(run("money", "invoice", "list", "--format", "json", "--as-of", "2026-02-01"))) == 1


def test_a_state_billed_under_the_apmbc_only_gets_a_letter_naming_only_the_apmbc(meetings):
    meetings("money", "invoice", "add", "UN-22MSP-ALB", "--state", "ALB", "--amount", "5",
             "--kind", "meeting_costs", "--meeting", "apmbc-22msp", "--on", "2025-06-01",
             "--source", "ledger")
    letter = meetings("money", "letter", "ALB", "--as-of", "2025-07-01").stdout
    assert "# Contributions to the Anti-Personnel Mine Ban Convention: Albania (ALB)" in letter
    assert "Cluster Munitions" not in letter
    assert letter.rstrip().endswith("The President of the Anti-Personnel Mine Ban Convention")


def test_totals_are_per_currency_and_never_added_across_currencies():
    day = dt.date(2026, 2, 1)
    invoices = [
        InvoiceFacts("A", "AFG", "isu_contribution", 100_000, dt.date(2026, 1, 9)),
        InvoiceFacts("B", "AFG", "isu_contribution", 50_025, dt.date(2026, 1, 9), treaty="APMBC"),
        InvoiceFacts("C", "AFG", "meeting_costs", 70_000, dt.date(2026, 1, 9), meeting="m",
                     treaty="APMBC", currency="EUR"),
    ]
    content = joint_invoices(iso3="AFG", name="Afghanistan", as_of=day, invoices=invoices)
    assert content.totals == {"CHF": 150_025, "EUR": 70_000}
    assert [s.totals for s in content.sections] == [{"CHF": 100_000}, {"CHF": 50_025, "EUR": 70_000}]
    letter = joint_invoice_letter(iso3="AFG", name="Afghanistan", as_of=day, invoices=invoices)
    assert "**Total outstanding: CHF 1,500.25**" in letter
    assert "**Total outstanding: EUR 700.00**" in letter
    assert json.dumps(content.as_json()["totals"]) == '{"CHF": "1500.25", "EUR": "700.00"}'
