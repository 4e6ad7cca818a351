"""``feed export DIR``: the same feed bytes the server sends, as files for static hosting.

- ``all.ics`` and ``theme-<theme>.ics``: the default feeds (public treaty deadlines and
  meetings, no alarms), fine to host openly.
- ``subscriptions/<id>-<slug>.ics``: each active subscription's feed. Only token *hashes* are
  stored, so these cannot be named by token: host them behind your own access control, or
  serve subscriptions with ``ccm-tracker serve``.

A file is rewritten (atomically) only when its bytes change, so a static server's
Last-Modified and ETag stay put and clients get their 304s. An event that cannot be rendered
is left out of every file it belongs to and listed in ``Exported.skipped``; the command prints
it (``left_out``), and the rest is written.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from calendars.feeds import Selection, build_feed, default_selections, feed_revision
from calendars.render import Skipped
from calendars.sources import load_deadlines, load_meetings
from models.subscriptions import list_subscriptions
from settings import Settings


@dataclass(frozen=True, slots=True)
class Exported:
    path: Path
    events: int
    changed: bool
    skipped: tuple[Skipped, ...] = ()  # events left out because they could not be rendered


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "feed"


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def export_feeds(
    *, session: Session, settings: Settings, directory: Path, subscriptions: bool = True
) -> list[Exported]:
    jobs: list[tuple[Path, Selection]] = [
        (directory / f"{stem}.ics", selection) for stem, selection in default_selections()
    ]
    if subscriptions:
        jobs += [
            (directory / "subscriptions" / f"{s.id}-{slug(s.name)}.ics", Selection.of(s))
            for s in list_subscriptions(session=session)
        ]
    deadlines = load_deadlines(session=session, settings=settings)
    meetings = load_meetings(session=session)
    now = feed_revision(session=session)
    done = []
    for path, selection in jobs:
        rendered = build_feed(
            selection, deadlines=deadlines, meetings=meetings, now=now, settings=settings
        )
        changed = write_if_changed(path, rendered.data)
        done.append(Exported(path=path, events=rendered.events, changed=changed,
                             skipped=rendered.skipped))
    return done


def left_out(done: list[Exported]) -> list[Skipped]:
    """Each event some feed left out, once (the same meeting is skipped in every feed)."""
    return list({s.uid: s for item in done for s in item.skipped}.values())
