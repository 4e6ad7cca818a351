"""One typed settings object for the whole tracker (env prefix ``CCM_``).

Rules never read it: callers pass the values they need into ``rules/`` functions.
Alembic's ``env.py``, the CLI, flows, notifications and calendars all read ``get_settings()``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CCM_", env_file=".env", extra="ignore")

    # Where the facts and obligations live. SQLite by default (WAL mode), PostgreSQL when shared:
    # postgresql+psycopg://user@host:5432/dbname
    database_url: str = "sqlite:///ccm-tracker.db"

    # Before this date, an obligation with no recorded fact is history, not news (see README,
    # "The first run"). None: the date stored by `ccm-tracker init` (1 January of the
    # year the registry was first initialised).
    tracking_since: dt.date | None = None

    # Art. 7(2): which calendar year the first annual report covers.
    #   eif_year         - the year of entry into force (the literal reading; the default)
    #   initial_due_year - the year in which the initial report falls due, so a State whose
    #                      initial report is due in the first months of a year is not asked
    #                      for an annual report on the months the initial report just covered
    first_annual_period: Literal["eif_year", "initial_due_year"] = "eif_year"

    # Art. 3(3)/4(5): an extension request is due this many months before the Meeting of
    # States Parties or Review Conference that must decide it.
    extension_request_lead_months: Annotated[int, Field(ge=0, le=60)] = 9
    # When the MSPs/RCs on record do not reach the deadline (none opens on or after it), the
    # deciding meeting is assumed to open this many months before the deadline, never before
    # the last one on record opening before it (the obligation says it is an estimate).
    assumed_meeting_months_before_deadline: Annotated[int, Field(ge=0, le=120)] = 12

    # Who the audit log names when a person does not say (`--actor` on the CLI).
    actor: str = "cli"

    # Prefect API: when unset, events are not emitted (recording stays fast; the daily scan
    # catches up). Read from PREFECT_API_URL by Prefect itself; this only mirrors it.
    emit_events: bool = True

    # Where `make run` and the zero-config notifier write things a new user can look at.
    outbox_dir: Path = Path("outbox")
    feeds_dir: Path = Path("feeds")

    # Calendars (issue 5): the feed server's public base URL (printed by `subscribe`), where
    # deadline descriptions tell States to send things, and the alarms of `--alarms` feeds.
    feed_base_url: str = "http://127.0.0.1:8000"
    calendar_isu_contact: str = (
        "the CCM Implementation Support Unit (ISU), Geneva (https://www.clusterconvention.org)"
    )
    calendar_report_recipient: str = (
        "the UN Secretary-General, through the UN Office for Disarmament Affairs (Art. 7 "
        "reporting), with a copy to the CCM Implementation Support Unit (ISU), Geneva"
    )
    calendar_info_url: str = "https://www.clusterconvention.org/"
    # A list: comma-separated (14,1) or JSON ([14, 1]); empty: none. See _listed.
    feed_alarm_days: Annotated[tuple[int, ...], NoDecode] = (14, 1)

    # Reminders (docs/reminders.md). The Apprise config file (YAML or text, with tags) holds
    # every Apprise URL; unset: all reminders go to the local outbox folder via ccmoutbox://.
    apprise_config: Path | None = None
    # The reminder policy file (TOML or YAML); unset: the built-in defaults.
    reminder_policy: Path | None = None
    # ORGANIZER of invites (`ccm-tracker invite`): "Name <address>". Unset: the sender of the
    # invitees' email URL in the Apprise config (its from=, with CCM_EMAIL_FROM_NAME), so
    # replies reach a real mailbox; with no email URL at all, a local placeholder.
    invite_organiser: str | None = None

    # Email as people see it (docs/reminders.md). The display name on the From line of every
    # digest (the address is the Apprise URL's ``from=``); ``name=`` in a URL wins.
    email_from_name: str = "CCM Implementation Support Unit"
    # Where action links point (acknowledge, snooze, stop, the personal page): the public base
    # URL of `ccm-tracker serve`. None: ``feed_base_url``.
    public_base_url: str | None = None
    # The key that signs action links (itsdangerous, HMAC-SHA1 over the payload and a
    # timestamp). None: a random key made once and kept in the database (tracker_setting).
    link_secret: str | None = None
    # How long an action link in a digest works, in days.
    link_max_age_days: Annotated[int, Field(ge=1, le=3650)] = 45
    # Tags that go to the local outbox folder when the Apprise config has no URL with them
    # (init's default recipient `isu`), so a first run works before any config exists.
    # A list: comma-separated (isu,ops) or JSON (["isu"]); empty: none. See _listed.
    local_outbox_tags: Annotated[tuple[str, ...], NoDecode] = ("isu",)
    # After this many consecutive timeouts from one mail (or web) host in a run, the rest of
    # that host's messages are deferred (retried later) instead of waiting for each timeout.
    host_timeout_breaker: Annotated[int, Field(ge=1)] = 2
    # Network timeout for one SMTP operation, in seconds.
    smtp_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 15.0
    # Operations (docs/flows.md): the Apprise URL `ccm-tracker ops install-automations` saves
    # in a Prefect notification block, told when a scheduled run fails or is late. Never in
    # the repository: set CCM_OPS_NOTIFY_URL where the command runs.
    ops_notify_url: str | None = None

    @field_validator("feed_alarm_days", "local_outbox_tags", mode="before")
    @classmethod
    def _listed(cls, value: object, info: ValidationInfo) -> object:
        """A list setting from the environment or .env: a JSON list (``["isu"]``, ``[14, 1]``)
        or the values separated by commas (``isu``, ``14,1``); empty is no values. Marked
        ``NoDecode`` so pydantic-settings hands the text here instead of requiring JSON (a
        bare ``isu`` was a SettingsError, exit 70)."""
        if not isinstance(value, str):
            return value
        days = info.field_name == "feed_alarm_days"
        expected = ("expects whole numbers of days, separated by commas (14,1) or as JSON ([14, 1])"
                    if days else 'expects tags separated by commas (isu,ops) or as JSON (["isu", "ops"])')
        text = value.strip()
        if text.startswith("["):
            import json

            try:
                listed = json.loads(text)
            except ValueError:
                raise ValueError(f"is not a JSON list; {expected}") from None
            if not isinstance(listed, list):
                raise ValueError(expected)
            parts = [str(item) for item in listed]
        else:
            parts = [part.strip() for part in text.split(",") if part.strip()]
        if days and not all(part.isdigit() for part in parts):
            raise ValueError(expected)
        return tuple(parts)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    """Tests change CCM_* variables; this makes the next get_settings() read them again."""
    get_settings.cache_clear()


# --- Prefect's API settings, read without importing Prefect --------------------------------
#
# Importing ``prefect.settings`` costs ~0.6 s (seconds under load); `ccm-tracker record` only
# needs to know whether an API is configured, and its URL and credentials when one is. This
# reads the three settings the way Prefect 3.9 resolves them (prefect/settings/base.py
# ``settings_customise_sources`` and sources.py), highest priority first:
#   1. the environment variable (PREFECT_API_URL, ...);
#   2. a ``.env`` file in the working directory;
#   3. ``prefect.toml`` in the working directory: [api] url / key / auth_string;
#   4. ``pyproject.toml`` in the working directory: [tool.prefect.api] url / key / auth_string;
#   5. the active profile of the profiles file: PREFECT_PROFILE, else the file's ``active``;
#      the file is PREFECT_PROFILES_PATH (environment, .env, prefect.toml ``profiles_path``,
#      pyproject [tool.prefect] ``profiles_path``), else $PREFECT_HOME/profiles.toml, else
#      ~/.prefect/profiles.toml; none of Prefect's bundled default profiles sets these keys.
#      Prefect ignores the profiles file in test mode (PREFECT_TEST_MODE and friends).
# tests/cli/test_lazy_imports.py checks that this agrees with Prefect's own resolution.

PREFECT_API_SETTINGS = {"PREFECT_API_URL": "url", "PREFECT_API_KEY": "key",
                        "PREFECT_API_AUTH_STRING": "auth_string"}
_PREFECT_TEST_MODE = ("PREFECT_TEST_MODE", "PREFECT_UNIT_TEST_MODE",
                      "PREFECT_TESTING_UNIT_TEST_MODE", "PREFECT_TESTING_TEST_MODE")


def prefect_setting(name: str) -> str | None:
    """The value Prefect would use for ``name`` (one of ``PREFECT_API_SETTINGS``), or None
    when it is unset or empty. Cheap: the environment and at most four small files."""
    import os
    import sys

    if os.environ.get(name):
        return os.environ[name]
    if "prefect.settings" in sys.modules:
        # Prefect is already loaded (a flow run, a test harness): ask it, so that settings it
        # holds in memory (``temporary_settings``, ``prefect --profile``) count too; free now.
        return _from_prefect(name)
    key = PREFECT_API_SETTINGS[name]
    candidates = (
        lambda: os.environ.get(name),
        lambda: _dotenv().get(name),
        lambda: _toml_get(Path("prefect.toml"), ("api", key)),
        lambda: _toml_get(Path("pyproject.toml"), ("tool", "prefect", "api", key)),
        lambda: _profile().get(name),
    )
    for candidate in candidates:
        value = candidate()
        if value is not None:
            return str(value) or None
    return None


def _from_prefect(name: str) -> str | None:
    import prefect.settings

    value = getattr(prefect.settings, name).value()
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return str(value) if value else None


def _dotenv() -> dict[str, str]:
    path = Path(".env")
    if not path.is_file():
        return {}
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip().removeprefix("export ").strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].strip()
        found[name.strip()] = value
    return found


def _toml(path: Path) -> dict[str, object]:
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        return {}


def _toml_get(path: Path, keys: tuple[str, ...]) -> object | None:
    node: object = _toml(path)
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _profiles_path() -> Path:
    import os

    given = (os.environ.get("PREFECT_PROFILES_PATH") or _dotenv().get("PREFECT_PROFILES_PATH")
             or _toml_get(Path("prefect.toml"), ("profiles_path",))
             or _toml_get(Path("pyproject.toml"), ("tool", "prefect", "profiles_path")))
    if given:
        return Path(str(given))
    home = os.environ.get("PREFECT_HOME")
    return Path(home) / "profiles.toml" if home else Path.home() / ".prefect" / "profiles.toml"


def _profile() -> dict[str, object]:
    import os

    if any(os.environ.get(flag) for flag in _PREFECT_TEST_MODE):
        return {}
    data = _toml(_profiles_path())
    active = os.environ.get("PREFECT_PROFILE") or data.get("active")
    profiles = data.get("profiles")
    if not isinstance(profiles, dict) or not isinstance(active, str):
        return {}
    chosen = profiles.get(active)
    return chosen if isinstance(chosen, dict) else {}
