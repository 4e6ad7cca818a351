"""The feed flow: write the iCal feeds as files for static hosting, after each scan.

Thin: ``calendars.export.export_feeds`` does the work (and rewrites a file only when its
bytes change, so a static host's ETag stays put); this leaves a table artifact of the files.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from calendars.export import export_feeds
from models.db import session_scope
from settings import get_settings


@flow(name="export-feeds", log_prints=False)
def export_feed_files(directory: str | None = None) -> dict[str, int]:
    settings = get_settings()
    folder = Path(directory) if directory else settings.feeds_dir
    with session_scope(settings.database_url) as session:
        done = export_feeds(session=session, settings=settings, directory=folder, subscriptions=True)
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
