"""Channel kinds, one module each: ``apprise_channel`` (every URL in the Apprise config),
``outbox`` (the zero-config local folder, itself an Apprise plugin: ``ccmoutbox://``) and
``invite`` (iTIP invites over SMTP, an Apprise plugin: ``ccminvite://``)."""

from __future__ import annotations

from typing import Any


def accept_in_yaml_config(scheme: str) -> None:
    """Let a custom Apprise plugin's URL stand in an Apprise YAML config file.

    Apprise 2.0's ``@notify`` plugins parse their URL with ``simple=True``, which leaves out
    the ``user``/``password`` keys; its YAML loader then reads ``results["password"]`` and the
    whole file fails to load with ``KeyError: 'password'`` (every recipient's reminders with
    it). Filling the two keys in keeps the file loadable; text config files never needed it.
    """
    from apprise.manager_plugins import NotificationManager

    plugin = NotificationManager()[scheme]
    original = plugin.parse_url

    def parse_url(url: str) -> dict[str, Any] | None:
        results = original(url)
        if results is None:
            return None
        return {"user": None, "password": None, **results}

    plugin.parse_url = staticmethod(parse_url)
