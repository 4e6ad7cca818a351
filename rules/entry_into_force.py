"""Art. 17: when the Convention enters into force for a State."""

from __future__ import annotations

import datetime as dt

import pendulum

# Art. 17(1): the Convention entered into force on the first day of the sixth month after
# the month in which the thirtieth instrument was deposited. Burkina Faso deposited the 30th
# on 16 February 2010, so every State that deposited on or before that day is bound from
# 1 August 2010.
THIRTIETH_INSTRUMENT = dt.date(2010, 2, 16)
CONVENTION_IN_FORCE = dt.date(2010, 8, 1)
# Art. 15: the Convention was opened for signature in Oslo on 3 December 2008; no instrument
# can be deposited before it.
OPENED_FOR_SIGNATURE = dt.date(2008, 12, 3)


def entry_into_force(deposit: dt.date) -> dt.date:
    """The day the Convention binds a State that deposited its instrument on ``deposit``.

    Art. 17(2): for a later deposit, the first day of the sixth month after the month of
    deposit (2011-09-08 -> 2012-03-01). We start from the first of the deposit month so that
    adding months never meets an end-of-month clamp (31 August + 6 months).
    """
    if deposit <= THIRTIETH_INSTRUMENT:
        return CONVENTION_IN_FORCE
    first_of_month = pendulum.date(deposit.year, deposit.month, 1)
    result = first_of_month.add(months=6)
    return dt.date(result.year, result.month, result.day)
