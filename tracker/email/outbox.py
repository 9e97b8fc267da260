"""Which items have been emailed: the outbox row written before sending, and the marks.

The order of writes is what makes "no item is ever sent twice" hold:

1. an `email_reports` row (status 'sending') with the Message-ID and the item keys is
   committed BEFORE the message goes to the server;
2. the server accepts -> the row becomes 'sent' and its items go into `reported_items`
   (one transaction);
3. the server refuses or cannot be reached -> the row becomes 'failed' and nothing is
   marked, so the next run carries the same items.

The row also records how far delivery got (its `stage`), committed as each stage starts.
A process that dies leaves a 'sending' row, which the next run settles by its stage:

- before 'handing over' (connecting, TLS, login, addresses, the upload itself): the server
  has not been asked to take the message, so it cannot have gone. The row becomes
  'failed' and its items are sent again.
- at 'handing over' (written just before the final '.'): whether the message arrived cannot
  be known, and sending it again could repeat every item, so the row becomes 'unknown',
  its items count as reported, and a warning gives the Message-ID (look for it in the
  mailbox; `tracker digest --since` lists the items again). A final '.' that gets no
  answer in time is settled the same way at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from tracker.runtime.redact import scrub
from tracker.store.models import EmailReport, ReportedItem

log = logging.getLogger(__name__)

HANDING_OVER = "handing over"
"""The one stage from which a message can have been delivered (tracker.email.smtp)."""

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
    """'sending' rows left by a run that died, settled by their stage: 'unknown' (items
    marked) if the message was being handed over, else 'failed' (items sent again).
    Returns the Message-IDs settled as unknown."""
    stuck = list(session.scalars(select(EmailReport).where(col(EmailReport.status) == "sending")))
    unknown: list[str] = []
    for row in stuck:
        assert row.id is not None
        if row.stage != HANDING_OVER:
            row.status = "failed"
            row.error = (
                f"the run ended while {row.stage or 'preparing'}, before the message was "
                "handed over; its items are sent again"
            )
            session.add(row)
            continue
        mark_unknown(session, row.id, now, "the run ended before the server's answer was recorded")
        unknown.append(row.message_id)
    return unknown


def mark_unknown(session: Session, email_id: int, now: datetime, why: str) -> None:
    """The message may have been delivered: its items count as reported, never sent twice."""
    row = session.get_one(EmailReport, email_id)
    _mark(session, email_id, json.loads(row.items), now)
    row.status = "unknown"
    row.error = scrub(why)
    session.add(row)
    log.warning(
        "email %s may or may not have been delivered (%s); its %d items count as reported",
        row.message_id,
        scrub(why),
        len(json.loads(row.items)),
    )


def record_stage(session: Session, email_id: int, stage: str) -> None:
    row = session.get_one(EmailReport, email_id)
    row.stage = stage
    session.add(row)


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
