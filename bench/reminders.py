"""Reminder benchmark (prints figures, asserts nothing).

1. Planning: 10,000 candidate reminders (1,000 obligations x 10 recipients who follow
   everything) -> outbox rows, through plan_reminders (load, plan, insert on conflict do
   nothing), on a fresh SQLite file. Figure: rows/s.
2. Dispatch: load an Apprise config of 1,000 mailto:// URLs, plan 1,000 reminders and dispatch
   them as 1,000 digests (one Apprise call each, claims in batches, one recorded outcome each)
   to aiosmtpd on loopback. Baseline in the same run: a bare loop of smtplib.send_message
   sending the same 1,000 messages (same subject and digest text, one text/plain part: the
   Apprise URLs say format=text so both sides send the same thing), once over one reused
   connection and once with a new connection per message. Figures: messages/s, the split of
   our time, and the ratios. A third figure sends Apprise's default format (HTML + text).

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
from notifications.dispatch import dispatch
from notifications.planning import plan_reminders
from notifications.policy import ReminderPolicy
from notifications.render import DigestItem, digest_body, digest_title

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


def sample_digest() -> tuple[str, str]:
    """The title and body of a one-item digest, as dispatch renders it."""
    item = DigestItem(key="CCM:S000:art7_annual:2025", state="S00", state_name=None,
                      kind="art7_annual", period="2025", due=dt.date(2026, 4, 30), stage="before:60d")
    return digest_title("r0000", [item], AS_OF), digest_body("r0000", [item], AS_OF)


def bare_loop(port: int, n: int, reuse: bool) -> float:
    title, body = sample_digest()
    started = time.perf_counter()
    client = smtplib.SMTP("127.0.0.1", port) if reuse else None
    for i in range(n):
        message = EmailMessage()
        message["From"] = "isu@example.org"
        message["To"] = f"r{i:04d}@example.org"
        message["Subject"] = title
        message.set_content(body)
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
        text = write_config(folder / "text.yaml", port, n, "format=text&")
        load, plan, send, sent = run_dispatch(folder, "dispatch.db", text, n)
        ours = load + plan + send
        channel = AppriseChannel(text, folder / "outbox")
        title, body = sample_digest()
        started = time.perf_counter()
        with channel.keep_connections():
            for j in range(n):
                channel.send(tag=f"r{j:04d}", recipient=f"r{j:04d}", title=title, body=body)
        apprise_only = time.perf_counter() - started
        reused = bare_loop(port, n, reuse=True)
        fresh = bare_loop(port, n, reuse=False)
        html = write_config(folder / "html.yaml", port, n, "")
        html_load, html_plan, html_send, _ = run_dispatch(folder, "html.db", html, n)
        print(f"dispatch: {sent} reminders -> 1,000 digests via Apprise in {ours:.2f} s "
              f"({sent / ours:,.0f} msg/s)")
        print(f"  of which: Apprise config load ({n} URLs) {load:.2f} s, planning {plan:.2f} s, "
              f"claim/send/record {send:.2f} s")
        print(f"  Apprise alone, same sends, pooled connections, no database: {apprise_only:.2f} s "
              f"-> our claim/record adds {(send - apprise_only) / n * 1000:.2f} ms/message")
        print(f"bare smtplib loop, one reused connection:      {reused:.2f} s ({n / reused:,.0f} msg/s)"
              f" -> ratio {ours / reused:.2f}x (claim/send/record alone {send / reused:.2f}x)")
        print(f"bare smtplib loop, new connection per message: {fresh:.2f} s ({n / fresh:,.0f} msg/s)"
              f" -> ratio {ours / fresh:.2f}x")
        print(f"Apprise's default email format (HTML + text parts): "
              f"{html_load + html_plan + html_send:.2f} s -> ratio {(html_load + html_plan + html_send) / reused:.2f}x"
              f" against the reused-connection loop")
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
