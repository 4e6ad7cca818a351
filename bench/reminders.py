"""Reminder benchmark (prints figures, asserts nothing).

1. Planning: 10,000 candidate reminders (1,000 obligations x 10 recipients who follow
   everything) -> outbox rows, through plan_reminders (load, plan, insert on conflict do
   nothing), on a fresh SQLite file. Figure: rows/s.
2. Dispatch: load and check an Apprise config of 1,000 default-format mailto:// URLs (no
   format=, as users write them), plan 1,000 reminders and dispatch them as 1,000 digests
   (claims in batches; each digest rendered from the templates as HTML + text, sent over SMTP,
   its delivery and outcome recorded) to aiosmtpd on loopback. Baseline in the same run: a bare
   loop that renders the same digests and sends them with smtplib.send_message, once over one
   reused connection and once with a new connection per message. Figures: messages/s, the
   split of our time, and the ratios.

Run:  .venv/bin/python bench/reminders.py
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import socket
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller

from models.db import get_engine, migrate, session_scope
from models.reminders import Recipient
from models.tables import Obligation
from notifications.channels.apprise_channel import AppriseChannel
from notifications.digest import DigestItem, build_digest
from notifications.dispatch import dispatch
from notifications.links import Links
from notifications.message import email_message, render_digest
from notifications.planning import plan_reminders
from notifications.policy import ReminderPolicy
from rules.wording import Addresses

AS_OF = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC)
POLICY = ReminderPolicy()


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 ok"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_db(folder: Path, name: str) -> str:
    url = f"sqlite:///{folder / name}"
    migrate(url)
    return url


def seed(url: str, obligations: int, recipients: int) -> None:
    with session_scope(url) as session:
        for i in range(obligations):
            key = f"CCM:S{i:04d}:art7_annual:2025"
            session.add(Obligation(key=key, state=f"S{i % 1000:03d}"[:3], kind="art7_annual",
                                   period="2025", due=dt.date(2026, 4, 30),
                                   original_due=dt.date(2026, 4, 30), status="open", version=1))
        for j in range(recipients):
            session.add(Recipient(name=f"r{j:04d}", tag=f"r{j:04d}", created_at=NOW))


def bench_planning(folder: Path) -> None:
    url = fresh_db(folder, "plan.db")
    seed(url, obligations=1000, recipients=10)
    started = time.perf_counter()
    with session_scope(url) as session:
        result = plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW)
    elapsed = time.perf_counter() - started
    print(f"planning: {result.candidates} candidates -> {result.new_rows} rows in {elapsed:.3f} s "
          f"({result.new_rows / elapsed:,.0f} rows/s)")
    started = time.perf_counter()
    with session_scope(url) as session:
        again = plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW)
    print(f"planning again (all conflicts, nothing new: {again.new_rows}): "
          f"{time.perf_counter() - started:.3f} s")
    get_engine(url).dispose()


def sample_message(i: int) -> EmailMessage:
    """The MIME message dispatch sends for a one-item digest (same templates, same headers)."""
    links = Links("bench", "http://127.0.0.1:8000", dt.timedelta(days=45))
    item = DigestItem(key="CCM:S000:art7_annual:2025", version=1, row_id=i + 1, state="S00", state_name=None,
                      kind="art7_annual", period="2025", due=dt.date(2026, 4, 30))
    digest = build_digest(
        recipient=f"r{i:04d}", items=[item], as_of=AS_OF,
        addresses=Addresses("the UN Secretary-General", "the ISU"),
        act_url=lambda it, action: links.act_url(it.row_id, action),
        page_url=links.page_url(f"r{i:04d}"), stop_url=links.stop_url(f"r{i:04d}"),
    )
    return email_message(render_digest(digest), sender="isu@example.org",
                         sender_name="CCM Implementation Support Unit",
                         to=[f"r{i:04d}@example.org"], now=NOW)


def bare_loop(port: int, n: int, reuse: bool) -> float:
    """Render and send the same digests with smtplib alone (no database, no Apprise)."""
    started = time.perf_counter()
    client = smtplib.SMTP("127.0.0.1", port) if reuse else None
    for i in range(n):
        message = sample_message(i)
        if client is not None:
            client.send_message(message)
        else:
            with smtplib.SMTP("127.0.0.1", port) as once:
                once.send_message(message)
    if client is not None:
        client.quit()
    return time.perf_counter() - started


def write_config(path: Path, port: int, n: int, query: str) -> Path:
    lines = ["version: 1", "urls:"]
    for j in range(n):
        lines += [f'  - "mailto://127.0.0.1:{port}?{query}from=isu@example.org&to=r{j:04d}@example.org":',
                  f"      - tag: r{j:04d}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def run_dispatch(folder: Path, name: str, config: Path, n: int) -> tuple[float, float, float, int]:
    """Config load, planning, and claim/send/record times, and how many reminders were sent."""
    url = fresh_db(folder, name)
    seed(url, obligations=1, recipients=n)
    started = time.perf_counter()
    channel = AppriseChannel(config, folder / "outbox")
    loaded = time.perf_counter()
    with session_scope(url) as session:
        plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW)
    planned = time.perf_counter()
    result = dispatch(url=url, as_of=AS_OF, policy=POLICY, channel=channel)
    done = time.perf_counter()
    get_engine(url).dispose()
    return loaded - started, planned - loaded, done - planned, result.count("sent")


def bench_dispatch(folder: Path, n: int = 1000) -> None:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        # Default-format URLs (no format=): what a user writes; what arrives is our MIME.
        config = write_config(folder / "default.yaml", port, n, "")
        load, plan, send, sent = run_dispatch(folder, "dispatch.db", config, n)
        ours = load + plan + send
        reused = bare_loop(port, n, reuse=True)
        fresh = bare_loop(port, n, reuse=False)
        print(f"dispatch: {sent} reminders -> {n} digests (HTML + text parts) in {ours:.2f} s "
              f"({sent / ours:,.0f} msg/s)")
        print(f"  of which: Apprise config load and check ({n} URLs) {load:.2f} s, planning "
              f"{plan:.2f} s, claim/render/send/record {send:.2f} s")
        print(f"bare loop (render + smtplib), one reused connection:      {reused:.2f} s "
              f"({n / reused:,.0f} msg/s) -> ratio {ours / reused:.2f}x "
              f"(claim/render/send/record alone {send / reused:.2f}x)")
        print(f"bare loop (render + smtplib), new connection per message: {fresh:.2f} s "
              f"({n / fresh:,.0f} msg/s) -> ratio {ours / fresh:.2f}x")
        print(f"(server received {sink.count} messages in all)")
    finally:
        controller.stop()


def main() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench_planning(folder)
        bench_dispatch(folder)


if __name__ == "__main__":
    main()
