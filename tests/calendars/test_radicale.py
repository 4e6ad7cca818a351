"""A real CalDAV server (Radicale on loopback) accepts each event by PUT and returns it by GET.

Radicale re-saves through vobject and refuses several UIDs in one resource, so each event
goes in its own resource with the VTIMEZONEs it needs; fields are compared after parsing.
"""

from __future__ import annotations

import datetime as dt

import httpx
import icalendar
import pytest

from calendars.render import render_feed
from tests.calendars.factories import NOW, make_deadline, make_meeting
from tests.calendars.parsing import by_icalendar, by_vobject

pytestmark = pytest.mark.integration


def one_resource_per_event(feed: bytes) -> dict[str, bytes]:
    calendar = icalendar.Calendar.from_ical(feed)
    zones = {str(tz["tzid"]): tz for tz in calendar.walk("VTIMEZONE")}
    resources = {}
    for event in calendar.walk("VEVENT"):
        single = icalendar.Calendar()
        for name in ("prodid", "version"):
            single.add(name, calendar[name])
        tzid = event["dtstart"].params.get("TZID")
        if tzid:
            single.add_component(zones[tzid])
        single.add_component(event)
        resources[str(event["uid"])] = single.to_ical()
    return resources


def test_radicale_accepts_every_feed_event_and_returns_the_same_fields(radicale):
    feed = render_feed(
        name="x",
        deadlines=[make_deadline(), make_deadline(key="CCM:BIH:art7_initial", met=True,
                                                  due=dt.date(2011, 1, 27))],
        meetings=[
            make_meeting(start=(2026, 3, 28, 10, 0)),  # winter time
            make_meeting(slug="summer", start=(2026, 7, 1, 10, 0)),  # summer time
            make_meeting(slug="bangkok", start=(2026, 7, 1, 10, 0), timezone="Asia/Bangkok"),
            make_meeting(slug="cancelled", start=(2026, 10, 26, 9, 0), cancelled=True, version=2),
            # zones whose rules changed, either side of a switch (the VTIMEZONE lists each one)
            make_meeting(slug="scl-winter", start=(2027, 6, 10, 10, 0), timezone="America/Santiago"),
            make_meeting(slug="scl-summer", start=(2027, 12, 1, 10, 0), timezone="America/Santiago"),
            make_meeting(slug="mow-2010-summer", start=(2010, 7, 1, 10, 0), timezone="Europe/Moscow"),
            make_meeting(slug="mow-2010-winter", start=(2010, 12, 1, 10, 0), timezone="Europe/Moscow"),
            make_meeting(slug="cai-summer", start=(2024, 7, 1, 10, 0), timezone="Africa/Cairo"),
            make_meeting(slug="cai-winter", start=(2024, 12, 1, 10, 0), timezone="Africa/Cairo"),
        ],
        now=NOW,
        alarm_days=(7,),
    )
    expected = by_icalendar(feed)
    collection = f"{radicale.url}/ccm/deadlines/"
    with httpx.Client(auth=radicale.auth, timeout=10) as client:
        assert client.request("MKCALENDAR", collection).status_code == 201
        for number, (uid, body) in enumerate(sorted(one_resource_per_event(feed).items())):
            href = f"{collection}event-{number}.ics"
            put = client.put(href, content=body, headers={"Content-Type": "text/calendar"})
            assert put.status_code == 201, (uid, put.text)
            got = client.get(href)
            assert got.status_code == 200
            assert got.headers["content-type"].startswith("text/calendar")
            assert by_icalendar(got.content) == {uid: expected[uid]}
            assert by_vobject(got.content) == {uid: expected[uid]}
    offsets = {uid.split(":")[-1].removesuffix("@ccm-tracker"): event["start"][1]
               for uid, event in expected.items()}
    assert (offsets["scl-winter"], offsets["scl-summer"]) == ("-1 day, 20:00:00", "-1 day, 21:00:00")
    assert (offsets["mow-2010-summer"], offsets["mow-2010-winter"]) == ("4:00:00", "3:00:00")
    assert (offsets["cai-summer"], offsets["cai-winter"]) == ("3:00:00", "2:00:00")


def test_radicale_keeps_one_uid_per_resource_so_a_whole_feed_is_refused(radicale):
    feed = render_feed(name="x", deadlines=[make_deadline(), make_deadline(key="CCM:LAO:x")], now=NOW)
    with httpx.Client(auth=radicale.auth, timeout=10) as client:
        client.request("MKCALENDAR", f"{radicale.url}/ccm/feed/")
        put = client.put(f"{radicale.url}/ccm/feed/all.ics", content=feed,
                         headers={"Content-Type": "text/calendar"})
    assert put.status_code == 400
