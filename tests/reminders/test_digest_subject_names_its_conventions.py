"""A digest's subject names the conventions of its items, not "CCM" for APMBC deadlines."""

import datetime as dt

from notifications.digest import DigestItem, subject

DAY = dt.date(2026, 11, 29)


def item(key: str, due: dt.date) -> DigestItem:
    return DigestItem(key=key, version=1, row_id=1, state="AFG", state_name="Afghanistan",
                      kind="art7_annual", period="2025", due=due)


def test_the_digest_subject_names_the_conventions_of_its_items():
    ccm = item("CCM:AFG:art7_annual:2025", dt.date(2026, 4, 30))
    apmbc = item("APMBC:AFG:art7_annual:2025", dt.date(2026, 4, 30))
    soon = item("APMBC:AFG:art7_annual:2026", dt.date(2027, 4, 30))
    assert subject([ccm], DAY) == "CCM deadlines: 1 overdue (2026-11-29)"
    assert subject([apmbc, soon], DAY) == "APMBC deadlines: 1 overdue, 1 coming up (2026-11-29)"
    assert subject([ccm, apmbc], DAY) == "CCM and APMBC deadlines: 2 overdue (2026-11-29)"
