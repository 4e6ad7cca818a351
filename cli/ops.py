"""`ccm-tracker ops ...`: set up Prefect for the tracker (work pool, failure notifications,
the in-process runner). Each command is idempotent: run it again after a change.

- ``ops pool``: create the process work pool ``ccm-pool``, or update it, so that every run it
  starts gets this shell's ``CCM_*`` settings (the pool's job variables, ``env``).
- ``ops install-automations``: a Prefect notification block holding ``CCM_OPS_NOTIFY_URL``
  (any Apprise URL) and one automation per scheduled deployment (``daily-scan``,
  ``dispatch-reminders``, ``export-feeds``) that sends through it when a run fails, crashes or
  is late.
- ``ops runner``: run the quick deployments (rescans, ``record-fact``) in this process
  (flows/runner.py).

They need ``PREFECT_API_URL`` (a running Prefect server).
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from cli.common import console, fail

app = typer.Typer(help="Set up Prefect for the tracker: work pool, failure notifications, runner.",
                  no_args_is_help=True)

POOL = "ccm-pool"
BLOCK = "ccm-ops"  # the notification block's name (block type: Slack Webhook, see below)
WATCHED = ("daily-scan", "dispatch-reminders", "export-feeds")
BAD_ENDINGS = ("prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.Late")
SUBJECT = "ccm-tracker: {{ deployment.name }} run {{ flow_run.name }} is {{ flow_run.state.name }}"
BODY = (
    "The {{ deployment.name }} run \"{{ flow_run.name }}\" is {{ flow_run.state.name }}"
    " ({{ flow_run.state.timestamp }}).\n\n"
    "{{ flow_run.state.message or 'No message.' }}\n\n"
    "Run: {{ flow_run|ui_url }}\n"
)


def automation_name(deployment: str) -> str:
    return f"ccm: {deployment} failed or late"


def _api_or_fail() -> None:
    """These commands talk to Prefect anyway: ask Prefect where its API is."""
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise fail("no Prefect API configured: set PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)")


# Settings the runs do not need: the ops notification URL stays in its block only.
NOT_FOR_RUNS = frozenset({"CCM_OPS_NOTIFY_URL"})


def _ccm_environment() -> dict[str, str]:
    return {k: v for k, v in sorted(os.environ.items())
            if k.startswith("CCM_") and k not in NOT_FOR_RUNS}


@app.command("pool")
def pool(
    name: Annotated[str, typer.Option(help="The work pool's name (prefect.yaml uses ccm-pool).")] = POOL,
) -> None:
    """Create or update the process work pool whose runs get this shell's CCM_* settings.

    The variables are stored in the pool's base job template (``env``), on the Prefect server:
    a worker started anywhere then runs the flows with them, and `ops runner` reads them too.
    CCM_OPS_NOTIFY_URL is left out (it lives in its notification block). Run it again after
    changing a setting."""
    _api_or_fail()
    env = _ccm_environment()
    created = ensure_pool(name, env)
    console.print(f"work pool {name} {'created' if created else 'updated'}; its runs get "
                  f"{', '.join(env) or 'no CCM_* variables (the defaults)'}", highlight=False)
    if "CCM_DATABASE_URL" not in env:
        console.print("note: CCM_DATABASE_URL is not set: runs use sqlite:///ccm-tracker.db in "
                      "the checkout", highlight=False)


def ensure_pool(name: str, env: dict[str, str]) -> bool:
    """Create the process pool ``name`` or update its job template's ``env`` default; True
    when it was created. Other job variables the pool has are kept."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            existing = client.read_work_pool(name)
        except ObjectNotFound:
            existing = None
        template: dict[str, Any] = (
            existing.base_job_template if existing else ProcessWorker.get_default_base_job_template()
        )
        template["variables"]["properties"]["env"]["default"] = env
        if existing is None:
            client.create_work_pool(WorkPoolCreate(name=name, type="process",
                                                   base_job_template=template))
            return True
        client.update_work_pool(name, WorkPoolUpdate(base_job_template=template))
        return False


@app.command("install-automations")
def install_automations() -> None:
    """Notify the ISU's ops address when daily-scan, dispatch-reminders or export-feeds fails,
    crashes or is late.

    The address is CCM_OPS_NOTIFY_URL, any Apprise URL (mailto://..., json://..., a Slack or
    Teams webhook). It is saved on the Prefect server as a secret in the notification block
    `ccm-ops` (Prefect's "Slack Webhook" block type, which hands any non-Slack URL to Apprise),
    never in the repository. One automation per deployment, named `ccm: <deployment> failed or
    late`; running the command again updates them (and the URL) in place."""
    from settings import get_settings

    _api_or_fail()
    url = get_settings().ops_notify_url
    if not url:
        raise fail("set CCM_OPS_NOTIFY_URL to an Apprise URL (e.g. mailto://user:pass@mail."
                   "example.org?to=ops@example.org): nothing was installed")
    block_id = save_notification_block(url)
    for deployment, created in install(block_id):
        console.print(f"automation {automation_name(deployment)!r} "
                      f"{'created' if created else 'updated'}", highlight=False)
    console.print(f"notifications go through block {BLOCK!r} (the URL is stored there, as a secret)",
                  highlight=False)


def save_notification_block(url: str) -> Any:
    """Save (or overwrite) the ``ccm-ops`` notification block; its id."""
    from prefect.blocks.notifications import SlackWebhook

    block = SlackWebhook(url=url, notify_type="failure")
    return block.save(BLOCK, overwrite=True)


def install(block_id: Any) -> list[tuple[str, bool]]:
    """Create or update one automation per watched deployment; (deployment, created) pairs.

    The trigger matches flow-run events related to the deployment by name (so it works before
    and after a redeploy, which changes the deployment's id)."""
    from prefect.client.orchestration import get_client
    from prefect.events.actions import SendNotification
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

    done = []
    with get_client(sync_client=True) as client:
        for deployment in WATCHED:
            automation = AutomationCore(
                name=automation_name(deployment),
                description=(f"Sends the ops notification (block {BLOCK}) when a {deployment} "
                             "run fails, crashes or is late. Installed by `ccm-tracker ops "
                             "install-automations`."),
                enabled=True,
                trigger=EventTrigger(
                    match={"prefect.resource.id": "prefect.flow-run.*"},
                    match_related={"prefect.resource.role": "deployment",
                                   "prefect.resource.name": deployment},
                    expect=set(BAD_ENDINGS),
                    posture=Posture.Reactive,
                    threshold=1,
                    within=0,
                ),
                actions=[SendNotification(block_document_id=block_id, subject=SUBJECT, body=BODY)],
            )
            found = client.read_automations_by_name(automation.name)
            for extra in found[1:]:  # an earlier copy made by hand: keep one
                client.delete_automation(extra.id)
            if found:
                client.update_automation(found[0].id, automation)
            else:
                client.create_automation(automation)
            done.append((deployment, not found))
    return done


@app.command("runner")
def runner(
    slots: Annotated[int, typer.Option(help="Runs at once.", min=1, max=16)] = 4,
    poll: Annotated[float, typer.Option(help="Seconds between polls.", min=0.1, max=60)] = 0.5,
) -> None:
    """Run the quick deployments (state-rescan, committee-rescan, record-fact: the `quick`
    queue of ccm-pool) inside this process: a rescan is Completed ~1-3 s after the record
    instead of the 10+ s a process worker takes to start a run (docs/flows.md, "Latency").
    Stop it with Ctrl-C; the runs in progress finish first."""
    import logging

    from flows.runner import Runner

    _api_or_fail()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    Runner(slots=slots, poll_seconds=poll).run()
