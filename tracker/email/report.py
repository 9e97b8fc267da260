"""`tracker email`: the digest since the last emailed report, sent once, marked once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from tracker.config import ClaimConfig, EmailConfig, SiteConfig
from tracker.email import outbox, smtp
from tracker.email.compose import Framing, compose
from tracker.email.message import build_message, check_addresses, message_id
from tracker.errors import SmtpError, UsageError
from tracker.reports.digest import build_digest
from tracker.reports.digest_data import Digest
from tracker.reports.overview import studies_by_verdict, study_of
from tracker.store.db import session_scope

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EmailOutcome:
    status: str
    """'sent', 'empty' (nothing new, nothing sent) or 'dry-run'."""
    items: int
    message_id: str | None = None
    size: int = 0
    """Bytes of the message as sent or written."""


def email_digest(
    session: Session, settings: EmailConfig, *, since: datetime | None, until: datetime
) -> Digest:
    """The digest for an email: the window minus every item an email already carried."""
    digest = build_digest(session, since=since, until=until)
    return digest.without(outbox.reported(session, digest.item_keys))


def send_report(
    engine: Engine,
    settings: EmailConfig,
    *,
    now: datetime,
    dry_run: Path | None = None,
    claim: ClaimConfig | None = None,
    site: SiteConfig | None = None,
) -> EmailOutcome:
    """Send the digest since the last email. The first email after setup (none sent yet)
    is a welcome with where the evidence stands; its items count as reported."""
    check_addresses(settings)
    base_url = site.base_url if site is not None else ""
    with session_scope(engine) as session:
        if dry_run is None:
            outbox.settle_interrupted(session, now)
        since = outbox.window_start(session)
        digest = email_digest(session, settings, since=since, until=now)
        framing = Framing(
            claim=claim or ClaimConfig(),
            base_url=base_url,
            study_of=study_of(session, _listed_ids(digest)) if base_url else {},
            welcome=studies_by_verdict(session, WELCOME_VERDICTS) if since is None else None,
        )
    if digest.item_count == 0 and not settings.send_when_empty:
        return EmailOutcome("empty", 0)
    message = _message(digest, settings, now, framing)
    data = message.as_bytes()
    if dry_run is not None:
        _write(dry_run, data)
        return EmailOutcome("dry-run", digest.item_count, message["Message-ID"], len(data))
    keys = digest.item_keys
    with session_scope(engine) as session:
        email_id = outbox.record_sending(
            session,
            message_id=message["Message-ID"],
            since=since,
            until=now,
            keys=keys,
            recipients=settings.to,
            now=now,
        )

    def record(stage: str) -> None:
        with session_scope(engine) as session:
            outbox.record_stage(session, email_id, stage)

    try:
        smtp.send(settings, message, on_stage=record)
    except smtp.Undecided as exc:
        with session_scope(engine) as session:
            outbox.mark_unknown(session, email_id, now, str(exc))
        raise
    except SmtpError as exc:
        with session_scope(engine) as session:
            outbox.mark_failed(session, email_id, str(exc))
        raise
    with session_scope(engine) as session:
        outbox.mark_sent(session, email_id, now)
    return EmailOutcome("sent", digest.item_count, message["Message-ID"], len(data))


WELCOME_VERDICTS = ("refutes", "confirms", "inconclusive", "pending")
"""The welcome lists these studies; those that do not test the claim are only counted."""


def _listed_ids(digest: Digest) -> list[str]:
    return [item.id for section in digest.sections for item in section.items]


def _message(
    digest: Digest, settings: EmailConfig, now: datetime, framing: Framing
) -> EmailMessage:
    composed = compose(digest, settings, framing=framing)
    return build_message(
        settings,
        prefix=False,
        subject=composed.subject,
        text=composed.text,
        html=composed.html,
        now=now,
        msgid=message_id(settings),
        images=composed.images,
    )


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"--dry-run {path}: cannot write: {exc.strerror}") from exc
