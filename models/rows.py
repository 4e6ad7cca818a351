"""Updating a stored row from new values, saying what changed (for "unchanged" and audits)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def apply_changes(row: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """Set on ``row`` each value that differs from what it holds; return those values."""
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    for name, value in changed.items():
        setattr(row, name, value)
    return changed
