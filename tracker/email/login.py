"""Log in to the configured SMTP server and leave without sending: `tracker doctor`'s check
that a report could be sent. The password, as for a send, comes only from the environment."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping

from tracker.config import EmailConfig
from tracker.email.smtp import connect
from tracker.errors import SmtpError


def check_login(
    settings: EmailConfig,
    *,
    env: Mapping[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float | None = None,
) -> None:
    """Connect, secure and log in as a send would, then QUIT; raise SmtpError saying why not."""
    env = os.environ if env is None else env
    smtp = settings.smtp
    where = f"{smtp.host}:{smtp.effective_port}"
    context = ssl_context or ssl.create_default_context()
    wait = timeout or smtp.timeout
    try:
        with connect(settings, env=env, context=context, timeout=wait) as client:
            client.noop()
    except smtplib.SMTPResponseException as exc:  # login refused, STARTTLS refused ...
        reply = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise SmtpError(f"SMTP {where} refused: {exc.smtp_code} {reply}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SmtpError(f"SMTP {where}: {exc} (check [email.smtp] security)") from None
    except smtplib.SMTPServerDisconnected as exc:
        raise SmtpError(f"SMTP {where}: the server closed the connection ({exc})") from None
    except ssl.SSLError as exc:
        raise SmtpError(f"SMTP {where}: TLS failed: {exc.reason or exc}") from None
    except smtplib.SMTPException as exc:
        raise SmtpError(f"SMTP {where}: {exc}") from None
    except OSError as exc:  # refused, unreachable, timed out, unknown host
        raise SmtpError(f"SMTP {where} unreachable: {exc.strerror or exc}") from None
