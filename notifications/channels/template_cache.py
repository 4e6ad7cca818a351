"""Apprise's YAML config loader asks for a plugin's URL templates once per URL, and each
answer is a fresh deep copy of every template of that plugin (~0.4 ms for ``mailto://``).
A config of 1,000 recipients spent half its loading time copying the same templates.

This gives the loader (and only the loader: ``apprise.config.base``) one copy per plugin
class. The loader reads the templates and never changes them, with one exception worth
guarding: it may place a template's ``default`` in its own token dictionary and append to it
when that default is a list. No installed plugin has a list, dict or set default;
``tests/reminders/test_apprise_patches.py`` checks that for every plugin Apprise ships, so an
Apprise upgrade that adds one fails a test instead of corrupting the cache.

Installed once, by ``notifications.channels.apprise_channel``.
"""

from __future__ import annotations

import types
from typing import Any


class PluginsWithSharedTemplates(types.ModuleType):
    """Stands in for ``apprise.plugins`` inside ``apprise.config.base``: everything is the
    real module's, except that ``details(plugin)`` is computed once per plugin class."""

    def __init__(self, real: types.ModuleType) -> None:
        super().__init__(real.__name__, real.__doc__)
        self._real = real
        self._details: dict[type, dict[str, Any]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def details(self, plugin: type) -> dict[str, Any]:
        # Two threads may both compute a missing entry: they store equal dicts, either serves.
        if plugin not in self._details:
            self._details[plugin] = self._real.details(plugin)
        return self._details[plugin]


def install_shared_templates_for_apprise_config() -> None:
    from apprise.config import base

    if isinstance(base.plugins, PluginsWithSharedTemplates):
        return  # installed already
    base.plugins = PluginsWithSharedTemplates(base.plugins)  # type: ignore[assignment]
