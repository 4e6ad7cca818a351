"""Feed subscriptions: a name, filters, and a secret token stored only as its SHA-256.

The token (``secrets.token_urlsafe(24)``: 192 random bits) is shown once, when the
subscription is made or rotated. Keyword-only data functions; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from sqlmodel import Field, Session, SQLModel, select

from errors import UserError
from models import revision
from models.audit import audit
from models.tables import State
from models.treaty_tables import TreatyParty
from rules.themes import KIND_THEMES, THEMES

TOKEN_BYTES = 24  # 192 bits (at least 128 asked)
MEETING_KIND = "meeting"
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")


class SubscriptionRejected(UserError, ValueError):
    """The request names something that does not exist; nothing was written."""


class Subscription(SQLModel, table=True):
    __tablename__ = "subscription"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    themes: str = ""  # comma-separated; empty = every theme
    states: str = ""  # ISO3, comma-separated; empty = every State
    kinds: str = ""  # obligation kinds and/or "meeting"; empty = every kind
    alarms: bool = False
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: dt.datetime
    rotated_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None

    @property
    def theme_list(self) -> tuple[str, ...]:
        return _split(self.themes)

    @property
    def state_list(self) -> tuple[str, ...]:
        return _split(self.states)

    @property
    def kind_list(self) -> tuple[str, ...]:
        return _split(self.kinds)


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_subscription(
    *,
    session: Session,
    name: str,
    themes: list[str] | None = None,
    states: list[str] | None = None,
    kinds: list[str] | None = None,
    alarms: bool = False,
    now: dt.datetime,
    actor: str = "cli",
) -> tuple[Subscription, str]:
    """A new subscription and its token (the only time the token exists in clear)."""
    name = name.strip()
    if not name:
        raise SubscriptionRejected("a subscription needs a name")
    if _active_named(session=session, name=name):
        raise SubscriptionRejected(
            f"an active subscription is already named {name!r} (rotate or revoke it)"
        )
    themes = _check(themes or [], THEMES, "theme")
    kinds = _check(kinds or [], (*KIND_THEMES, MEETING_KIND), "kind")
    states = [s.strip().upper() for s in states or []]
    # a State of any convention's registry: the CCM's, or another's (THA is the APMBC's only)
    known = {s.iso3 for s in session.exec(select(State).where(State.iso3.in_(states))).all()}  # type: ignore[attr-defined]
    known |= set(session.exec(select(TreatyParty.iso3).where(TreatyParty.iso3.in_(states))).all())  # type: ignore[attr-defined]
    unknown = [s for s in states if s not in known]
    if unknown:
        raise SubscriptionRejected(
            f"unknown State(s) {', '.join(unknown)}: use ISO3 codes from `ccm-tracker states`"
        )
    token = new_token()
    subscription = Subscription(
        name=name,
        themes=",".join(dict.fromkeys(themes)),
        states=",".join(dict.fromkeys(states)),
        kinds=",".join(dict.fromkeys(kinds)),
        alarms=alarms,
        token_hash=hash_token(token),
        created_at=now,
    )
    session.add(subscription)
    session.flush()
    revision.bump(session)  # the feed server keeps tokens per data revision
    audit(session=session, actor=actor, action="subscription.created", subject=name,
          detail={"id": subscription.id, "themes": themes, "states": states, "kinds": kinds,
                  "alarms": alarms}, at=now)
    return subscription, token


def _check(values: list[str], allowed: tuple[str, ...], what: str) -> list[str]:
    values = [v.strip().lower() for v in values]
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise SubscriptionRejected(
            f"unknown {what}(s) {', '.join(wrong)}; known: {', '.join(allowed)}"
        )
    return values


def _active_named(*, session: Session, name: str) -> list[Subscription]:
    return list(session.exec(
        select(Subscription).where(Subscription.name == name, Subscription.revoked_at.is_(None))  # type: ignore[union-attr]
    ).all())


def list_subscriptions(*, session: Session, include_revoked: bool = False) -> list[Subscription]:
    query = select(Subscription).order_by(Subscription.id)  # type: ignore[arg-type]
    if not include_revoked:
        query = query.where(Subscription.revoked_at.is_(None))  # type: ignore[union-attr]
    return list(session.exec(query).all())


def get_active(*, session: Session, ref: str) -> Subscription:
    """An active subscription by id or by exact name."""
    found = session.get(Subscription, int(ref)) if ref.isdigit() else None
    if found is None:
        named = _active_named(session=session, name=ref)
        found = named[0] if len(named) == 1 else None
    if found is None or found.revoked_at is not None:
        raise SubscriptionRejected(
            f"no active subscription {ref!r} (see `ccm-tracker subscriptions list`)"
        )
    return found


def revoke_subscription(
    *, session: Session, ref: str, now: dt.datetime, actor: str = "cli"
) -> Subscription:
    subscription = get_active(session=session, ref=ref)
    subscription.revoked_at = now
    session.add(subscription)
    revision.bump(session)  # the feed server keeps tokens per data revision
    audit(session=session, actor=actor, action="subscription.revoked",
          subject=subscription.name, detail={"id": subscription.id}, at=now)
    return subscription


def rotate_subscription(
    *, session: Session, ref: str, now: dt.datetime, actor: str = "cli"
) -> tuple[Subscription, str]:
    """A new token for the same feed; the old one answers 404 from now on."""
    subscription = get_active(session=session, ref=ref)
    token = new_token()
    subscription.token_hash = hash_token(token)
    subscription.rotated_at = now
    session.add(subscription)
    revision.bump(session)  # the feed server keeps tokens per data revision
    audit(session=session, actor=actor, action="subscription.rotated",
          subject=subscription.name, detail={"id": subscription.id}, at=now)
    return subscription, token


def find_by_token(*, session: Session, token: str) -> Subscription | None:
    """The active subscription owning ``token``; None for unknown, malformed or revoked.

    The lookup is by the token's hash (an attacker learns nothing from its timing: finding a
    hash's neighbours does not reveal a token), then the hashes are compared in constant time.
    """
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    wanted = hash_token(token)
    found = session.exec(select(Subscription).where(Subscription.token_hash == wanted)).first()
    if found is None or not hmac.compare_digest(found.token_hash, wanted):
        return None
    return None if found.revoked_at is not None else found
