"""The personal page's timeline: an SVG of the next months, one dot per deadline. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from markupsafe import escape

WIDTH, ROW, LEFT = 640, 14, 95


class Dated(Protocol):
    who: str
    what: str
    due_date: dt.date
    due: str
    late: bool


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + year, month + 1, 1)


def timeline_svg(items: Sequence[Dated], today: dt.date, months: int = 24) -> str:
    """``<svg>``: a column for what is overdue, then ``months`` from ``today``; each deadline a
    dot (red when late) with its State, what and date as a tooltip, dots of one month stacked."""
    end = _add_months(today, months)
    span = (end - today).days or 1

    def x(day: dt.date) -> float:
        return LEFT + (WIDTH - LEFT - 10) * (day - today).days / span

    stacks: dict[int, int] = {}
    dots = []
    for item in items:
        if item.due_date > end:
            continue
        column = 30 if item.late else round(x(item.due_date))
        level = stacks.get(column // 8, 0)
        stacks[column // 8] = level + 1
        colour = "#b91c1c" if item.late else "#1d4ed8"
        label = escape(f"{item.who}: {item.what}, due {item.due}")
        dots.append(f'<circle cx="{column}" cy="{40 + level * ROW}" r="5" fill="{colour}">'
                    f"<title>{label}</title></circle>")
    height = 60 + max(stacks.values(), default=1) * ROW
    ticks = []
    for step in range(0, months + 1, 3):
        day = _add_months(today, step) if step else today
        tx = round(x(day))
        ticks.append(f'<line x1="{tx}" y1="24" x2="{tx}" y2="{height - 10}" stroke="#e5e7eb"/>'
                     f'<text x="{tx}" y="16" font-size="11" text-anchor="middle" fill="#4b5563">'
                     f"{day:%b %Y}</text>")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Deadlines over the next {months} months">'
        f'<text x="30" y="16" font-size="11" text-anchor="middle" fill="#b91c1c">overdue</text>'
        + "".join(ticks) + "".join(dots) + "</svg>"
    )
