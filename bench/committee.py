"""How long the Committee's rules take next to the treaty rules, on one registry-sized load.

Prints figures; asserts nothing. Run: .venv/bin/python bench/committee.py
Load: 112 States; each gets 2 invoices a year for 10 years, all unpaid (the worst case for
follow-ups: every step up to as_of is listed), 40 meetings, 200 dated action items.
"""

from __future__ import annotations

import datetime as dt
import time

from rules.action_items import ActionItemFacts, action_item_obligations
from rules.facts import RulePolicy, StateFacts
from rules.meetings import MeetingFacts, meeting_funds_obligations
from rules.money import InvoiceFacts, all_followups
from rules.obligations import all_obligations

AS_OF = dt.date(2026, 11, 26)
STATES = [f"S{n:02d}" for n in range(112)]


def best_of(runs: int, work) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    best, size = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(list(work()))
        best = min(best, time.perf_counter() - start)
    return best, size


def main() -> None:
    registry = [StateFacts(iso3=s, deposit_date=dt.date(2010, 1, 1)) for s in STATES]
    policy = RulePolicy(first_annual_period="eif_year", extension_request_lead_months=9,
                        assumed_meeting_months_before_deadline=12)
    invoices = [
        InvoiceFacts(number=f"{s}-{year}-{kind}", iso3=s, kind="isu_contribution",
                     amount_centimes=100_000, issued_on=dt.date(year, 1, 9))
        for s in STATES for year in range(2017, 2027) for kind in ("ISU", "UN")
    ]
    meetings = [MeetingFacts(slug=f"m{n}", title="m", kind="msp", precision="day",
                             start_date=dt.date(2010 + n // 3, 9, 1), end_date=dt.date(2010 + n // 3, 9, 3))
                for n in range(40)]
    items = [ActionItemFacts(slug=f"a{n}", title="a", owner_theme="transparency",
                             due=dt.date(2017, 1, 1) + dt.timedelta(days=n)) for n in range(200)]

    base, base_n = best_of(5, lambda: all_obligations(registry, AS_OF, policy, []))
    follow, follow_n = best_of(5, lambda: all_followups(invoices, AS_OF))
    funds, funds_n = best_of(5, lambda: meeting_funds_obligations(meetings))
    acts, acts_n = best_of(5, lambda: action_item_obligations(items))
    print(f"treaty rules (baseline): {base_n} obligations in {base * 1000:.1f} ms")
    print(f"invoice follow-ups:      {follow_n} obligations in {follow * 1000:.1f} ms "
          f"({follow / base:.2f}x baseline; {follow / follow_n * 1e6:.1f} us each)")
    print(f"meeting funds:           {funds_n} obligations in {funds * 1000:.2f} ms ({funds / base:.3f}x)")
    print(f"action items:            {acts_n} obligations in {acts * 1000:.2f} ms ({acts / base:.3f}x)")


if __name__ == "__main__":
    main()
