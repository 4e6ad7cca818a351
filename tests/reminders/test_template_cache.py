"""Apprise's config loader shares one copy of each plugin's URL templates
(notifications/channels/template_cache.py): same services, and safe only while no template
default is mutable, which is checked here for every plugin this Apprise ships."""

import apprise
from apprise import plugins
from apprise.config import base
from apprise.manager_plugins import NotificationManager

import notifications.channels.apprise_channel  # noqa: F401  (installs the shared templates)
from notifications.channels.template_cache import PluginsWithSharedTemplates

CONFIG = """\
version: 1
tag: isu
urls:
  - "mailto://127.0.0.1:2525?from=isu@example.org&to=a@example.org":
      - tag: alice
  - mailto://user:secret@mail.example.org:
      - to: b@example.org
        cc: c@example.org
        tag: bob, bob-invite
  - "json://127.0.0.1:8080/hook":
      - tag: carol
        +X-Token: abc
"""


def _services(text):
    config = apprise.AppriseConfig()
    config.add_config(text, format="yaml")
    loaded = apprise.Apprise()
    loaded.add(config)
    return sorted((service.url(privacy=False), sorted(map(str, service.tags))) for service in loaded)


def test_the_loader_uses_shared_templates():
    assert isinstance(base.plugins, PluginsWithSharedTemplates)


def test_a_config_loads_the_same_services_with_shared_templates_as_without(monkeypatch):
    shared = _services(CONFIG)
    monkeypatch.setattr(base, "plugins", base.plugins._real)
    assert _services(CONFIG) == shared
    assert len(shared) == 3


def test_no_apprise_plugin_has_a_mutable_template_default():
    manager = NotificationManager()
    manager.load_modules()
    defaults = [
        (schema, section, name, entry["default"])
        for schema in manager.schemas()
        for section, entries in plugins.details(manager[schema]).items()
        if isinstance(entries, dict)
        for name, entry in entries.items()
        if isinstance(entry, dict) and "default" in entry
    ]
    assert len(defaults) > 1000  # the walk reaches the templates
    assert [d for d in defaults if isinstance(d[3], (list, dict, set))] == []
