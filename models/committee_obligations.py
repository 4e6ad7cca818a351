"""The Committee's obligations (`meeting_funds`, `invoice_followup`, `action_item`), read
from its tables and computed by the pure rules; `compute_obligations` adds them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session

from models.coordination import action_item_facts, output_facts
from models.meetings import meeting_facts
from models.money import invoice_facts
from rules.action_items import action_item_obligations, output_obligations
from rules.meetings import deciding_meeting_dates, meeting_funds_obligations
from rules.money import all_followups
from rules.obligations import Obligation
from rules.treaties import CCM, treaty_of_key


def committee_obligations(
    *, session: Session, as_of: dt.date, states: Sequence[str] | None = None,
    treaties: Sequence[str] = (CCM.code,),
) -> list[Obligation]:
    """With ``states``, only the obligations of those States (none of the Committee's own).

    Only those under ``treaties`` (codes; the CCM by default): a meeting's funds and an
    invoice's follow-ups are under the meeting's or invoice's convention (their keys start
    with it); action items and outputs are the Committee's, under the CCM."""
    found = [
        *meeting_funds_obligations(meeting_facts(session=session), as_of),
        *all_followups(invoice_facts(session=session), as_of),
        *action_item_obligations(action_item_facts(session=session), as_of),
        *output_obligations(output_facts(session=session), as_of),
    ]
    codes = set(treaties)
    found = [o for o in found if treaty_of_key(o.key) in codes]
    if states:
        wanted = set(states)
        found = [o for o in found if o.state in wanted]
    return found


def deciding_meetings(*, session: Session, treaty: str = CCM.code) -> list[dt.date]:
    """Opening days of the MSPs and Review Conferences of ``treaty`` (a code; the CCM by
    default) on record (known to the day): an APMBC meeting never decides a CCM request."""
    return deciding_meeting_dates(m for m in meeting_facts(session=session) if m.treaty == treaty)
