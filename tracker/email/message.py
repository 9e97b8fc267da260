"""Build a multipart email: plain text, HTML with inline images, and the list headers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from tracker.config import EmailConfig
from tracker.errors import ConfigError


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML shows as <img src="cid:{cid}">."""

    cid: str
    data: bytes
    subtype: str = "png"


def message_id(settings: EmailConfig) -> str:
    """A fresh <...@domain> Message-ID on the sender's domain."""
    return make_msgid(domain=_domain(settings.from_addr))


def build_message(
    settings: EmailConfig,
    *,
    subject: str,
    text: str,
    html: str,
    now: datetime,
    msgid: str | None = None,
    images: tuple[InlineImage, ...] = (),
    prefix: bool = True,
) -> EmailMessage:
    """multipart/alternative (text/plain, multipart/related (text/html, images)).

    Mail clients show the last alternative they can render, so HTML readers get the
    HTML and everyone else the plain text; the images travel with the HTML part.
    `prefix=False` leaves out [email] subject_prefix: the report's subject names its
    question itself ("<short name> follow-ups: ..."); alerts keep the prefix.
    """
    check_addresses(settings)
    message = EmailMessage()
    message["Subject"] = f"{settings.subject_prefix} {subject}".strip() if prefix else subject
    message["From"] = settings.from_addr
    message["To"] = ", ".join(settings.to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = msgid or message_id(settings)
    unsubscribe = unsubscribe_uri(settings)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    if unsubscribe.startswith("https:"):
        # RFC 8058 one-click unsubscribe, which Gmail and Yahoo expect from list mail.
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    # The HTML goes as ASCII (non-ASCII as character references), so it can travel as
    # 7bit, without quoted-printable's =3D for every '=' of its attributes (a third of
    # the size of a busy week's email).
    html = html.encode("ascii", "xmlcharrefreplace").decode("ascii")
    message.set_content(text, cte=_seven_bit_or_none(text))
    message.add_alternative(html, subtype="html", cte=_seven_bit_or_none(html))
    html_part = message.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    for image in images:
        html_part.add_related(image.data, "image", image.subtype, cid=f"<{image.cid}>")
    return message


def _seven_bit_or_none(body: str) -> str | None:
    """'7bit' where SMTP allows it (ASCII, lines within 998 octets); else None, and the
    email package picks quoted-printable or base64."""
    if body.isascii() and max((len(line) for line in body.splitlines()), default=0) <= 998:
        return "7bit"
    return None


def check_addresses(settings: EmailConfig) -> None:
    """A report needs a sender and at least one recipient; say which key is missing."""
    if not settings.from_addr:
        raise ConfigError("[email] from_addr is empty (or set $TRACKER_EMAIL_FROM)")
    if not settings.to:
        raise ConfigError("[email] to is empty (or set $TRACKER_EMAIL_TO, comma-separated)")
    for address in (settings.from_addr, *settings.to):
        if "@" not in parseaddr(address)[1]:
            raise ConfigError(f"[email]: {address!r} is not an email address")


def unsubscribe_uri(settings: EmailConfig) -> str:
    if settings.unsubscribe:
        return settings.unsubscribe
    return f"mailto:{parseaddr(settings.from_addr)[1]}?subject=unsubscribe"


def _domain(from_addr: str) -> str:
    address = parseaddr(from_addr)[1]
    try:
        return Address(addr_spec=address).domain or "tracker.invalid"
    except (ValueError, IndexError):
        return "tracker.invalid"
