"""A digest says once, under its heading, when its convention's register of reports received
was never imported: "overdue" may then only mean "no record of receipt" (README, "The first
run"); it says how to import it. Both parts, text and HTML."""

import datetime as dt
import email
import email.policy
import html

import pytest

from models.db import session_scope
from models.tracking import WHOLE_PAST, keep_register
from notifications.policy import ReminderPolicy
from notifications.service import run_reminders
from rules.obligations import REPORTS_REGISTER
from tests.factories import make_state
from tests.reminders.factories import NOW, make_obligation, make_recipient

AS_OF = dt.date(2026, 5, 2)
NOTICE = "No record of receipt: no register of reports received has been imported for the CCM"


def _digest(database_url, configure, tmp_path, kept_since):  # type: ignore[no-untyped-def]
    settings = configure(None)  # the local outbox folder: one .eml per message
    with session_scope(database_url) as session:
        make_state(session, iso3="AFG", name="Afghanistan")
        make_obligation(session, state="AFG", status="overdue")  # 2025 report, due 2026-04-30
        make_obligation(session, state="AFG", period="2026", due=dt.date(2027, 4, 30))
        make_recipient(session, "anna")
        if kept_since is not None:
            keep_register(session=session, register=REPORTS_REGISTER, since=kept_since)
    run_reminders(as_of=AS_OF, settings=settings, policy=ReminderPolicy(), clock=lambda: NOW, today=AS_OF)
    [path] = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    page = html.unescape(message.get_body(preferencelist=("html",)).get_content())
    return text, page


@pytest.mark.parametrize("kept_since", [None, dt.date(2026, 1, 1)], ids=["never-kept", "kept-from-init"])
def test_a_digest_says_once_at_the_top_that_no_register_of_receipt_was_imported(
        database_url, configure, tmp_path, kept_since):
    text, page = _digest(database_url, configure, tmp_path, kept_since)
    for part, first_group in ((text, "== "), (page, "<h2")):
        assert part.count(NOTICE) == 1
        assert part.index(NOTICE) < part.index(first_group)
        assert "ccm-tracker import FILE.csv" in part and "iso3,report,received_on,source" in part


def test_a_digest_says_nothing_of_it_once_the_register_is_imported(database_url, configure, tmp_path):
    text, page = _digest(database_url, configure, tmp_path, WHOLE_PAST)
    assert "record of receipt" not in text and "record of receipt" not in page
