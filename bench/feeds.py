"""The feed server under load, against a static file server serving the same bytes (a
benchmark: it prints figures and asserts nothing).

    .venv/bin/python bench/feeds.py [--seconds 3] [--rounds 3] [--clients 10]

In one run, on a scratch SQLite database made by ``ccm-tracker init`` (the bundled registry):

1. ``ccm-tracker serve`` (uvicorn, as users run it) and ``python -m http.server`` serving the
   feed's exact bytes from a folder (one is idle while the other is loaded);
2. ``--clients`` threads, each opening a new connection per request (as calendar clients
   polling hours apart do), for ``--seconds`` each: 200s without gzip (like for like with the
   static server), 304s (If-None-Match for ours; If-Modified-Since for the static server),
   and 200s with gzip; the loads interleaved over ``--rounds`` (this machine is shared: the
   load average is printed), medians shown;
3. a fact recorded with ``ccm-tracker record report`` while the server runs, then one
   request with the old ETag: is the change in the next response?

Also the render path alone (no HTTP): icalendar building the whole feed, our renderer cold
and warm, so a change in rendering shows apart from the server.
Targets (issue 13): ours' 200 throughput >= half the static server's; 304 p50 < 5 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# ccm-tracker from this checkout (PYTHONPATH wins over an editable install elsewhere)
CCM = [sys.executable, "-c", "from cli.app import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def load(port: int, path: str, headers: dict[str, str], clients: int, seconds: float,
         expect: int) -> dict[str, float]:
    """``clients`` threads requesting for ``seconds``: requests/s, p50 and p99 in ms."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    wrong = [0]
    stop = time.monotonic() + seconds

    def client(mine: list[float]) -> None:
        while time.monotonic() < stop:
            start = time.perf_counter()
            status, _, _ = get(port, path, headers)
            mine.append(time.perf_counter() - start)
            if status != expect:
                wrong[0] += 1

    threads = [threading.Thread(target=client, args=(mine,)) for mine in latencies]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = sorted(x for mine in latencies for x in mine)
    return {
        "rps": len(every) / elapsed,
        "p50": statistics.median(every) * 1000,
        "p99": every[min(len(every) - 1, int(len(every) * 0.99))] * 1000,
        "n": len(every),
        "wrong": wrong[0],
    }


def start(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def ccm(*args: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run([*CCM, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ccm-tracker {' '.join(args)}: {done.stdout}{done.stderr}")
    return done.stdout


def row(label: str, figures: dict[str, float], floor: dict[str, float] | None = None) -> str:
    ratio = f"  {figures['rps'] / floor['rps']:.2f}x the static server's" if floor else ""
    wrong = f"  ({figures['wrong']:.0f} wrong statuses!)" if figures["wrong"] else ""
    return (f"  {label:<40} {figures['rps']:6.0f} req/s  p50 {figures['p50']:5.1f} ms  "
            f"p99 {figures['p99']:6.1f} ms{ratio}{wrong}")


def render_path() -> None:
    """The renderer alone on synthetic events: icalendar whole vs ours cold and warm."""
    from calendars import render
    from calendars.model import DeadlineEvent
    from tests.calendars.factories import make_meeting

    now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    items = [
        DeadlineEvent(
            key=f"CCM:S{i % 120:03d}:art7_annual:{2011 + i // 120}", version=1 + i % 3,
            due=dt.date(2012 + i // 120, 4, 30), summary=f"S{i % 120:03d}: annual report",
            description="2019 annual transparency report (Art. 7(2)).",
            categories=("Art. 7", "transparency"), met=i % 2 == 0, state=f"S{i % 120:03d}",
            kind="art7_annual", themes=("transparency",),
        )
        for i in range(1_960)
    ]
    meetings = [make_meeting(slug=f"m{i}", start=(2020 + i // 8, 1 + i % 12, 10, 10, 0),
                             timezone=("Europe/Zurich", "America/Santiago")[i % 2])
                for i in range(40)]

    def timed(function, runs: int) -> float:
        samples = []
        for _ in range(runs):
            began = time.perf_counter()
            function()
            samples.append(time.perf_counter() - began)
        return statistics.median(samples) * 1000

    def whole() -> bytes:
        calendar = render.calendar_header("bench")
        for item in items:
            event = render.deadline_vevent(item)
            event.add("dtstamp", now)
            calendar.add_component(event)
        return calendar.to_ical()

    def ours() -> bytes:
        return render.render_feed(name="bench", deadlines=items, meetings=meetings, now=now)

    base = timed(whole, 3)
    cold = timed(lambda: (render.cache_clear(), ours()), 3)
    ours()
    warm = timed(ours, 20)
    print("render alone, 2,000 events (40 timed meetings in 2 zones), median:")
    print(f"  icalendar builds and serialises it whole   {base:7.1f} ms  (1.00x)")
    print(f"  ours, cold event cache                     {cold:7.1f} ms  ({cold / base:.2f}x)")
    print(f"  ours, warm event cache                     {warm:7.1f} ms  ({warm / base:.3f}x)")


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per load, per round")
    parser.add_argument("--rounds", type=int, default=3, help="loads interleaved, medians shown")
    parser.add_argument("--clients", type=int, default=10)
    options = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="ccm-bench-feeds-"))
    env = {**os.environ, "CCM_DATABASE_URL": f"sqlite:///{scratch}/ccm.db",
           "CCM_EMIT_EVENTS": "false", "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    env.pop("PREFECT_API_URL", None)
    ccm("init", env=env, cwd=scratch)
    token = re.search(r"/feeds/([A-Za-z0-9_-]+)\.ics", ccm("subscribe", "bench", env=env,
                                                          cwd=scratch))
    assert token is not None
    path = f"/feeds/{token[1]}.ics"
    static_dir = scratch / "static"
    static_dir.mkdir()
    load_before = os.getloadavg()[0]

    ours_port, static_port = free_port(), free_port()
    server = start([*CCM, "serve", "--port", str(ours_port)], env, scratch)
    static = None
    try:
        wait_for(ours_port, "/healthz")
        status, body, headers = get(ours_port, path, {"Accept-Encoding": "identity"})
        assert status == 200, status
        etag = headers["etag"]
        (static_dir / "feed.ics").write_bytes(body)
        static = start([sys.executable, "-m", "http.server", str(static_port), "--bind",
                        "127.0.0.1"], env, static_dir)
        wait_for(static_port, "/feed.ics")
        _, _, static_headers = get(static_port, "/feed.ics", {})
        _, zipped, _ = get(ours_port, path, {"Accept-Encoding": "gzip"})
        loads = {  # label -> (port, path, headers, expected status); idle servers cost nothing
            "static 200": (static_port, "/feed.ics", {}, 200),
            "ours 200": (ours_port, path, {"Accept-Encoding": "identity"}, 200),
            "ours 200 gzip": (ours_port, path, {"Accept-Encoding": "gzip"}, 200),
            "static 304": (static_port, "/feed.ics",
                           {"If-Modified-Since": static_headers["last-modified"]}, 304),
            "ours 304": (ours_port, path, {"If-None-Match": etag}, 304),
        }
        runs: dict[str, list[dict[str, float]]] = {label: [] for label in loads}
        single: dict[str, list[dict[str, float]]] = {"static 304": [], "ours 304": []}
        for _ in range(options.rounds):
            for label, (port, where, sent, expect) in loads.items():
                runs[label].append(load(port, where, sent, options.clients, options.seconds,
                                        expect))
            for label, found in single.items():  # one client: the latency without queueing
                port, where, sent, expect = loads[label]
                found.append(load(port, where, sent, 1, options.seconds / 2, expect))
        figures = {label: median_of(found) for label, found in runs.items()}
        alone = {label: median_of(found) for label, found in single.items()}

        # A fact recorded while the server runs: is it in the very next response?
        before = time.perf_counter()
        ccm("record", "report", "AFG", "--year", "2025", "--received", "2026-04-20",
            "--source", "bench", env=env, cwd=scratch)
        recorded = time.perf_counter() - before
        began = time.perf_counter()
        status, fresh, fresh_headers = get(ours_port, path, {"If-None-Match": etag,
                                                             "Accept-Encoding": "identity"})
        next_request = (time.perf_counter() - began) * 1000
    finally:
        stop(server)
        if static is not None:
            stop(static)
    load_after = os.getloadavg()[0]

    uid = b"UID:CCM:AFG:art7_annual:2025@ccm-tracker"
    unfolded = fresh.replace(b"\r\n ", b"")
    event = unfolded.split(uid)[0].rsplit(b"BEGIN:VEVENT", 1)[-1] if uid in unfolded else b""
    summary = re.search(rb"SUMMARY:([^\r\n]*)", event)
    shown = summary[1].decode() if summary else "(not found)"
    print(f"feed: {len(body):,} bytes ({len(zipped):,} gzipped), "
          f"{body.count(b'BEGIN:VEVENT'):,} events; {options.clients} clients, a new connection "
          f"per request; medians of {options.rounds} interleaved rounds of "
          f"{options.seconds:.0f} s; load average {load_before:.1f} before, "
          f"{load_after:.1f} after ({os.cpu_count()} CPUs)")
    print(row("static server (python -m http.server) 200", figures["static 200"]))
    print(row("ours 200 (no gzip)", figures["ours 200"], figures["static 200"]))
    print(row("ours 200 (gzip)", figures["ours 200 gzip"], figures["static 200"]))
    print(row("static server 304 (If-Modified-Since)", figures["static 304"]))
    print(row("ours 304 (If-None-Match)", figures["ours 304"], figures["static 304"]))
    print(row("static server 304, one client", alone["static 304"]))
    print(row("ours 304, one client", alone["ours 304"], alone["static 304"]))
    ratio = figures["ours 200"]["rps"] / figures["static 200"]["rps"]
    print(f"  targets: 200 >= 0.5x the static server ({ratio:.2f}x); 304 p50 < 5 ms "
          f"({figures['ours 304']['p50']:.1f} ms)")
    print(f"a fact recorded (ccm-tracker record report AFG --year 2025: {recorded:.2f} s), "
          f"then the next request with the old ETag: {status} in {next_request:.0f} ms, "
          f"ETag {'changed' if fresh_headers.get('etag') != etag else 'UNCHANGED'}; "
          f"the event now reads: {shown!r}")
    render_path()


if __name__ == "__main__":
    main()
