"""Fixtures only calendars need: a real Radicale CalDAV server, and parsing helpers."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import free_port


@dataclass
class Radicale:
    url: str
    auth: tuple[str, str] = ("ccm", "unused")


@pytest.fixture
def radicale(tmp_path) -> Iterator[Radicale]:
    """Radicale on a free loopback port, filesystem storage in tmp, no auth; stopped after."""
    port = free_port()
    config = tmp_path / "radicale.conf"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n[auth]\ntype = none\n"
        f"[storage]\nfilesystem_folder = {tmp_path / 'collections'}\n[logging]\nlevel = warning\n"
    )
    with open(tmp_path / "radicale.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)], stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/.web/", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "radicale.log").read_text())
                time.sleep(0.1)
        yield Radicale(url=url)
    finally:
        process.terminate()
        process.wait(timeout=10)
