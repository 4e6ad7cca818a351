"""Digests as a mail client shows them: sent through a DEFAULT ``mailto://`` URL (no
``format=``, as users write them) to aiosmtpd, read back with ``email``."""

import datetime as dt
import email
import email.policy
import html
import re
from html.parser import HTMLParser

from models.db import session_scope
from notifications.policy import ReminderPolicy
from notifications.service import run_reminders
from tests.factories import make_state
from tests.reminders.factories import NOW, digest_keys, make_obligation, make_recipient

AS_OF = dt.date(2026, 3, 2)
EVIL = "<img src=x onerror=alert(1)>Afghanistan **bold** [evil](javascript:alert(1))"


def default_url(port: int, to: str) -> str:
    return f"mailto://127.0.0.1:{port}?from=isu@example.org&to={to}"


class Visible(HTMLParser):
    """The text a browser shows, the tags it builds and the links it offers."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None

    def handle_data(self, data):
        self.text.append(data)
        if self._href and data.strip():
            self.links.append((data.strip(), self._href))


def _seed(database_url, states=(("AFG", EVIL), ("ALB", "Albania"), ("AUT", "Austria"))):
    with session_scope(database_url) as session:
        for iso3, name in states:
            make_state(session, iso3=iso3, name=name)
        make_obligation(session, state="AUT", due=dt.date(2026, 2, 20), status="overdue")
        make_obligation(session, state="ALB")
        make_obligation(session, state="AFG")
        make_obligation(session, state="AFG", kind="art4_clearance", period=None,
                        due=dt.date(2026, 3, 1), status="overdue")
        make_recipient(session, "anna")


def _received(database_url, smtp_server, configure):
    settings = configure({"anna": default_url(smtp_server.port, "anna@example.org")})
    _seed(database_url)
    run_reminders(as_of=AS_OF, settings=settings, policy=ReminderPolicy(), clock=lambda: NOW)
    [message] = smtp_server.messages
    return message


def test_a_digest_through_a_default_mailto_url_is_multipart_with_a_real_text_part_one_item_a_line(
    database_url, smtp_server, configure
):
    message = _received(database_url, smtp_server, configure)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == "CCM deadlines: 2 overdue, 2 coming up (2026-03-02)"
    text = message.get_body(preferencelist=("plain",)).get_content()
    items = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(items) == 4 == len(digest_keys(message, database_url))
    # Grouped by what is asked, States by name (Albania before Austria), how late in words.
    assert items[:3] == [
        f"- {EVIL}: due 30 April 2026, in 59 days. Acknowledge or snooze: " + items[0].split(": ", 3)[-1],
        "- Albania: due 30 April 2026, in 59 days. Acknowledge or snooze: " + items[1].split("snooze: ")[1],
        "- Austria: due 20 February 2026, 10 days late. Acknowledge or snooze: " + items[2].split("snooze: ")[1],
    ]
    assert "== 2025 annual transparency report (Art. 7(2)) ==" in text
    assert "Send it to: the UN Secretary-General" in text  # where to send, from the shared wording
    assert "Submit the annual transparency report" in text  # what to do
    # no key and no tool name, but the command the register notice names (no register imported)
    told = text.replace("Sent automatically by ccm-tracker", "").replace("ccm-tracker import FILE.csv", "")
    assert "CCM:" not in text and "ccm-tracker" not in told


def test_the_html_part_escapes_state_names_and_renders_a_table_per_group(
    database_url, smtp_server, configure
):
    message = _received(database_url, smtp_server, configure)
    body = message.get_body(preferencelist=("html",)).get_content()
    assert "<img" not in body and "javascript:alert" not in body.replace(
        html.escape("[evil](javascript:alert(1))"), "")
    page = Visible()
    page.feed(body)
    shown = " ".join(" ".join(page.text).split())
    assert EVIL in shown  # the name arrives as text, exactly
    assert "img" not in page.tags
    groups = re.findall(r"<h2[^>]*>(.*?)</h2>", body)
    assert [re.sub(r"<[^>]+>", "", g) for g in groups] == [  # the group late longest first
        "2025 annual transparency report (Art. 7(2))",
        "Clearance of cluster munition remnants (Art. 4(1))",
    ]
    assert body.count('role="presentation" width="100%"') >= 2  # a table per group (+ the frame)
    assert 'width="600"' in body and "display:flex" not in body and "<style" not in body
    labels = [label for label, _ in page.links]
    assert labels.count("Acknowledge") == 4 and labels.count("Snooze") == 4
    assert "CCM:" not in shown


def test_headers_keep_out_of_office_replies_away_and_offer_one_click_unsubscribe(
    database_url, smtp_server, configure
):
    message = _received(database_url, smtp_server, configure)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
    assert message["From"].addresses[0].display_name == "CCM Implementation Support Unit"
    assert message["From"].addresses[0].addr_spec == "isu@example.org"
    assert message["To"] == "anna@example.org"
    unsubscribe = message["List-Unsubscribe"].strip()
    assert re.fullmatch(r"<http://127\.0\.0\.1:8000/stop/[A-Za-z0-9_.\-]+>", unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_digest_of_120_states_stays_under_gmails_clipping_size(database_url, smtp_server, configure):
    """More than the bundled registry's first run gives (115 overdue), with longer names: the
    clearance notes differ per State, the annual-report note is shared (said once)."""
    settings = configure({"anna": default_url(smtp_server.port, "anna@example.org")})
    with session_scope(database_url) as session:
        for i in range(120):
            iso3 = f"X{chr(65 + i // 26)}{chr(65 + i % 26)}"
            make_state(session, iso3=iso3, name=f"Plurinational Republic of Somewhere Long {i}")
            make_obligation(session, state=iso3, due=dt.date(2026, 2, 20), status="overdue",
                            kind="art4_clearance" if i % 5 == 0 else "art7_annual",
                            period=None if i % 5 == 0 else "2025",
                            note=f"Art. 4: clear and destroy remnants; extended {i} time(s)"
                            if i % 5 == 0 else "Art. 7(2): annual transparency report covering 2025")
        make_recipient(session, "anna")
    run_reminders(as_of=AS_OF, settings=settings, policy=ReminderPolicy(), clock=lambda: NOW)
    [message] = smtp_server.messages
    raw = bytes(message)
    assert len(raw) < 95_000, len(raw)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert len([line for line in text.splitlines() if line.startswith("- ")]) == 120


def test_the_local_outbox_keeps_the_same_message_a_coordinator_would_receive(
    database_url, configure, tmp_path
):
    settings = configure(None)
    _seed(database_url)
    run_reminders(as_of=AS_OF, settings=settings, policy=ReminderPolicy(), clock=lambda: NOW)
    [file] = (tmp_path / "outbox").glob("*-anna-*.eml")
    message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Auto-Submitted"] == "auto-generated"
