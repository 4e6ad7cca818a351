"""Art. 17: when a convention enters into force for a State (the CCM by default)."""

from __future__ import annotations

import datetime as dt

from rules.dates import add_months
from rules.treaties import CCM, Treaty

# Art. 17(1): the Convention entered into force on the first day of the sixth month after
# the month in which the thirtieth instrument was deposited. Burkina Faso deposited the 30th
# on 16 February 2010, so every State that deposited on or before that day is bound from
# 1 August 2010. (The treaty's parameters live in ``rules.treaties``; these names stay.)
THIRTIETH_INSTRUMENT = CCM.entry_into_force.cutoff_deposit
CONVENTION_IN_FORCE = CCM.entry_into_force.in_force
# Art. 15: the Convention was opened for signature in Oslo on 3 December 2008; no instrument
# can be deposited before it.
OPENED_FOR_SIGNATURE = CCM.entry_into_force.opened_for_signature


def entry_into_force(deposit: dt.date, treaty: Treaty = CCM) -> dt.date:
    """The day ``treaty`` binds a State that deposited its instrument on ``deposit``.

    Art. 17(1): every deposit on or before the triggering instrument's day binds from the
    treaty's own entry into force (CCM 2010-08-01; APMBC 1999-03-01). Art. 17(2): a later
    deposit binds from the first day of the sixth month after the month of deposit
    (CCM 2011-09-08 -> 2012-03-01; APMBC 2002-09-11 -> 2003-03-01). We start from the first
    of the deposit month so that adding months never meets an end-of-month clamp.
    """
    rule = treaty.entry_into_force
    if deposit <= rule.cutoff_deposit:
        return rule.in_force
    return add_months(deposit.replace(day=1), rule.months_after_deposit)
