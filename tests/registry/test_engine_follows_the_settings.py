"""`get_engine()` without a URL answers for the database the settings name now, not for the
one they named when it was first called (an engine cached under None handed a later test,
or a long-lived process whose settings were reloaded, the previous database)."""

from models.db import get_engine
from settings import reset_settings_cache


def test_the_engine_without_a_url_follows_the_settings(tmp_path, monkeypatch):
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    monkeypatch.setenv("CCM_DATABASE_URL", first)
    reset_settings_cache()
    assert str(get_engine().url) == first
    monkeypatch.setenv("CCM_DATABASE_URL", second)
    reset_settings_cache()
    assert str(get_engine().url) == second
    assert get_engine() is get_engine(second)  # still one engine per URL
    reset_settings_cache()
