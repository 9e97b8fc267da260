"""Which items have been emailed: the outbox row written before sending, and the marks.

The order of writes is what makes "no item is ever sent twice" hold:

1. an `email_reports` row (status 'sending') with the Message-ID and the item keys is
   committed BEFORE the message goes to the server;
2. the server accepts -> the row becomes 'sent' and its items go into `reported_items`
   (one transaction);
3. the server refuses or cannot be reached -> the row becomes 'failed' and nothing is
   marked, so the next run carries the same items.

A process that dies between the server's acceptance and step 2 leaves a 'sending' row.
Whether that message arrived cannot be known, and sending it again could repeat every
item, so the next run settles such a row as 'unknown', marks its items reported and
warns with the Message-ID (look for it in the mailbox; `tracker digest --since` lists
the items again).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from tracker.redact import scrub
from tracker.store.models import EmailReport, ReportedItem

log = logging.getLogger(__name__)

_IN_CHUNK = 500
"""Keys per IN (...) list: well under SQLite's and PostgreSQL's parameter limits."""


def window_start(session: Session) -> datetime | None:
    """The end of the last report that reached (or may have reached) the server."""
    value: datetime | None = session.scalar(
        select(func.max(col(EmailReport.until))).where(
            col(EmailReport.status).in_(("sent", "unknown"))
        )
    )
    return value


def reported(session: Session, keys: Iterable[str]) -> set[str]:
    """The subset of `keys` that an accepted (or possibly accepted) email already carried."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        found.update(
            session.scalars(
                select(col(ReportedItem.item_key)).where(col(ReportedItem.item_key).in_(chunk))
            )
        )
    return found


def settle_interrupted(session: Session, now: datetime) -> list[str]:
    """'sending' rows left by a run that died: mark their items; return their Message-IDs."""
    stuck = list(session.scalars(select(EmailReport).where(col(EmailReport.status) == "sending")))
    for row in stuck:
        assert row.id is not None
        _mark(session, row.id, json.loads(row.items), now)
        row.status = "unknown"
        row.error = "the run ended before the server's answer was recorded"
        session.add(row)
        log.warning(
            "email %s was being sent when a run ended; its %d items count as reported",
            row.message_id,
            len(json.loads(row.items)),
        )
    return [row.message_id for row in stuck]


def record_sending(
    session: Session,
    *,
    message_id: str,
    since: datetime | None,
    until: datetime,
    keys: Sequence[str],
    recipients: Sequence[str],
    now: datetime,
) -> int:
    row = EmailReport(
        message_id=message_id,
        status="sending",
        since=since,
        until=until,
        items=json.dumps(list(keys)),
        recipients=json.dumps(list(recipients)),
        created_at=now,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def mark_sent(session: Session, email_id: int, now: datetime) -> None:
    row = session.get(EmailReport, email_id)
    assert row is not None
    _mark(session, email_id, json.loads(row.items), now)
    row.status = "sent"
    row.sent_at = now
    session.add(row)


def mark_failed(session: Session, email_id: int, error: str) -> None:
    row = session.get(EmailReport, email_id)
    assert row is not None
    row.status = "failed"
    row.error = scrub(error)
    session.add(row)


def _mark(session: Session, email_id: int, keys: list[str], now: datetime) -> None:
    already = reported(session, keys)
    session.add_all(
        ReportedItem(item_key=key, email_id=email_id, reported_at=now)
        for key in dict.fromkeys(keys)
        if key not in already
    )
