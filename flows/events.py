"""Prefect events the tracker emits: `ccm.fact.recorded` when a fact is written, and
`ccm.obligation.<change>` when a scan changes an obligation.

Recording a fact must stay fast and must succeed without a Prefect server: events are only
emitted when PREFECT_API_URL names a server; otherwise the caller is told the event was not
delivered (the daily scan catches up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    reason: str = ""


def announce_fact(
    *, resource: str, what: str, payload: dict[str, Any] | None = None
) -> Delivery:
    """Emit `ccm.fact.recorded` for ``resource`` (e.g. ``ccm.state.AFG``).

    NOT YET IMPLEMENTED (issue 3 builds it): always reports "not delivered".
    """
    return Delivery(False, "events are not implemented yet")
