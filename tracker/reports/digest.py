"""Build the digest as plain data: what is new and what changed in a time window.

No rendering happens here; console, markdown and json renderers all read the same Digest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.models import Article, ChangeEvent, Report, SyncRun, Trial
from tracker.reports.links import record_url

SOURCES = ("ctgov", "pubmed", "europepmc")


@dataclass(frozen=True, slots=True)
class NewItem:
    id: str
    source: str
    title: str
    status: str | None
    first_seen_at: datetime
    url: str | None


@dataclass(frozen=True, slots=True)
class Change:
    id: str
    title: str
    field: str
    old: str | None
    new: str | None
    at: datetime
    url: str | None


@dataclass(frozen=True, slots=True)
class SourceHealth:
    source: str
    last_run_at: datetime | None
    last_status: str | None
    last_success: datetime | None
    fetched: int | None
    expected: int | None
    complete: bool | None
    retries: int | None
    errors: list[str]
    stored: int


@dataclass(frozen=True, slots=True)
class Digest:
    since: datetime | None
    until: datetime
    new: list[NewItem]
    changes: list[Change]
    verdict_changes: list[Change]
    evidence: dict[str, int]
    health: list[SourceHealth]


def last_report_until(session: Session, kind: str) -> datetime | None:
    stmt = select(func.max(Report.until)).where(col(Report.kind) == kind)
    value: datetime | None = session.scalar(stmt)
    return value


def mark_reported(session: Session, kind: str, since: datetime | None, until: datetime) -> None:
    session.add(Report(kind=kind, since=since, until=until, created_at=until))


def build_digest(session: Session, *, since: datetime | None, until: datetime) -> Digest:
    """Records first seen in (since, until], and material changes in the same window.

    `since=None` means everything stored (the `--all` digest)."""
    new = sorted(
        [*_new_trials(session, since, until), *_new_articles(session, since, until)],
        key=lambda item: (item.first_seen_at, item.id),
    )
    return Digest(
        since=since,
        until=until,
        new=new,
        changes=_changes(session, since, until),
        verdict_changes=[],
        evidence={},
        health=[source_health(session, source) for source in SOURCES],
    )


def _window(column: Any, since: datetime | None, until: datetime) -> list[Any]:
    conditions = [column <= until]
    if since is not None:
        conditions.append(column > since)
    return conditions


def _new_trials(session: Session, since: datetime | None, until: datetime) -> list[NewItem]:
    rows = session.scalars(select(Trial).where(*_window(col(Trial.first_seen_at), since, until)))
    return [
        NewItem(
            id=t.nct_id,
            source="ctgov",
            title=t.brief_title or t.nct_id,
            status=t.overall_status,
            first_seen_at=t.first_seen_at,
            url=record_url(t.nct_id),
        )
        for t in rows
    ]


def _new_articles(session: Session, since: datetime | None, until: datetime) -> list[NewItem]:
    rows = session.scalars(
        select(Article).where(*_window(col(Article.first_seen_at), since, until))
    )
    return [
        NewItem(
            id=a.id,
            source="pubmed" if a.in_pubmed else "europepmc",
            title=a.title or a.id,
            status="retracted" if a.retracted else ("cites the index" if a.cites_index else None),
            first_seen_at=a.first_seen_at,
            url=record_url(a.id),
        )
        for a in rows
    ]


def _changes(session: Session, since: datetime | None, until: datetime) -> list[Change]:
    stmt = (
        select(ChangeEvent, Trial.brief_title)
        .join(Trial, col(Trial.nct_id) == col(ChangeEvent.record_id), isouter=True)
        .where(col(ChangeEvent.at) <= until)
    )
    if since is not None:
        stmt = stmt.where(col(ChangeEvent.at) > since)
    stmt = stmt.order_by(col(ChangeEvent.at), col(ChangeEvent.record_id), col(ChangeEvent.id))
    return [
        Change(
            id=event.record_id,
            title=title or event.record_id,
            field=event.field,
            old=event.old,
            new=event.new,
            at=event.at,
            url=record_url(event.record_id),
        )
        for event, title in session.execute(stmt)
    ]


def _stored_count(source: str) -> Any:
    if source == "ctgov":
        return select(func.count()).select_from(Trial)
    flag = col(Article.in_pubmed) if source == "pubmed" else col(Article.in_europepmc)
    return select(func.count()).select_from(Article).where(flag)


def source_health(session: Session, source: str) -> SourceHealth:
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
        errors=json.loads(last.errors) if last else [],
        stored=stored or 0,
    )
