"""The feed flow: write the iCal feeds as files for static hosting, after each scan.

Thin: ``calendars.export.export_feeds`` does the work (and rewrites a file only when its
bytes change, so a static host's ETag stays put); this leaves a table artifact of the files.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from calendars.export import export_feeds
from clock import today_in_geneva
from flows.preflight import database_problem, failed, one_line
from models.db import session_scope
from settings import get_settings


def feeds_run_name() -> str:
    """``feeds 2026-11-30``: the Geneva day the files were written."""
    return f"feeds {today_in_geneva().isoformat()}"


@flow(name="export-feeds", flow_run_name=feeds_run_name, log_prints=False, retries=0)
def export_feed_files(directory: str | None = None) -> dict[str, int]:
    """Write every feed into ``directory`` (default: CCM_FEEDS_DIR); ends Failed with one
    sentence when the database cannot be used."""
    settings = get_settings()
    problem = database_problem(settings.database_url)
    if problem:
        return failed(f"no feeds were written: {problem}")
    folder = Path(directory) if directory else settings.feeds_dir
    try:
        with session_scope(settings.database_url) as session:
            done = export_feeds(session=session, settings=settings, directory=folder, subscriptions=True)
    except Exception as error:  # noqa: BLE001 - one traceback in the log, one line on the run
        get_run_logger().exception("writing the feeds failed")
        return failed(f"the feeds were not all written to {folder}: {one_line(error)}")
    create_table_artifact(
        key="feeds",
        table=[
            {"file": str(item.path), "events": item.events, "changed": item.changed}
            for item in done
        ],
        description=f"iCal feeds written to {folder}",
    )
    changed = sum(1 for item in done if item.changed)
    get_run_logger().info("%d feed(s) in %s, %d rewritten", len(done), folder, changed)
    return {"feeds": len(done), "changed": changed}
