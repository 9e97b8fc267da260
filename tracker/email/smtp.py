"""Hand one message to the configured SMTP server, or raise SmtpError saying why.

The password is read from $TRACKER_SMTP_PASSWORD at the moment of login and goes nowhere
else: not into the config, not into a log line, not into an error message.
"""

from __future__ import annotations

import copy as copy_module
import io
import logging
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses

from tracker.config import EmailConfig
from tracker.errors import SmtpError

log = logging.getLogger(__name__)

PASSWORD_ENV = "TRACKER_SMTP_PASSWORD"


STAGES = ("connecting", "securing", "logging in", "addressing", "uploading", "handing over")
"""Where a delivery got to. Only from 'handing over' (written just before the final '.' that
asks the server to take the message) can the message have been delivered: a run killed at
any earlier stage is sent again; one killed while handing over is settled as unknown."""


class Undecided(SmtpError):
    """The final '.' went out but no answer came back (a timeout, a dropped connection):
    the server may have taken the message, so it must not be sent again."""


def send(
    settings: EmailConfig,
    message: EmailMessage,
    *,
    env: Mapping[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> None:
    """Deliver `message` to every address in its To header; return once the server accepted it.

    `on_stage` is called with each stage of STAGES as it starts (the caller records it, so
    a later run knows whether the message can have gone). Once the server has accepted the
    message nothing can undo that: errors after it (a QUIT answered with 500, a dropped
    connection) are logged, not raised. No answer to the final '.' raises Undecided.

    A server that accepts the message for some recipients and refuses others has still
    taken it (it is on its way to someone), so that is a warning, not a failure: raising
    would make the next run send the same items again to those who already have them.
    """
    env = os.environ if env is None else env
    smtp = settings.smtp
    where = f"{smtp.host}:{smtp.effective_port}"
    context = ssl_context or ssl.create_default_context()
    stage = on_stage or (lambda _stage: None)
    if smtp.username and smtp.security == "none":
        log.warning(
            "SMTP %s: logging in as %r over a connection with security = none: the password "
            "crosses the network in clear (set [email.smtp] security to starttls or ssl)",
            where,
            smtp.username,
        )
    client: smtplib.SMTP | None = None
    try:
        stage("connecting")
        client = connect(settings, env=env, context=context, timeout=smtp.timeout, on_stage=stage)
        refused = transfer(client, message, stage, where)
    except SmtpError:
        _close(client)
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        _close(client)
        raise SmtpError(
            f"SMTP {where} refused every recipient: {_replies(exc.recipients)}"
        ) from None
    except smtplib.SMTPResponseException as exc:
        # Sender refused, data refused, authentication failed, STARTTLS refused ...
        _close(client)
        reply = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise SmtpError(f"SMTP {where} refused the message: {exc.smtp_code} {reply}") from None
    except smtplib.SMTPNotSupportedError as exc:
        _close(client)
        raise SmtpError(f"SMTP {where}: {exc} (check [email.smtp] security)") from None
    except smtplib.SMTPServerDisconnected as exc:
        _close(client)
        raise SmtpError(f"SMTP {where}: the server closed the connection ({exc})") from None
    except ssl.SSLError as exc:
        _close(client)
        raise SmtpError(f"SMTP {where}: TLS failed: {exc.reason or exc}") from None
    except smtplib.SMTPException as exc:
        _close(client)
        raise SmtpError(f"SMTP {where}: {exc}") from None
    except OSError as exc:  # refused, unreachable, timed out, unknown host
        _close(client)
        raise SmtpError(f"SMTP {where} unreachable: {exc.strerror or exc}") from None
    _quit(client, where)
    if refused:
        log.warning("SMTP %s accepted the report but refused %s", where, _replies(refused))


def connect(
    settings: EmailConfig,
    *,
    env: Mapping[str, str],
    context: ssl.SSLContext,
    timeout: float,
    on_stage: Callable[[str], None] | None = None,
) -> smtplib.SMTP:
    """Connect to the configured server, secure the connection and log in, as every send
    (and `tracker doctor`'s check) does; the password comes only from the environment.
    On any error the connection is closed and the error raised as it came."""
    smtp = settings.smtp
    where = f"{smtp.host}:{smtp.effective_port}"
    stage = on_stage or (lambda _stage: None)
    client: smtplib.SMTP | None = None
    try:
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(
                smtp.host, smtp.effective_port, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.effective_port, timeout=timeout)
        if smtp.security == "starttls":
            stage("securing")
            client.starttls(context=context)
        if smtp.username:
            stage("logging in")
            password = env.get(PASSWORD_ENV, "")
            if not password:
                raise SmtpError(
                    f"SMTP {where}: username {smtp.username!r} is configured "
                    f"but ${PASSWORD_ENV} is not set"
                )
            client.login(smtp.username, password)
    except BaseException:
        _close(client)
        raise
    return client


def transfer(
    client: smtplib.SMTP, message: EmailMessage, stage: Callable[[str], None], where: str
) -> dict[str, tuple[int, bytes]]:
    """MAIL, RCPT and DATA, with the stage recorded just before the final '.'. Returns the
    recipients refused (when some were accepted)."""
    stage("addressing")
    sender = message["Sender"] or message["From"]
    to = [a for _, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))]
    data = _flatten(message)
    client.ehlo_or_helo_if_needed()
    options = [f"size={len(data)}"] if client.does_esmtp and client.has_extn("size") else []
    code, reply = client.mail(getaddresses([sender])[0][1], options)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for address in to:
        code, reply = client.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, reply)
    if len(refused) == len(to):
        raise smtplib.SMTPRecipientsRefused(refused)
    stage("uploading")
    code, reply = client.docmd("DATA")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    body = smtplib._quote_periods(data)  # type: ignore[attr-defined]
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    client.send(body)
    stage("handing over")
    try:
        client.send(b".\r\n")
        code, reply = client.getreply()
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        raise Undecided(
            f"SMTP {where}: no answer after the message was handed over ({exc}); it may "
            "have been delivered, so it is not sent again"
        ) from None
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return refused


def _flatten(message: EmailMessage) -> bytes:
    """The message as smtplib's send_message would send it: CRLF line ends, no Bcc."""
    copy = copy_module.copy(message)
    del copy["Bcc"]
    del copy["Resent-Bcc"]
    with io.BytesIO() as out:
        BytesGenerator(out, policy=message.policy.clone(linesep="\r\n")).flatten(copy)
        return out.getvalue()


def _quit(client: smtplib.SMTP, where: str) -> None:
    """Say goodbye; the message is already accepted, so any error here changes nothing."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError) as exc:
        log.info("SMTP %s: error after the message was accepted, ignored: %s", where, exc)
    finally:
        _close(client)


def _close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        client.close()


def _replies(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address}: {code} {reply.decode('utf-8', 'replace')}"
        for address, (code, reply) in recipients.items()
    )
