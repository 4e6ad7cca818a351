"""Pure treaty rules: facts in, obligations out. No I/O, no clock, no Prefect, no database.

Every function takes the dates it needs (``as_of`` instead of reading today's date), so the
results depend neither on when nor on which machine (or timezone) they run.
"""
