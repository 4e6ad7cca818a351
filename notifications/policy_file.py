"""Read the reminder policy from a TOML or YAML file (path in ``CCM_REMINDER_POLICY``).

Every key is optional; what the file leaves out keeps its default (``ReminderPolicy()``).
A bad file raises ``PolicyFileError`` naming the file and the key; nothing is half-applied.
See docs/reminders.md for the format.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from errors import UserError
from notifications.policy import Lead, OverdueCadence, ReminderPolicy

SECTIONS = {"stages", "overdue", "calendar", "retry"}


class PolicyFileError(UserError, ValueError):
    pass


def load_policy(path: Path | None) -> ReminderPolicy:
    """The policy in ``path``, or the defaults when ``path`` is None."""
    if path is None:
        return ReminderPolicy()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyFileError(f"{path}: cannot read the reminder policy ({error.strerror})")
    try:
        if Path(path).suffix.lower() == ".toml":
            data = tomllib.loads(text)
        elif Path(path).suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(text) or {}
        else:
            raise PolicyFileError(f"{path}: a reminder policy file ends in .toml, .yaml or .yml")
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise PolicyFileError(f"{path}: not valid {Path(path).suffix[1:]}: {error}")
    return policy_from_mapping(data, source=str(path))


def policy_from_mapping(data: Any, source: str = "policy") -> ReminderPolicy:
    if not isinstance(data, dict):
        raise PolicyFileError(f"{source}: expected a table of sections {sorted(SECTIONS)}")
    unknown = set(data) - SECTIONS
    if unknown:
        raise PolicyFileError(f"{source}: unknown section(s) {sorted(unknown)}; known: {sorted(SECTIONS)}")
    policy = ReminderPolicy()
    stages = dict(policy.stages)
    default_stages = policy.default_stages
    for kind, texts in _section(data, "stages", source).items():
        parsed = _leads(texts, f"{source}: stages.{kind}")
        if kind == "default":
            default_stages = parsed
        else:
            stages[kind] = parsed
    overdue = _section(data, "overdue", source)
    _only(overdue, {"weekly", "monthly"}, f"{source}: overdue")
    cadence = OverdueCadence(
        weekly=_count(overdue.get("weekly", policy.overdue.weekly), f"{source}: overdue.weekly"),
        monthly=_count(overdue.get("monthly", policy.overdue.monthly), f"{source}: overdue.monthly"),
    )
    calendar = _section(data, "calendar", source)
    _only(calendar, {"country", "subdivision"}, f"{source}: calendar")
    retry = _section(data, "retry", source)
    _only(retry, {"backoff_minutes", "sending_lease_minutes"}, f"{source}: retry")
    backoff = retry.get("backoff_minutes", list(policy.retry_backoff_minutes))
    if not isinstance(backoff, list):
        raise PolicyFileError(f"{source}: retry.backoff_minutes must be a list of minutes")
    result = replace(
        policy,
        stages=stages,
        default_stages=default_stages,
        overdue=cadence,
        holiday_country=str(calendar.get("country", policy.holiday_country)),
        holiday_subdivision=calendar.get("subdivision", policy.holiday_subdivision),
        retry_backoff_minutes=tuple(_count(m, f"{source}: retry.backoff_minutes") for m in backoff),
        sending_lease_minutes=_count(
            retry.get("sending_lease_minutes", policy.sending_lease_minutes),
            f"{source}: retry.sending_lease_minutes",
        ),
    )
    _check_calendar(result, source)
    return result


def _section(data: dict[str, Any], name: str, source: str) -> dict[str, Any]:
    value = data.get(name) or {}
    if not isinstance(value, dict):
        raise PolicyFileError(f"{source}: [{name}] must be a table")
    return value


def _only(section: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(section) - allowed
    if unknown:
        raise PolicyFileError(f"{where}: unknown key(s) {sorted(unknown)}; known: {sorted(allowed)}")


def _leads(texts: Any, where: str) -> tuple[Lead, ...]:
    if not isinstance(texts, list):
        raise PolicyFileError(f"{where}: expected a list of lead times such as [\"60d\", \"6m\"]")
    try:
        return tuple(Lead.parse(t) for t in texts)
    except ValueError as error:
        raise PolicyFileError(f"{where}: {error}")


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PolicyFileError(f"{where}: {value!r} is not a whole number >= 0")
    return value


def _check_calendar(policy: ReminderPolicy, source: str) -> None:
    import holidays

    try:
        holidays.country_holidays(policy.holiday_country, subdiv=policy.holiday_subdivision)
    except NotImplementedError as error:
        raise PolicyFileError(f"{source}: calendar: {error}")
