"""A real SMTP server on loopback (aiosmtpd) that records what it accepted.

`MailServer(...)` starts aiosmtpd in a thread on a free 127.0.0.1 port; `refuse` makes it
answer DATA with a 5xx, so tests see what a refusing server does to a run.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from tracker.config import EmailConfig, SmtpConfig


def plain_text(message: EmailMessage) -> str:
    """The text/plain body of a message; fails the test when it has none."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, "the message has no text/plain part"
    text: str = body.get_content()
    return text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: str | None = None
    """e.g. "554 5.7.1 Message rejected": the answer to DATA instead of 250."""

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.refuse:
            return self.refuse
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), parsed, raw)
        )
        return "250 OK"


class MailServer:
    """aiosmtpd on 127.0.0.1; security "none", "starttls" or "ssl", optional login."""

    def __init__(
        self,
        security: str = "none",
        *,
        users: dict[str, str] | None = None,
    ) -> None:
        self.security = security
        self.handler = Handler()
        self.port = free_port()
        self.ca = trustme.CA()
        self.client_context = ssl.create_default_context()
        self.ca.configure_trust(self.client_context)
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1").configure_cert(server_context)
        kwargs: dict[str, Any] = {}
        if users is not None:
            kwargs["authenticator"] = self._authenticator(users)
            kwargs["auth_require_tls"] = security != "none"
        if security == "starttls":
            kwargs["tls_context"] = server_context
            kwargs["require_starttls"] = True
        elif security == "ssl":
            kwargs["ssl_context"] = server_context
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    @staticmethod
    def _authenticator(users: dict[str, str]) -> Any:
        def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
            ok = (
                isinstance(data, LoginPassword)
                and users.get(data.login.decode()) == data.password.decode()
            )
            return AuthResult(success=ok, handled=False)

        return check

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def settings(self, **email: Any) -> EmailConfig:
        smtp = {"host": "127.0.0.1", "port": self.port, "security": self.security, "timeout": 5.0}
        smtp.update(email.pop("smtp", {}))
        base: dict[str, Any] = {
            "from_addr": "Tracker <tracker@example.org>",
            "to": ("alice@example.org", "bob@example.net"),
        }
        base.update(email)
        return EmailConfig(**base, smtp=SmtpConfig(**smtp))

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
