"""Recipients and what they follow (themes, States, kinds; an empty list means everything).

A recipient names an Apprise *tag*; the URLs behind the tag stay in the Apprise config file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from errors import UsageError, UserError
from models.reminders import Recipient
from rules.themes import KINDS, THEMES, follows, themes_of

EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
ISO3 = re.compile(r"^[A-Z]{3}$")


class RecipientError(UserError, ValueError):
    pass


class RecipientUsage(UsageError, RecipientError):
    """A name, tag or address not in the form the option takes (exit 2, a usage error)."""


@dataclass(frozen=True)
class Audience:
    """A recipient's filters, ready for matching (pure)."""

    name: str
    tag: str
    themes: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    stopped: bool = False  # the recipient stopped their reminders (one-click unsubscribe)

    def follows(self, kind: str, state: str | None, owner_theme: str | None = None) -> bool:
        return follows(
            themes=self.themes, states=self.states, kinds=self.kinds,
            kind=kind, state=state, obligation_themes=themes_of(kind, owner_theme),
        )

    @classmethod
    def of(cls, row: Recipient) -> Audience:
        return cls(row.name, row.tag, _set(row.themes), _set(row.states), _set(row.kinds),
                   row.stopped_at is not None)


def _set(text: str) -> frozenset[str]:
    return frozenset(part for part in text.split(",") if part)


def add_recipient(
    *,
    session: Session,
    name: str,
    tag: str,
    themes: Sequence[str] = (),
    states: Sequence[str] = (),
    kinds: Sequence[str] = (),
    email: str | None = None,
    now: dt.datetime,
) -> Recipient:
    """Validate everything first; a bad value raises ``RecipientError`` and nothing is added."""
    # fullmatch, not match with "$": "$" also matches before a trailing line break.
    if not NAME.fullmatch(name):
        raise RecipientUsage(f"NAME: {name!a} is not a name: use letters, digits, '.', '_' or '-' (max 64)")
    if not TAG.fullmatch(tag):
        raise RecipientUsage(f"--tag: {tag!r} is not a tag: use letters, digits, '.', '_' or '-' (max 64)")
    bad = [t for t in themes if t not in THEMES]
    if bad:
        raise RecipientError(f"--theme {', '.join(bad)}: unknown; known: {', '.join(THEMES)}")
    states = [s.upper() for s in states]
    bad = [s for s in states if not ISO3.fullmatch(s)]
    if bad:
        raise RecipientError(f"--state {', '.join(bad)}: not an ISO 3166 alpha-3 code")
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise RecipientError(f"--kind {', '.join(bad)}: unknown; known: {', '.join(KINDS)}")
    if email is not None and not EMAIL.fullmatch(email):
        raise RecipientUsage(f"--email: {email!a} is not an email address (name@domain)")
    if session.get(Recipient, name) is not None:
        raise RecipientError(f"recipient {name!r} exists already (remove it first to change it)")
    row = Recipient(
        name=name,
        tag=tag,
        email=email,
        themes=",".join(sorted(set(themes))),
        states=",".join(sorted(set(states))),
        kinds=",".join(sorted(set(kinds))),
        created_at=now,
    )
    session.add(row)
    return row


def list_recipients(*, session: Session) -> list[Recipient]:
    return list(session.exec(select(Recipient).order_by(Recipient.name)).all())


def remove_recipient(*, session: Session, name: str) -> None:
    """Remove a recipient. Its outbox history stays; pending rows fail at dispatch."""
    row = session.get(Recipient, name)
    if row is None:
        raise RecipientError(f"no recipient named {name!r}")
    session.delete(row)


def audiences(*, session: Session) -> list[Audience]:
    return [Audience.of(row) for row in list_recipients(session=session)]
