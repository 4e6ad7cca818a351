"""The coordinators' own work: action items, measurable outputs, and overlapping targets.

An action item with a due date yields an `action_item` obligation owned by its theme; it
belongs to a State only when it targets exactly one. An output ("at least five States
Parties ... by 30 June 2017") is met on the day its target count of responses is reached.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from rules.obligations import Obligation, Status, obligation_key

ACTION_ITEM = "action_item"
ITEM_STATUSES = ("open", "done", "dropped")


@dataclass(frozen=True, slots=True)
class ActionItemFacts:
    slug: str
    title: str
    owner_theme: str
    due: dt.date | None
    status: str = "open"  # open | done | dropped
    closed_on: dt.date | None = None  # the day it was done or dropped
    targets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutputFacts:
    slug: str
    theme: str
    text: str
    target_count: int
    deadline: dt.date | None
    responses: tuple[dt.date, ...] = ()  # one day per State that responded


def item_state(targets: tuple[str, ...]) -> str | None:
    """The one State an item concerns, or None when it concerns none or several."""
    return targets[0] if len(targets) == 1 else None


def action_item_obligations(
    items: Iterable[ActionItemFacts], as_of: dt.date | None = None
) -> Iterator[Obligation]:
    """Dated items only (an item with no due date is listed by `action list`, not here).
    With ``as_of``, an item done or dropped after that day is still open on it.

    A dropped item is closed (``met``) with a note saying it was dropped, so reminders stop;
    it is never deleted.
    """
    for item in items:
        if item.due is None:
            continue
        closed = item.status in ("done", "dropped") and (
            as_of is None or item.closed_on is None or item.closed_on <= as_of
        )
        dropped = closed and item.status == "dropped"
        state = item_state(item.targets)
        yield Obligation(
            key=obligation_key(state, ACTION_ITEM, item.slug),
            state=state,
            kind=ACTION_ITEM,
            due=item.due,
            original_due=item.due,
            period=item.slug,
            met=closed,
            met_on=item.closed_on if closed else None,
            # a dropped item is closed, not late: nobody is reminded of it
            outcome=Status.MET if dropped else None,
            note=("dropped: " if dropped else "") + f"[{item.owner_theme}] {item.title}",
            theme=item.owner_theme,
        )


def progress_on(output: OutputFacts, as_of: dt.date) -> int:
    """How many States had responded by ``as_of``."""
    return sum(1 for day in output.responses if day <= as_of)


def reached_on(output: OutputFacts) -> dt.date | None:
    """The day the target count was reached (the n-th response), or None."""
    days = sorted(output.responses)
    if output.target_count <= 0 or len(days) < output.target_count:
        return None
    return days[output.target_count - 1]


def output_obligations(outputs: Iterable[OutputFacts], as_of: dt.date) -> Iterator[Obligation]:
    for output in outputs:
        if output.deadline is None:
            continue
        reached = reached_on(output)
        met = reached is not None and reached <= as_of
        yield Obligation(
            key=obligation_key(None, ACTION_ITEM, f"output-{output.slug}"),
            state=None,
            kind=ACTION_ITEM,
            due=output.deadline,
            original_due=output.deadline,
            period=f"output-{output.slug}",
            met=met,
            met_on=reached if met else None,
            note=(
                f"[{output.theme}] output: {output.text} "
                f"({progress_on(output, as_of)} of {output.target_count})"
            ),
            theme=output.theme,
        )


Pair = TypeVar("Pair", str, tuple[str, str])


def overlaps(targets: Iterable[tuple[Pair, str]]) -> dict[str, tuple[Pair, ...]]:
    """States targeted by more than one pair: ``{iso3: (pair, ...)}`` from (pair, iso3), a
    pair being a theme, or a (treaty, theme) tuple when targets carry their convention (a
    State targeted by universalization under the CCM and under the APMBC overlaps)."""
    themes: dict[str, set[Pair]] = defaultdict(set)
    for theme, iso3 in targets:
        themes[iso3].add(theme)
    return {iso3: tuple(sorted(t)) for iso3, t in sorted(themes.items()) if len(t) > 1}
