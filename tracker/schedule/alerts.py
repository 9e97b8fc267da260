"""The alert and recovery emails: short, plain, and saying what failed since when.

Sent with the report's own sender (tracker.email.smtp.send), to [schedule] alert_to or,
when that is empty, to the [email] recipients.
"""

from __future__ import annotations

import html
import logging
import socket
from datetime import datetime

from tracker.config import Config, EmailConfig
from tracker.email.message import build_message
from tracker.email.smtp import send
from tracker.runtime.redact import scrub
from tracker.schedule.history import JobHealth

log = logging.getLogger(__name__)


def can_email(cfg: Config) -> bool:
    """Whether alerts can go by email: a sender and someone to tell."""
    return bool(cfg.email.from_addr and (cfg.schedule.alert_to or cfg.email.to))


def alert_settings(cfg: Config) -> EmailConfig:
    recipients = cfg.schedule.alert_to or cfg.email.to
    return cfg.email.model_copy(update={"to": tuple(recipients)})


def _stamp(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "unknown"


def alert_text(health: JobHealth) -> tuple[str, str]:
    """Subject and body of the alert for a job that keeps failing."""
    subject = f"job {health.job_id} has failed {health.streak} times in a row"
    body = (
        f"The scheduled job '{health.job_id}' on {socket.gethostname()} has failed "
        f"{health.streak} times in a row, since {_stamp(health.failing_since)}.\n\n"
        f"Last error:\n{scrub(health.last_error or '(none recorded)')}\n\n"
        f"Next run: {_stamp(health.next_run)}. `tracker status` shows every job; "
        "one note follows when the job works again.\n"
    )
    return subject, body


def recovery_text(job_id: str, failing_since: datetime | None, now: datetime) -> tuple[str, str]:
    subject = f"job {job_id} works again"
    body = (
        f"The scheduled job '{job_id}' on {socket.gethostname()} succeeded at {_stamp(now)} "
        f"after failing since {_stamp(failing_since)}.\n"
    )
    return subject, body


def send_notice(cfg: Config, subject: str, body: str, *, now: datetime) -> None:
    """Send one alert or recovery note; raises SmtpError or ConfigError when it cannot."""
    settings = alert_settings(cfg)
    # Error text can come from a registry: escaped in the HTML part, plain in the text one.
    markup = f'<pre style="font-family:monospace;white-space:pre-wrap">{html.escape(body)}</pre>'
    message = build_message(settings, subject=subject, text=body, html=markup, now=now)
    send(settings, message)
    log.warning("sent %r to %s", message["Subject"], ", ".join(settings.to))
