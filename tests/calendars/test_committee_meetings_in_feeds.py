"""The Committee's meetings (issue 6's table) appear in the exported feeds at the right time."""

import datetime as dt
import json

from icalendar import Calendar
from typer.testing import CliRunner

from cli.app import app

runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_demo_meetings_are_in_the_feed_at_geneva_wall_clock_time_and_whole_days(database_url, tmp_path):
    invoke("init", "--no-registry")
    invoke("demo", "load")
    invoke("feed", "export", str(tmp_path / "feeds"))
    calendar = Calendar.from_ical((tmp_path / "feeds" / "all.ics").read_bytes())
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}

    committee = events["CCM:MEETING:cc-2017-01-25@ccm-tracker"]
    start = committee.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (14, 0, "Europe/Zurich")
    assert start.utcoffset() == dt.timedelta(hours=1)  # CET in January
    assert committee.decoded("DTEND") - start == dt.timedelta(minutes=90)

    msp = next(e for uid, e in events.items() if "7msp" in uid)
    assert msp.decoded("DTSTART") == dt.date(2017, 9, 4)
    assert msp.decoded("DTEND") == dt.date(2017, 9, 7)  # exclusive: the 6th is the last day
    assert "Room XIX" in str(msp.get("LOCATION"))

    listed = json.loads(invoke("meetings", "list", "--recorded", "--format", "json").stdout)
    placeable = {f"{m['uid']}@ccm-tracker" for m in listed if m["precision"] in ("time", "day")}
    assert placeable and {uid for uid in events if uid.startswith("CCM:MEETING:")} == placeable
