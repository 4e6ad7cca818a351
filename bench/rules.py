"""Benchmark: obligations computed per second, and persisting them vs a bare bulk INSERT.

    .venv/bin/python bench/rules.py [--scale 100]

Prints figures; asserts nothing. Targets (issue 2): >= 100,000 obligations/s computed;
persisting (sync_obligations, first run) within 2x of a bare bulk INSERT of the same rows.
Both treaties (issue 14): the CCM alone against the CCM and the APMBC, for the rules alone
(``all_obligations`` on facts in memory) and for what a scan does before it writes (read the
facts from the database and compute: ``models.obligations.compute_obligations``).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, insert
from sqlmodel import Session

from models.db import get_engine, migrate
from models.facts import load_state_facts
from models.importer import APMBC_FILES, BUNDLED_DIR, BUNDLED_FILES, import_csv
from models.obligations import compute_obligations, sync_obligations
from models.tables import Obligation as ObligationRow
from rules.facts import RulePolicy
from rules.obligations import all_obligations
from rules.treaties import APMBC, CCM
from settings import get_settings

AS_OF = dt.date(2026, 11, 26)
SINCE = dt.date(2026, 1, 1)


def best_of(repeat: int, func) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100, help="synthetic registry = real x SCALE")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ccm-bench-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    migrate(url)
    with Session(get_engine(url)) as session:
        for name in (*BUNDLED_FILES, *APMBC_FILES):
            import_csv(BUNDLED_DIR / name, session=session, actor="bench")
        # the importer refreshes the obligations it changes: start the persist figures empty
        session.execute(delete(ObligationRow))
        session.commit()
        real = load_state_facts(session=session)
        from models.treaty_facts import load_treaty_facts

        apmbc = load_treaty_facts(session=session, treaty=APMBC)
    synthetic = [
        dataclasses.replace(facts, iso3=f"{facts.iso3}{i:04d}")
        for i in range(args.scale)
        for facts in real
    ]
    policy = RulePolicy()

    print(f"as of {AS_OF}; python {sys.version.split()[0]}")
    for label, registry in (("real registry", real), (f"synthetic x{args.scale}", synthetic)):
        count = len(all_obligations(registry, AS_OF, policy))
        seconds = best_of(5 if len(registry) < 1000 else 3, lambda registry=registry: all_obligations(registry, AS_OF, policy))
        print(f"compute  {label:<16} {len(registry):>7} States {count:>8} obligations "
              f"{seconds * 1000:9.1f} ms  {count / seconds:>11,.0f} obligations/s")

    both_treaties(url, real, apmbc, policy)

    computed = all_obligations(real, AS_OF, policy)
    rows = [
        {
            "key": o.key, "state": o.state, "kind": o.kind, "period": o.period, "due": o.due,
            "original_due": o.original_due, "status": o.status(AS_OF, SINCE).value,
            "met_on": o.met_on, "version": 1, "note": o.note, "scanned_on": AS_OF,
        }
        for o in computed
    ]

    def bare_insert() -> None:
        with Session(get_engine(url)) as session:
            session.execute(insert(ObligationRow), rows)
            session.rollback()

    def sync_first() -> None:
        with Session(get_engine(url)) as session:
            sync_obligations(session=session, computed=computed, as_of=AS_OF, tracking_since=SINCE)
            session.rollback()

    bare = statistics.median(best_of(1, bare_insert) for _ in range(7))
    synced = statistics.median(best_of(1, sync_first) for _ in range(7))
    with Session(get_engine(url)) as session:
        sync_obligations(session=session, computed=computed, as_of=AS_OF, tracking_since=SINCE)
        session.commit()
    unchanged = statistics.median(best_of(1, sync_first) for _ in range(7))
    print(f"persist  {len(rows)} obligations (SQLite, median of 7):")
    print(f"  bare bulk INSERT            {bare * 1000:8.1f} ms")
    print(f"  sync_obligations, first run {synced * 1000:8.1f} ms   ratio {synced / bare:4.2f}x the bare insert")
    print(f"  sync_obligations, unchanged {unchanged * 1000:8.1f} ms   ratio {unchanged / bare:4.2f}x")


def both_treaties(url: str, ccm, apmbc, policy: RulePolicy) -> None:  # type: ignore[no-untyped-def]
    """The CCM alone against the CCM and the APMBC: the rules on facts in memory, then
    reading the facts and computing as the scan does (SQLite, best of 5)."""

    def rules_ccm() -> int:
        return len(all_obligations(ccm, AS_OF, policy))

    def rules_both() -> int:
        return rules_ccm() + len(all_obligations(apmbc, AS_OF, policy, (), APMBC))

    def scan(treaties):  # type: ignore[no-untyped-def]
        def run() -> int:
            with Session(get_engine(url)) as session:
                return len(compute_obligations(session=session, as_of=AS_OF, settings=get_settings(),
                                               treaties=treaties))
        return run

    print(f"both treaties (CCM {len(ccm)} States, APMBC {len(apmbc)} participants), best of 5:")
    for label, alone, both in (("rules only", rules_ccm, rules_both),
                               ("read + compute (scan)", scan((CCM,)), scan((CCM, APMBC)))):
        first, second = best_of(5, alone), best_of(5, both)
        print(f"  {label:<22} CCM alone {alone():>5} obligations {first * 1000:8.1f} ms | "
              f"CCM + APMBC {both():>5} obligations {second * 1000:8.1f} ms | ratio {second / first:4.2f}x")


if __name__ == "__main__":
    main()
