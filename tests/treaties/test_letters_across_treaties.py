"""One letter per State across conventions: a section per convention, invoices by issuer."""

import datetime as dt

from notifications.letters import joint_invoice_letter, outreach_letter
from rules.money import InvoiceFacts
from rules.obligations import Obligation
from tests.cli.running import ccm_here


def test_a_state_party_to_both_gets_one_letter_with_both(database_url, capsys):
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01")[0] == 0
    code, letter, err = ccm_here(capsys, "outreach", "AFG", "--as-of", "2026-11-29")
    assert code == 0, err
    assert letter.count("# Convention on Cluster Munitions and Anti-Personnel Mine Ban Convention: "
                        "letter to Afghanistan (AFG)") == 1
    ccm = letter.index("## Open deadlines under the Convention on Cluster Munitions")
    apmbc = letter.index("## Open deadlines under the Anti-Personnel Mine Ban Convention")
    assert ccm < apmbc
    # the CCM's 2025 annual report is overdue in its section; the APMBC's is unverified (no
    # APMBC reports register is kept), as the stored row and `deadlines` say, so not asked for
    row = "| 2026-04-30 | 2025 annual transparency report (Art. 7(2)) | overdue |"
    assert letter.count(row) == 1
    assert letter.index(row) < apmbc
    assert "| 2027-04-30 | 2026 annual transparency report (Art. 7(2)) | open |" in letter[apmbc:]
    # --treaty keeps one convention: the letter then reads as before
    code, letter, _ = ccm_here(capsys, "outreach", "AFG", "--as-of", "2026-11-29", "--treaty", "ccm")
    assert "# Convention on Cluster Munitions: letter to Afghanistan" in letter
    assert "Anti-Personnel" not in letter and "## Open deadlines\n" in letter


def test_a_state_under_one_convention_only_gets_that_one(database_url, capsys):
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01")[0] == 0
    code, letter, err = ccm_here(capsys, "outreach", "THA", "--as-of", "2026-11-29")
    assert code == 0, err
    assert "letter to Thailand (THA)" in letter
    assert "Convention on Cluster Munitions and" not in letter
    assert "| 2027-04-30 | 2026 annual transparency report (Art. 7(2)) | open |" in letter
    # unverified under the APMBC (its reports register is not kept): not asked for as overdue
    assert "| 2026-04-30 | 2025 annual transparency report (Art. 7(2)) | overdue |" not in letter


def test_the_joint_invoice_letter_names_each_issuer_and_totals_per_currency():
    day = dt.date(2017, 2, 1)
    invoices = [
        InvoiceFacts("ISU-2017-AFG", "AFG", "isu_contribution", 100_000, dt.date(2017, 1, 9)),
        InvoiceFacts("UN-7MSP-AFG", "AFG", "meeting_costs", 25_050, dt.date(2017, 1, 9), meeting="7msp"),
    ]
    letter = joint_invoice_letter(iso3="AFG", name="Afghanistan", as_of=day, invoices=invoices,
                                  meeting_titles={"7msp": "7MSP"})
    assert "Issued by: CCM ISU; UN conference services (UNOG)." in letter
    assert "| ISU-2017-AFG | ISU contribution | CCM ISU | 2017-01-09 |" in letter
    assert "| UN-7MSP-AFG | meeting costs: 7MSP | UN conference services (UNOG) |" in letter
    assert "**Total outstanding: CHF 1,250.50**" in letter


def test_a_letter_orders_conventions_ccm_first_whatever_the_input_order():
    def due(key: str) -> tuple[Obligation, str]:
        return Obligation(key, "AFG", "art7_initial", dt.date(2026, 1, 1), dt.date(2026, 1, 1)), "open"

    letter = outreach_letter(iso3="AFG", name="Afghanistan", as_of=dt.date(2026, 1, 1), asks=[],
                             obligations=[due("APMBC:AFG:art7_initial"), due("CCM:AFG:art7_initial")],
                             invoices=[])
    assert letter.index("under the Convention on Cluster Munitions") < letter.index(
        "under the Anti-Personnel Mine Ban Convention")


def test_the_overlap_report_says_which_conventions_each_target_takes_part_in(database_url, capsys):
    import json

    assert ccm_here(capsys, "init")[0] == 0
    from models.coordination import add_target
    from models.db import session_scope

    with session_scope() as session:  # `themes add-target` and the demo's loader call this
        for theme in ("victim_assistance", "clearance"):
            add_target(session=session, theme=theme, iso3="AFG", source="test", actor="test")
    code, out, err = ccm_here(capsys, "outreach", "--overlaps", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == [{"state": "AFG", "name": "Afghanistan",
                                "themes": ["clearance (CCM)", "victim_assistance (CCM)"],
                                "treaties": ["CCM"], "joint_letter": False,
                                "letter": "outreach --treaty ccm AFG", "party_to": ["CCM", "APMBC"]}]
