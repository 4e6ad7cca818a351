"""Fixtures only the reminder tests need: settings pointing at an Apprise config."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from settings import Settings, get_settings, reset_settings_cache
from tests.reminders.factories import write_apprise_config


@pytest.fixture
def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Settings]]:
    """configure({"alice": url}) writes the Apprise config and returns fresh settings;
    configure(None) means zero-config (local outbox folder)."""

    def apply(urls: dict[str, str] | None) -> Settings:
        monkeypatch.setenv("CCM_OUTBOX_DIR", str(tmp_path / "outbox"))
        if urls is None:
            monkeypatch.delenv("CCM_APPRISE_CONFIG", raising=False)
        else:
            config = write_apprise_config(tmp_path / "apprise.yaml", urls)
            monkeypatch.setenv("CCM_APPRISE_CONFIG", str(config))
        reset_settings_cache()
        return get_settings()

    yield apply
    reset_settings_cache()
