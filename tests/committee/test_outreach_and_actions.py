"""`outreach`, `action` and `deadlines --kind action_item` on the demo dataset."""


from sqlmodel import select

from models.db import session_scope
from models.tables import AuditEntry
from tests.committee.conftest import as_json


def test_outreach_letter_consolidates_every_theme_deadline_and_invoice(demo):
    letter = demo("outreach", "AFG", "--as-of", "2017-02-01").stdout
    # Afghanistan is party to both conventions: one letter, both named in its one heading
    assert letter.count(
        "# Convention on Cluster Munitions and Anti-Personnel Mine Ban Convention: letter to Afghanistan") == 1
    assert "## Victim Assistance (Article 5)" in letter
    assert "The Coordinators (Italy and Chile) ask you to" in letter
    assert "## National Implementation Measures (Article 9)" in letter
    assert "The Coordinators (New Zealand) ask you to share the status of your national" in letter
    assert "| 2017-04-30 | 2016 annual transparency report (Art. 7(2)) | open |" in letter
    assert "DEMO-ISU-2017-AFG" in letter and "DEMO-UN-7MSP-AFG" in letter
    assert "illustrative example" in letter
    assert "invoice_followup" not in letter  # the Committee's own work stays out of the letter


def test_outreach_to_a_state_not_party_has_no_treaty_deadlines(demo):
    # Cambodia is not party to the CCM (its APMBC deadlines are in the letter for both)
    letter = demo("outreach", "KHM", "--treaty", "ccm", "--as-of", "2017-02-01").stdout
    assert "letter to Cambodia (KHM)" in letter
    assert "consider joining the Convention" in letter
    assert "## Open deadlines\n\nNone on record." in letter



def test_a_letter_names_every_convention_it_speaks_for_and_labels_their_deadlines(demo):
    """Cambodia: a CCM universalization ask and APMBC report deadlines. The letter was titled
    for the CCM alone with the APMBC's reports under a bare "Open deadlines", as if they were
    the CCM's; an APMBC clearance ask was headed with the CCM's Art. 4."""
    letter = demo("outreach", "KHM", "--as-of", "2017-02-01").stdout
    assert letter.startswith(
        "# Convention on Cluster Munitions and Anti-Personnel Mine Ban Convention: letter to Cambodia")
    ccm, apmbc = letter.split("## Open deadlines under the Convention on Cluster Munitions")[1].split(
        "## Open deadlines under the Anti-Personnel Mine Ban Convention")
    assert "None on record." in ccm
    assert "| 2017-04-30 | 2016 annual transparency report (Art. 7(2)) | open |" in apmbc
    demo("themes", "add-target", "KHM", "--theme", "clearance", "--treaty", "apmbc", "--source", "test")
    letter = demo("outreach", "KHM", "--as-of", "2017-02-01").stdout
    assert "## Clearance and Risk Reduction Education (Article 5) (Anti-Personnel Mine Ban Convention)" in letter
    assert "(Article 4) (Anti-Personnel" not in letter
    assert "(the Coordinators)" not in letter


def test_outreach_to_an_unknown_code_is_a_clear_error(demo):
    result = demo("outreach", "XYZ", code=2)  # an unknown value: a usage error (issue 10 item 7)
    assert "ISO3: unknown value 'XYZ'; an ISO 3166-1 alpha-3 code, e.g. KHM" in result.output


def test_an_action_item_becomes_a_deadline_until_it_is_done(demo):
    demo("action", "add", "afg-va-letter", "--title", "Write to Afghanistan on victim assistance",
         "--theme", "victim_assistance", "--due", "2017-03-31", "--target", "AFG",
         "--source", "CC minutes 25 January 2017")
    rows = as_json(demo("deadlines", "--format", "json", "--kind", "action_item",
                        "--state", "AFG", "--as-of", "2017-02-01"))
    assert [(r["key"], r["state"], r["status"]) for r in rows] == [
        ("CCM:AFG:action_item:afg-va-letter", "AFG", "open")]
    demo("action", "done", "afg-va-letter", "--on", "2017-03-02")
    [row] = as_json(demo("deadlines", "--format", "json", "--kind", "action_item",
                         "--state", "AFG", "--as-of", "2017-04-01"))
    assert (row["status"], row["met_on"]) == ("met", "2017-03-02")
    with session_scope() as session:
        actions = [a.action for a in session.exec(select(AuditEntry)).all()
                   if a.subject == "afg-va-letter"]
    assert actions == ["action.created", "action.done"]


def test_committee_deadlines_have_no_state(demo):
    rows = as_json(demo("deadlines", "--format", "json", "--kind", "action_item",
                        "--as-of", "2017-02-01"))
    by_key = {r["key"]: r for r in rows}
    output = by_key["CCM:CC:action_item:output-va-output-2"]
    assert (output["state"], output["due"], output["status"]) == (None, "2017-06-30", "open")
    assert by_key["CCM:CC:action_item:va-outreach-2016"]["status"] == "overdue"
    assert "CCM:CC:action_item:va-model-letter" not in by_key  # undated: listed by `action list`


def test_action_list_shows_undated_items_as_undated(demo):
    rows = as_json(demo("action", "list", "--format", "json", "--theme", "clearance"))
    assert [(r["slug"], r["due"]) for r in rows] == [("clearance-operational-plan", "undated")]


def test_a_bad_theme_is_refused(demo):
    result = demo("action", "add", "x", "--title", "x", "--theme", "finance", code=2)  # usage error
    assert "--theme: unknown value 'finance'; valid: transparency," in result.output


def test_invoice_follow_ups_are_listed_per_state(demo):
    rows = as_json(demo("deadlines", "--format", "json", "--kind", "invoice_followup",
                        "--as-of", "2017-05-10"))
    keys = {(r["key"], r["status"]) for r in rows}
    assert ("CCM:NZL:invoice_followup:DEMO-ISU-2017-NZL-F1", "met") in keys
    assert ("CCM:AFG:invoice_followup:DEMO-ISU-2017-AFG-F3", "open") in keys
    assert ("CCM:NZL:invoice_followup:DEMO-ISU-2017-NZL-F2", "met") in keys  # pending at payment
    assert not any("DEMO-ISU-2017-NZL-F3" in key for key, _ in keys)
