"""Announce a recorded fact (flows.events) and say whether the event went out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cli.common import say
from flows.events import Delivery, announce_fact


def announce(
    resource: str, what: str, payload: dict[str, Any] | None = None, *, revision: int | None = None
) -> Delivery:
    """Emit `ccm.fact.recorded` for ``resource`` and say whether it went out (the fact is
    committed either way); ``revision``: the data revision the write produced."""
    delivery = announce_fact(resource=resource, what=what, payload=payload or {}, revision=revision)
    if delivery.delivered:
        say(f"event delivered: ccm.fact.recorded for {resource}")
    else:
        say(f"event not delivered: {delivery.reason}")
    return delivery


def announce_many(
    facts: Sequence[tuple[str, str, dict[str, Any]]], *, revision: int | None = None
) -> None:
    """Announce several facts (of one write, which produced ``revision``) and print one line:
    how many went out, and why not."""
    results = [announce_fact(resource=r, what=w, payload=p, revision=revision) for r, w, p in facts]
    sent = sum(1 for d in results if d.delivered)
    reasons = sorted({d.reason for d in results if not d.delivered})
    line = f"events: {sent} of {len(results)} sent"
    if reasons:
        line += f"; not sent: {'; '.join(reasons)} (the daily scan catches up)"
    say(line)
