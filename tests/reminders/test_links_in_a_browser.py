"""The received digest in a real browser (Debian's Chromium driven by Playwright): what is
visible, the Acknowledge link clicked from the email, the POST, the next run skipping that
deadline; a plain GET of every link changes nothing; the one-click unsubscribe; the personal
page on a phone-sized screen. Against ``ccm-tracker serve``'s app (uvicorn on loopback)."""

import datetime as dt
import re
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from calendars.server import create_app
from models.db import session_scope
from models.reminders import Acknowledgement, Recipient, Reminder
from notifications.policy import ReminderPolicy
from notifications.service import run_reminders
from settings import get_settings, reset_settings_cache
from tests.conftest import free_port
from tests.factories import make_state
from tests.reminders.factories import NOW, make_obligation, make_recipient, write_apprise_config

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AS_OF = dt.date(2026, 3, 2)
EVIL = "<img src=x onerror=alert(1)>Afghanistan"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path(CHROMIUM).exists() or shutil.which("chromium") is None,
                       reason="Debian's chromium is not installed (.ci/run installs it)"),
]


class Served:
    """``ccm-tracker serve``'s app under uvicorn in a thread."""

    def __init__(self, database_url: str, port: int) -> None:
        import uvicorn

        config = uvicorn.Config(create_app(database_url, warm=False), host="127.0.0.1", port=port,
                                log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def _setup(database_url, smtp_server, tmp_path, monkeypatch, port):
    monkeypatch.setenv("CCM_PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("CCM_FEED_BASE_URL", f"http://127.0.0.1:{port}")
    config = write_apprise_config(tmp_path / "apprise.yaml", {
        "anna": f"mailto://127.0.0.1:{smtp_server.port}?from=isu@example.org&to=anna@example.org"})
    monkeypatch.setenv("CCM_APPRISE_CONFIG", str(config))
    reset_settings_cache()
    with session_scope(database_url) as session:
        make_state(session, iso3="AFG", name=EVIL)
        make_state(session, iso3="ALB", name="Albania")
        make_obligation(session, state="AFG")
        make_obligation(session, state="ALB")
        make_recipient(session, "anna")
    run_reminders(as_of=AS_OF, settings=get_settings(), policy=ReminderPolicy(), clock=lambda: NOW)
    [message] = smtp_server.messages
    return message


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def _acks(url):
    with session_scope(url) as session:
        return [(a.obligation_key, a.recipient, a.until) for a in session.exec(select(Acknowledgement)).all()]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_digest_reads_well_in_chromium_and_acknowledge_works_from_the_emails_link(
    database_url, smtp_server, tmp_path, monkeypatch, browser
):
    port = free_port()
    message = _setup(database_url, smtp_server, tmp_path, monkeypatch, port)
    html = message.get_body(preferencelist=("html",)).get_content()
    with Served(database_url, port):
        page = browser.new_page(viewport={"width": 800, "height": 1200})
        page.set_content(html)
        text = page.inner_text("body")
        assert EVIL in text  # the name is shown as text, not run as markup
        assert page.locator("img").count() == 0
        assert "2025 annual transparency report" in text and "Albania" in text
        assert text.index(EVIL) < text.index("Albania")  # States by name ("<" sorts first)
        assert page.get_by_role("link", name="Acknowledge").count() == 2
        page.screenshot(path=str(tmp_path / "digest.png"), full_page=True)

        # A link scanner GETs every link in the email: nothing changes.
        for link in _links(html):
            assert httpx.get(link.replace("&amp;", "&"), timeout=10).status_code == 200
        assert _acks(database_url) == []
        with session_scope(database_url) as session:
            assert session.get(Recipient, "anna").stopped_at is None

        # A person clicks Acknowledge for Albania in the email, then confirms on the page.
        row = page.locator("tr", has_text="Albania").last
        row.get_by_role("link", name="Acknowledge").click()
        page.wait_for_load_state()
        assert "Albania" in page.inner_text("body")
        assert _acks(database_url) == []  # the confirmation page changed nothing
        page.click("#acknowledge")
        page.wait_for_load_state()
        assert "Acknowledged" in page.inner_text("body")
        assert _acks(database_url) == [("CCM:ALB:art7_annual:2025", "anna", None)]

    # The next stage (30 days before): Afghanistan only.
    smtp_server.messages.clear()
    run_reminders(as_of=dt.date(2026, 3, 31), settings=get_settings(), policy=ReminderPolicy(),
                  clock=lambda: NOW + dt.timedelta(days=29))
    [later] = smtp_server.messages
    text = later.get_body(preferencelist=("plain",)).get_content()
    assert EVIL in text and "Albania" not in text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_snooze_from_the_page_and_one_click_unsubscribe_stop_what_they_say(
    database_url, smtp_server, tmp_path, monkeypatch, browser
):
    port = free_port()
    message = _setup(database_url, smtp_server, tmp_path, monkeypatch, port)
    html = message.get_body(preferencelist=("html",)).get_content()
    snooze = next(link for link in _links(html) if "do=snooze" in link).replace("&amp;", "&")
    with Served(database_url, port):
        page = browser.new_page()
        page.goto(snooze)
        page.select_option("#days", "14")
        page.click("#snooze")
        page.wait_for_load_state()
        assert "Snoozed until" in page.inner_text("body")
        [(key, who, until)] = _acks(database_url)
        assert (key, who) == ("CCM:AFG:art7_annual:2025", "anna") and until is not None
        # RFC 8058: a POST to the List-Unsubscribe URL with the one-click body, no cookie.
        unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
        answer = httpx.post(unsubscribe, content=b"List-Unsubscribe=One-Click", timeout=10,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status_code == 200
    with session_scope(database_url) as session:
        assert session.get(Recipient, "anna").stopped_at is not None
    smtp_server.messages.clear()
    report = run_reminders(as_of=dt.date(2026, 3, 31), settings=get_settings(),
                           policy=ReminderPolicy(), clock=lambda: NOW + dt.timedelta(days=29))
    assert smtp_server.messages == [] and report.plan.new_rows == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_personal_page_fits_a_phone_shows_the_timeline_and_offers_the_feed(
    database_url, smtp_server, tmp_path, monkeypatch, browser
):
    port = free_port()
    message = _setup(database_url, smtp_server, tmp_path, monkeypatch, port)
    html = message.get_body(preferencelist=("html",)).get_content()
    mine = next(link for link in _links(html) if "/me/" in link)
    with Served(database_url, port):
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(mine)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        text = page.inner_text("body")
        assert "Albania" in text and EVIL in text
        assert page.locator("svg circle").count() == 2
        page.screenshot(path=str(tmp_path / "me.png"), full_page=True)
        with session_scope(database_url) as session:
            assert session.exec(select(Reminder)).all()  # nothing about the page wrote rows
        page.click("#make-feed")
        page.wait_for_load_state()
        webcal = page.get_by_role("link", name="Add to my calendar (webcal)").get_attribute("href")
        assert webcal.startswith(f"webcal://127.0.0.1:{port}/feeds/")
        feed = httpx.get("http://" + webcal.removeprefix("webcal://"), timeout=30)
        assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_feed_subscription_has_its_own_page_from_the_command_line(
    database_url, smtp_server, tmp_path, monkeypatch, browser
):
    from typer.testing import CliRunner

    from cli.app import app

    port = free_port()
    _setup(database_url, smtp_server, tmp_path, monkeypatch, port)
    runner = CliRunner()
    made = runner.invoke(app, ["subscribe", "Albania desk", "--state", "ALB"])
    assert made.exit_code == 0, made.output
    printed = runner.invoke(app, ["page", "--subscription", "Albania desk"])
    assert printed.exit_code == 0, printed.output
    url = printed.output.strip()
    assert url.startswith(f"http://127.0.0.1:{port}/feed-page/")
    with Served(database_url, port):
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(url)
        text = page.inner_text("body")
        assert "Albania" in text and EVIL not in text  # only what that feed follows
        assert page.locator("svg circle").count() == 1
        assert httpx.get(url.replace("/feed-page/", "/feed-page/x"), timeout=10).status_code == 404
