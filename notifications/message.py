"""A digest as an email: Jinja2 templates -> ``multipart/alternative`` (text, then HTML).

The HTML part is autoescaped (a State name with markup arrives as text), laid out for Outlook's
Word engine (a 600 px presentation table, inline styles, buttons as padded ``bgcolor`` cells);
the text part is written from its own template, one item per line, links in full.

Headers (RFC 3834, RFC 8058, Exchange): ``Auto-Submitted: auto-generated``,
``X-Auto-Response-Suppress: OOF, AutoReply`` (not ``All``: that would also stop bounces),
``List-Unsubscribe: <one-click URL>`` and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``.
Mailbox providers offer the one-click button only when a DKIM signature covers both headers:
that is the sending MTA's job (docs/reminders.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from pathlib import Path

import jinja2

from notifications.digest import Digest

TEMPLATES = Path(__file__).parent / "templates"
MAX_7BIT_LINE = 900  # SMTP allows 998 characters a line


@lru_cache(maxsize=1)
def _environment() -> tuple[jinja2.Environment, jinja2.Environment]:
    loader = jinja2.FileSystemLoader(str(TEMPLATES))
    html = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                              undefined=jinja2.StrictUndefined)
    text = jinja2.Environment(loader=loader, autoescape=False, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True,
                              undefined=jinja2.StrictUndefined)
    return html, text


@dataclass(frozen=True)
class Rendered:
    """A message's words in both forms, and the headers it asks for."""

    subject: str
    text: str
    html: str
    unsubscribe_url: str | None = None


def render_digest(digest: Digest) -> Rendered:
    html, text = _environment()
    return Rendered(
        subject=digest.subject,
        text=text.get_template("digest.txt.j2").render(d=digest),
        html=html.get_template("digest.html.j2").render(d=digest),
        unsubscribe_url=digest.stop_url,
    )


def email_message(
    rendered: Rendered,
    *,
    sender: str,
    sender_name: str,
    to: list[str],
    now: dt.datetime,
    to_names: dict[str, str] | None = None,
) -> EmailMessage:
    """The MIME message: ``multipart/alternative`` (text/plain, then text/html), UTF-8.

    ``sender``/``to``: addresses (already validated by the config check); ``sender_name`` the
    display name on From. Raises ``ValueError`` for a header that cannot be written (e.g. a
    line break in an address): that is permanent, not worth a retry.
    """
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = Address(display_name=sender_name, addr_spec=sender)
    names = to_names or {}
    message["To"] = [Address(display_name=names.get(a, ""), addr_spec=a) for a in to]
    message["Date"] = format_datetime(now.astimezone(dt.UTC))
    domain = sender.rpartition("@")[2] or "ccm-tracker"
    message["Message-ID"] = make_msgid(
        idstring=hashlib.sha256(rendered.text.encode()).hexdigest()[:12], domain=domain
    )
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    if rendered.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{rendered.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    # The HTML as ASCII (other characters as &#...; references) sent 7bit when every line is
    # short: quoted-printable would turn each "=" of the markup into "=3D" (~10% more bytes, and
    # Gmail clips a message past ~102 KB).
    html = rendered.html.encode("ascii", "xmlcharrefreplace").decode("ascii")
    short = max((len(line) for line in html.splitlines()), default=0) <= MAX_7BIT_LINE
    message.add_alternative(html, subtype="html", charset="utf-8",
                            cte="7bit" if short else "quoted-printable")
    return message
