"""Action links in messages: signed, expiring, per recipient (and obligation).

Signed with itsdangerous (``URLSafeTimedSerializer``: HMAC over the JSON payload and a
timestamp, key derived per purpose by a salt). The key is ``CCM_LINK_SECRET``, or else a random
key made once and kept in the database (``tracker_setting.link_secret``), so links survive a
restart and differ between installations. A link older than ``CCM_LINK_MAX_AGE_DAYS`` or signed
with another key is refused (the page says so; nothing changes).

Purposes (each its own salt, so a token for one cannot be used for another):
- ``act``:  one outbox row (so one recipient, one obligation and its version; an id keeps the
            link short: a digest of 110 States must stay under Gmail's ~102 KB clipping):
            acknowledge or snooze (a confirmation on GET, the change only on POST);
- ``stop``: recipient: stop all their reminders (RFC 8058 one-click POST, or the page's button);
- ``page``: recipient: their personal page (read only);
- ``feedpage``: a feed subscription (its id): the same page for what that feed follows.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models.tables import TrackerSetting
from settings import Settings

SECRET_NAME = "link_secret"
PURPOSES = ("act", "stop", "page", "feedpage")


class LinkRefused(ValueError):
    """The token is expired, forged or for another purpose: a sentence a person can read."""


@dataclass(frozen=True)
class LinkTarget:
    purpose: str
    recipient: str | None = None  # ``stop`` and ``page``
    row_id: int | None = None  # the outbox row (``act``); the subscription (``feedpage``)


def link_secret(*, session: Session, settings: Settings) -> str:
    """The signing key: the setting, else the stored one (made and stored on first use)."""
    if settings.link_secret:
        return settings.link_secret
    row = session.get(TrackerSetting, SECRET_NAME)
    if row is not None:
        return row.value
    # Two processes may get here at once: the first insert wins, both read it back.
    table = TrackerSetting.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(table).on_conflict_do_nothing(index_elements=["name"]),
                    {"name": SECRET_NAME, "value": secrets.token_urlsafe(32)})
    session.commit()
    return str(session.execute(select(table.c.value).where(table.c.name == SECRET_NAME)).scalar_one())


class Links:
    """Makes and reads the tokens, and the full URLs under ``base_url``."""

    def __init__(self, secret: str, base_url: str, max_age: dt.timedelta) -> None:
        self._serializers = {p: URLSafeTimedSerializer(secret, salt=f"ccm-{p}") for p in PURPOSES}
        self.base_url = base_url.rstrip("/")
        self.max_age = max_age

    @classmethod
    def of(cls, *, session: Session, settings: Settings) -> Links:
        return cls(
            link_secret(session=session, settings=settings),
            settings.public_base_url or settings.feed_base_url,
            dt.timedelta(days=settings.link_max_age_days),
        )

    def token(self, target: LinkTarget) -> str:
        payload = target.row_id if target.purpose in ("act", "feedpage") else target.recipient
        return str(self._serializers[target.purpose].dumps(payload))

    def read(self, purpose: str, token: str) -> LinkTarget:
        """The target of a token, or ``LinkRefused`` (expired, forged, other purpose)."""
        try:
            payload = self._serializers[purpose].loads(
                token, max_age=int(self.max_age.total_seconds())
            )
        except SignatureExpired as error:
            raise LinkRefused("this link has expired; the latest reminder has fresh ones") from error
        except (BadSignature, KeyError) as error:
            raise LinkRefused("this link is not valid (mistyped, or from another system)") from error
        if purpose in ("act", "feedpage") and isinstance(payload, int):
            return LinkTarget(purpose, row_id=payload)
        if purpose in ("stop", "page") and isinstance(payload, str):
            return LinkTarget(purpose, recipient=payload)
        raise LinkRefused("this link is not valid")

    # The URLs a message carries.
    def act_url(self, row_id: int, action: str) -> str:
        return f"{self.base_url}/act/{self.token(LinkTarget('act', row_id=row_id))}?do={action}"

    def stop_url(self, recipient: str) -> str:
        return f"{self.base_url}/stop/{self.token(LinkTarget('stop', recipient))}"

    def page_url(self, recipient: str) -> str:
        return f"{self.base_url}/me/{self.token(LinkTarget('page', recipient))}"

    def feed_page_url(self, subscription_id: int) -> str:
        return f"{self.base_url}/feed-page/{self.token(LinkTarget('feedpage', row_id=subscription_id))}"
