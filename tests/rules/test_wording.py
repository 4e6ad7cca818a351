"""The one table of kind wording that digests, letters and feeds share."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.digest import DigestItem, build_digest
from notifications.letters import outreach_letter
from rules.obligations import Obligation
from rules.themes import KINDS
from rules.wording import Addresses, destination, status_word, title, what_to_do, wording

ADDRESSES = Addresses(report_recipient="UNODA <reports@example.org>", isu_contact="the ISU")


def test_titles_put_the_period_where_a_person_says_it():
    assert title("art7_annual", "2025") == "2025 annual transparency report"
    assert title("art7_initial") == "Initial transparency report"
    assert title("art4_extension_request", "2026-05-01") == (
        "Request to extend the 2026-05-01 clearance deadline"
    )
    assert title("art3_extension_request", "2019-08-01") == (
        "Request to extend the 2019-08-01 stockpile destruction deadline"
    )
    assert title("invoice_followup", "ISU-2025-AFG-F2") == (
        "Follow-up 2 of unpaid ISU contribution invoice ISU-2025-AFG"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_treaty_reference_or_a_reason_not_to_and_something_to_do(kind):
    words = wording(kind)
    assert words.name and words.to_do.endswith(".")
    assert words.reference or kind == "action_item"


def test_reports_are_sent_to_the_art7_recipient():
    where = destination("art7_annual", ADDRESSES)
    assert str(where) == "Send it to: UNODA <reports@example.org>."


@pytest.mark.parametrize("kind", ["art3_stockpile", "art4_clearance"])
def test_destruction_and_clearance_are_declared_in_the_art7_report_not_sent_to_the_isu(kind):
    where = destination(kind, ADDRESSES)
    assert where is not None and where.label == "How it is declared"
    assert "Art. 7 transparency report" in where.text and "the ISU" not in where.text


def test_extension_requests_go_to_the_meeting_of_states_parties_through_the_isu():
    where = destination("art4_extension_request", ADDRESSES)
    assert str(where) == "Submit it to: the Meeting of States Parties, through the ISU."


def test_statuses_read_as_words():
    assert [status_word(s) for s in ("overdue", "met_late", "not_needed", "unverified")] == [
        "overdue", "met late", "not needed", "unverified",
    ]


def test_unknown_kind_reads_as_words_and_has_no_destination():
    assert title("new_kind", "x") == "New kind (x)"
    assert what_to_do("new_kind") == "Complete the new kind."
    assert destination("new_kind", ADDRESSES) is None


def test_digest_and_letter_use_the_same_title_as_the_feed():
    as_of = dt.date(2026, 5, 10)
    item = DigestItem(key="CCM:AFG:art7_annual:2025", version=1, row_id=1, state="AFG",
                      state_name="Afghanistan", kind="art7_annual", period="2025",
                      due=dt.date(2026, 4, 30))
    digest = build_digest(recipient="transparency", items=[item], as_of=as_of,
                          addresses=ADDRESSES, act_url=lambda i, a: "", page_url="", stop_url="")
    assert digest.groups[0].title == "2025 annual transparency report"
    assert digest.groups[0].reference == "Art. 7(2)"
    obligation = Obligation(key=item.key, state="AFG", kind="art7_annual", period="2025",
                            due=item.due, original_due=item.due)
    letter = outreach_letter(iso3="AFG", name="Afghanistan", as_of=as_of, asks=[],
                             obligations=[(obligation, "met_late")], invoices=[])
    assert "| 2026-04-30 | 2025 annual transparency report (Art. 7(2)) | met late |" in letter
