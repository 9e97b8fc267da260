"""The config sections of what tracker sends and runs: email and its server, the
scheduler, the static website."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from tracker.config.base import Frozen, has_control


class SmtpConfig(Frozen):
    """The mail server. The password is never here: only $TRACKER_SMTP_PASSWORD."""

    host: str = "localhost"
    port: int | None = Field(default=None, ge=1, le=65535)
    """None means the usual port for `security`: 587 starttls, 465 ssl, 25 none."""
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str = ""
    """Empty means no login (a local relay)."""
    timeout: float = Field(default=30.0, gt=0)

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return {"starttls": 587, "ssl": 465, "none": 25}[self.security]


class EmailConfig(Frozen):
    """The email report: who sends it, who gets it, and through which server."""

    from_addr: str = ""
    to: tuple[str, ...] = ()
    subject_prefix: str = "[tracker]"
    send_when_empty: bool = False
    """Send a digest even when nothing is new (a weekly "still watching" note)."""
    unsubscribe: str = ""
    """A mailto: or https: URI for the List-Unsubscribe header; empty means from_addr."""
    smtp: SmtpConfig = SmtpConfig()

    @field_validator("from_addr", "to", "subject_prefix", "unsubscribe")
    @classmethod
    def _no_control_characters(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        # These become message headers: a CR or LF would let a value add headers of its own.
        for item in (value,) if isinstance(value, str) else value:
            if has_control(item):
                raise ValueError(f"{item!r} contains a control character (CR, LF, ...)")
        return value

    @property
    def configured(self) -> bool:
        """A sender and at least one recipient: enough to send (or schedule) a report."""
        return bool(self.from_addr and self.to)


class ScheduleConfig(Frozen):
    """`tracker schedule`: when each job runs, and when failures become an alert.

    A cron expression has five fields (minute hour day month weekday), or six with a
    leading seconds field (used by the tests); an empty one disables that job."""

    timezone: str = "UTC"
    """IANA time zone the cron expressions are read in, e.g. "Europe/Rome"."""
    ctgov: str = "0 6 * * *"
    pubmed: str = "30 6 * * *"
    europepmc: str = "30 6 * * *"
    email: str = "0 8 * * mon"
    misfire_grace_time: int = Field(default=21600, ge=1)
    """Seconds a missed run (machine off, scheduler stopped) may still start late; missed
    runs of one job are coalesced into one."""
    failures_before_alert: int = Field(default=3, ge=1)
    """Consecutive failures of one job before one alert email is sent."""
    alert_to: tuple[str, ...] = ()
    """Who gets alerts and recovery notes; empty means the [email] recipients."""
    job_timeout: float = Field(default=21600.0, gt=0)
    """Seconds a job may run; then it is asked to stop after its page (SIGTERM), killed a
    minute later if it has not, and counted as failed: a hung job must not block the rest."""
    lock_heartbeat: float = Field(default=15.0, gt=0)
    """Seconds between a lock holder's heartbeats."""
    lock_stale_after: float = Field(default=120.0, gt=0)
    """A lock whose heartbeat is older than this many seconds (or whose process is gone,
    on the same host) is taken over: its holder was killed."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class SiteConfig(Frozen):
    """The static evidence website (`tracker site`). When the section is present,
    `tracker schedule` rebuilds the site after each sync."""

    output: str = "site"
    """The folder the site is written to; a relative path is relative to the config file."""
    base_url: str = ""
    """Where the site is published, e.g. "https://example.org/evidence/": the feed's links
    and the email's links to study pages use it. Empty: relative links only."""
    title: str = ""
    """The site's title; empty means "<short name> follow-ups"."""
    contact: str = ""
    """Who runs the site (an email address or URL), shown in every page's footer."""
