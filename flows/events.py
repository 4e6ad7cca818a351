"""Prefect events the tracker emits: `ccm.fact.recorded` when a fact is written, and
`ccm.obligation.<change>` when a scan changes an obligation.

Recording a fact must stay fast and must succeed without a Prefect server: events are only
emitted when PREFECT_API_URL names a server; otherwise the caller is told the event was not
delivered (the daily scan catches up). Importing Prefect costs ~0.6 s, so this module only
does it when it is about to send.

Event ids are deterministic (uuid5 over what the event says, its payload included), so the
same fact or the same change announced twice is recognised by the server as one event, and a
replay does not fire the rescan trigger again. What a fact event says includes its content:
``record`` names the value (``initial report received 2012-08-20``), ``import`` puts the
sha256 of each file's content in the payload, so a corrected file re-imported from the same
path is a new event. The payload also carries the data revision the write produced
(``models.revision``), which the writer read in its own transaction
(``models.refresh.written_revision``) and passes in, never read again after the commit
(another writer may have committed since): a fact set back to an earlier value (import A, import B, import A
again) is a new write and a new event, where content alone would repeat the first event's id
and the server would drop it as a replay (Prefect keeps event ids for deduplication).

Events go to the API's batch endpoint (``POST /events``), one request per batch, so the
caller learns whether the server accepted them (the websocket emitter only queues them).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.obligations import ObligationChange

FACT_RECORDED = "ccm.fact.recorded"
OBLIGATION_EVENT = "ccm.obligation.{change}"
STATE_RESOURCE_PREFIX = "ccm.state."
OBLIGATION_RESOURCE_PREFIX = "ccm.obligation."
# Fixed namespace for event ids: never change it, or replays stop being recognised.
EVENT_NAMESPACE = uuid.UUID("6d1b0c52-3c8e-5b7a-9a4e-2f0c0c6c6d31")
BATCH_SIZE = 500
SEND_TIMEOUT_SECONDS = 10.0
NO_API = "no Prefect API configured (the daily scan will catch up)"


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    reason: str = ""
    count: int = 0


def state_resource(iso3: str) -> str:
    return f"{STATE_RESOURCE_PREFIX}{iso3.upper()}"


def iso3_of(value: str) -> str:
    """``AFG``, ``afg`` or the resource id ``ccm.state.AFG`` -> ``AFG``; anything else raises."""
    code = value.strip()
    if code.lower().startswith(STATE_RESOURCE_PREFIX):
        code = code[len(STATE_RESOURCE_PREFIX):]
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValueError(
            f"{value!r} is neither an ISO3 code (AFG) nor a State resource id (ccm.state.AFG)"
        )
    return code.upper()


def event_id(*parts: object) -> uuid.UUID:
    """The same parts always give the same id (JSON with sorted keys, dates as ISO text)."""
    text = json.dumps(parts, sort_keys=True, default=_plain, separators=(",", ":"))
    return uuid.uuid5(EVENT_NAMESPACE, text)


def fact_event(
    *, resource: str, what: str, payload: dict[str, Any] | None, occurred: dt.datetime
) -> dict[str, Any]:
    """The `ccm.fact.recorded` event as the API takes it; the id hashes resource, what, payload."""
    body = dict(payload or {})
    body.setdefault("what", what)
    return _event(
        name=FACT_RECORDED,
        resource={"prefect.resource.id": resource, "prefect.resource.name": resource[-3:]},
        payload=body,
        occurred=occurred,
        ident=event_id(FACT_RECORDED, resource, what, payload or {}),
    )


def obligation_events(
    changes: Iterable[ObligationChange],
    *,
    occurred: dt.datetime,
    related: Sequence[dict[str, str]] = (),
) -> list[dict[str, Any]]:
    """One `ccm.obligation.<change>` event per change, id = uuid5(key, version, change)."""
    events = []
    for change in changes:
        state_related = (
            [{"prefect.resource.id": state_resource(change.state), "prefect.resource.role": "state"}]
            if change.state
            else []
        )
        events.append(
            _event(
                name=OBLIGATION_EVENT.format(change=change.change),
                resource={
                    "prefect.resource.id": f"{OBLIGATION_RESOURCE_PREFIX}{change.key}",
                    "prefect.resource.name": change.key,
                },
                related=[*state_related, *related],
                payload={
                    "key": change.key,
                    "state": change.state,
                    "kind": change.kind,
                    "due": change.due.isoformat(),
                    "previous_due": change.previous_due.isoformat() if change.previous_due else None,
                    "version": change.version,
                },
                occurred=occurred,
                ident=event_id(change.key, change.version, change.change),
            )
        )
    return events


def announce_changes(changes: Sequence[ObligationChange]) -> Delivery:
    """`ccm.obligation.<change>` events for what a writer's refresh changed
    (``models.refresh.changes``), to the configured API; none configured: not delivered.
    The scan announces what it changes itself; after a writer's refresh it finds nothing."""
    if not changes:
        return Delivery(True, "no changes", 0)
    if not _events_enabled():
        return Delivery(False, "events are switched off (CCM_EMIT_EVENTS=false)")
    api_url = configured_api_url()
    if not api_url:
        return Delivery(False, NO_API)
    headers = _auth_headers()
    events = obligation_events(changes, occurred=dt.datetime.now(dt.UTC))
    return _post_events(events, api_url=api_url, headers=headers)


def announce_fact(
    *, resource: str, what: str, payload: dict[str, Any] | None = None, revision: int | None = None
) -> Delivery:
    """Emit `ccm.fact.recorded` for ``resource`` (e.g. ``ccm.state.AFG``) to the configured API;
    ``revision``: the data revision the write produced (``models.refresh.written_revision``).

    Never raises for a missing or unreachable server: the Delivery says what happened.
    """
    return announce_facts([(resource, what, payload)], revision=revision)


def announce_facts(
    facts: Sequence[tuple[str, str, dict[str, Any] | None]], *, revision: int | None = None
) -> Delivery:
    """Several `ccm.fact.recorded` events in one request (the importer: one per State), each
    carrying ``revision``, the data revision the write produced (None: identified by content
    alone)."""
    if not facts:
        return Delivery(True, "nothing to announce", 0)
    if not _events_enabled():
        return Delivery(False, "events are switched off (CCM_EMIT_EVENTS=false)")
    api_url = configured_api_url()
    if not api_url:
        return Delivery(False, NO_API)
    headers = _auth_headers()  # read before the clock
    # `occurred` is taken right before the POST. Prefect's trigger service rolls a fired
    # State's bucket forward every few seconds and ignores an event that occurred before the
    # bucket's start as "late": an event stamped a second before it reached the server could
    # be dropped, and the State's rescan left to the daily scan.
    occurred = dt.datetime.now(dt.UTC)
    events = [
        fact_event(resource=resource, what=what, occurred=occurred,
                   payload=_with_revision(payload, revision))
        for resource, what, payload in facts
    ]
    return _post_events(events, api_url=api_url, headers=headers)


def _with_revision(payload: dict[str, Any] | None, revision: int | None) -> dict[str, Any]:
    """``payload`` with the data revision of the write it announces (a replay of an event
    already carries its own, and keeps it)."""
    body = dict(payload or {})
    if revision is not None:
        body.setdefault("revision", revision)
    return body


def _auth_headers() -> dict[str, str]:
    from settings import prefect_setting  # Prefect's resolution, without importing Prefect

    if key := prefect_setting("PREFECT_API_KEY"):
        return {"Authorization": f"Bearer {key}"}
    if auth := prefect_setting("PREFECT_API_AUTH_STRING"):
        token = base64.b64encode(auth.encode()).decode()
        return {"Authorization": f"Basic {token}"}
    return {}


def _post_events(events: Sequence[dict[str, Any]], *, api_url: str, headers: dict[str, str]) -> Delivery:
    """POST facts with a plain HTTP client (no Prefect client set-up between stamp and send)."""
    import httpx

    return _post_in_batches(
        lambda: httpx.Client(base_url=api_url.rstrip("/") + "/", headers=headers,
                             timeout=SEND_TIMEOUT_SECONDS),
        "events",
        events,
    )


def configured_api_url() -> str | None:
    """PREFECT_API_URL as Prefect resolves it (environment, .env, prefect.toml, pyproject,
    active profile), read without importing Prefect (see ``settings.prefect_setting``)."""
    from settings import prefect_setting

    return prefect_setting("PREFECT_API_URL")


def send_events(events: Sequence[dict[str, Any]]) -> Delivery:
    """POST ``events`` to the API of the current Prefect context (inside a flow run, the run's
    server; ephemeral when none is configured), in batches."""
    if not events:
        return Delivery(True, "no changes", 0)
    from prefect.client.orchestration import get_client

    return _post_in_batches(lambda: get_client(sync_client=True), "/events", events)


def _post_in_batches(
    open_client: Callable[[], Any], path: str, events: Sequence[dict[str, Any]]
) -> Delivery:
    """Send ``events`` through a client ``open_client`` makes (closed afterwards), in batches
    of ``BATCH_SIZE``, so the sender knows what the server took. Never raises: a record must
    not fail because events could not go out."""
    sent = 0
    try:
        with open_client() as client:
            for start in range(0, len(events), BATCH_SIZE):
                batch = list(events[start:start + BATCH_SIZE])
                client.request("POST", path, json=batch).raise_for_status()
                sent += len(batch)
    except Exception as error:  # noqa: BLE001 - an unreachable or refusing server must not fail a record
        return Delivery(False, f"Prefect API did not take the events: {_short(error)}", sent)
    return Delivery(True, "", sent)


def _event(
    *,
    name: str,
    resource: dict[str, str],
    payload: dict[str, Any],
    occurred: dt.datetime,
    ident: uuid.UUID,
    related: Sequence[dict[str, str]] = (),
) -> dict[str, Any]:
    return {
        "id": str(ident),
        "occurred": occurred.isoformat(),
        "event": name,
        "resource": resource,
        "related": list(related),
        "payload": payload,
    }


def _events_enabled() -> bool:
    from settings import get_settings

    return get_settings().emit_events


def _plain(value: object) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _short(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:200]
