"""Each source's health: its newest sync run, its last success, and how many records it
has stored (the digest's footer, `tracker status`, the website)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from tracker.ids import Source
from tracker.reports.digest_data import SourceHealth
from tracker.runtime.redact import scrub
from tracker.store.models import Article, SyncRun, Trial


def _stored_count(source: Source) -> Any:
    if source is Source.CTGOV:
        return select(func.count()).select_from(Trial)
    flag = col(Article.in_pubmed) if source is Source.PUBMED else col(Article.in_europepmc)
    # "= true", not a bare column: SQLite uses ix_articles_in_* only for a comparison.
    return select(func.count()).select_from(Article).where(flag == True)  # noqa: E712


def source_health(session: Session, source: Source) -> SourceHealth:
    """The newest run of a source, its last success, and how many records it has stored."""
    last = session.scalars(
        select(SyncRun)
        .where(col(SyncRun.source) == source)
        .order_by(col(SyncRun.id).desc())
        .limit(1)
    ).first()
    success = session.scalar(
        select(func.max(SyncRun.finished_at)).where(
            col(SyncRun.source) == source, col(SyncRun.status) == "ok"
        )
    )
    stored = session.scalar(_stored_count(source))
    return SourceHealth(
        source=source,
        last_run_at=last.started_at if last else None,
        last_status=last.status if last else None,
        last_success=success,
        fetched=last.fetched if last else None,
        expected=last.expected if last else None,
        complete=last.complete if last else None,
        retries=last.retries if last else None,
        # Scrubbed again on the way out: rows written before the scrubber existed.
        errors=[scrub(e) for e in json.loads(last.errors)] if last else [],
        stored=stored or 0,
    )
