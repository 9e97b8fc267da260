"""Hand one message to the configured SMTP server, or raise SmtpError saying why.

The password is read from $TRACKER_SMTP_PASSWORD at the moment of login and goes nowhere
else: not into the config, not into a log line, not into an error message.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage

from tracker.config import EmailConfig
from tracker.errors import SmtpError

log = logging.getLogger(__name__)

PASSWORD_ENV = "TRACKER_SMTP_PASSWORD"


def send(
    settings: EmailConfig,
    message: EmailMessage,
    *,
    env: Mapping[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Deliver `message` to every address in its To header; return once the server accepted it.

    A server that accepts the message for some recipients and refuses others has still
    taken it (it is on its way to someone), so that is a warning, not a failure: raising
    would make the next run send the same items again to those who already have them.
    """
    env = os.environ if env is None else env
    smtp = settings.smtp
    where = f"{smtp.host}:{smtp.effective_port}"
    context = ssl_context or ssl.create_default_context()
    try:
        client: smtplib.SMTP
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(
                smtp.host, smtp.effective_port, timeout=smtp.timeout, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.effective_port, timeout=smtp.timeout)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=context)
            if smtp.username:
                password = env.get(PASSWORD_ENV, "")
                if not password:
                    raise SmtpError(
                        f"SMTP {where}: username {smtp.username!r} is configured "
                        f"but ${PASSWORD_ENV} is not set"
                    )
                client.login(smtp.username, password)
            refused = client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise SmtpError(
            f"SMTP {where} refused every recipient: {_replies(exc.recipients)}"
        ) from None
    except smtplib.SMTPResponseException as exc:
        # Sender refused, data refused, authentication failed, STARTTLS refused ...
        reply = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise SmtpError(f"SMTP {where} refused the message: {exc.smtp_code} {reply}") from None
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
    if refused:
        log.warning("SMTP %s accepted the report but refused %s", where, _replies(refused))


def _replies(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address}: {code} {reply.decode('utf-8', 'replace')}"
        for address, (code, reply) in recipients.items()
    )
