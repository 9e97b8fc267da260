"""Build the digest as plain data: what is new and what changed in a time window.

No rendering happens here; console, markdown, json and email renderers all read the same
Digest. The sections come most important first (verdict changes ... new relevant
records). Records the evidence engine judged not relevant are counted, never listed;
records it has not assessed yet are counted apart, so a reader knows they exist.

Everything is read with narrow column selects through indexed columns (first_seen_at,
change_events.at, primary keys), so the digest of a large database costs what its
window holds, not what the database holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from tracker.evidence.summary import ledger_summary
from tracker.ids import SOURCES, Source, record_url
from tracker.reports.digest_data import Change, Digest, NewItem
from tracker.reports.digest_sections import Event, sort_into_sections
from tracker.reports.health import source_health
from tracker.reports.overview import standing_of
from tracker.store.models import Article, Assessment, ChangeEvent, Report, Trial


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
    events = _events(session, since, until)
    changes = [e.change for e in events if e.change.field != "verdict"]
    verdict_changes = [e.change for e in events if e.change.field == "verdict"]
    citing = [e.change.new for e in events if e.change.field == "cited_by" and e.change.new]
    citing_titles = _article_titles(session, citing)
    sections, not_relevant, unassessed = sort_into_sections(new, events, citing_titles)
    ledger = ledger_summary(session)
    return Digest(
        since=since,
        until=until,
        new=new,
        changes=changes,
        verdict_changes=verdict_changes,
        evidence=dict(ledger.counts),
        health=[source_health(session, source) for source in SOURCES],
        sections=sections,
        standing=standing_of(ledger),
        state=ledger.state,
        not_relevant=not_relevant,
        unassessed=unassessed,
    )


def _window(column: Any, since: datetime | None, until: datetime) -> list[Any]:
    conditions = [column <= until]
    if since is not None:
        conditions.append(column > since)
    return conditions


def _new_trials(session: Session, since: datetime | None, until: datetime) -> list[NewItem]:
    rows = session.execute(
        select(
            col(Trial.nct_id),
            col(Trial.brief_title),
            col(Trial.overall_status),
            col(Trial.first_seen_at),
            col(Assessment.relevant),
        )
        .join(Assessment, col(Assessment.record_id) == col(Trial.nct_id), isouter=True)
        .where(*_window(col(Trial.first_seen_at), since, until))
    )
    return [
        NewItem(
            id=nct_id,
            source=Source.CTGOV,
            title=title or nct_id,
            status=status,
            first_seen_at=first_seen,
            url=record_url(nct_id),
            relevant=relevant,
        )
        for nct_id, title, status, first_seen, relevant in rows
    ]


def _new_articles(session: Session, since: datetime | None, until: datetime) -> list[NewItem]:
    rows = session.execute(
        select(
            col(Article.id),
            col(Article.title),
            col(Article.in_pubmed),
            col(Article.retracted),
            col(Article.cites_index),
            col(Article.first_seen_at),
            col(Assessment.relevant),
        )
        .join(Assessment, col(Assessment.record_id) == col(Article.id), isouter=True)
        .where(*_window(col(Article.first_seen_at), since, until))
    )
    return [
        NewItem(
            id=article_id,
            source=Source.PUBMED if in_pubmed else Source.EUROPEPMC,
            title=title or article_id,
            status="retracted" if retracted else ("cites the index" if cites else None),
            first_seen_at=first_seen,
            url=record_url(article_id),
            relevant=relevant,
        )
        for article_id, title, in_pubmed, retracted, cites, first_seen, relevant in rows
    ]


def _events(session: Session, since: datetime | None, until: datetime) -> list[Event]:
    stmt = (
        select(
            col(ChangeEvent.id),
            col(ChangeEvent.record_id),
            col(ChangeEvent.field),
            col(ChangeEvent.old),
            col(ChangeEvent.new),
            col(ChangeEvent.at),
            col(Trial.brief_title),
            col(Article.title),
            col(Assessment.relevant),
        )
        .join(Trial, col(Trial.nct_id) == col(ChangeEvent.record_id), isouter=True)
        .join(Article, col(Article.id) == col(ChangeEvent.record_id), isouter=True)
        .join(Assessment, col(Assessment.record_id) == col(ChangeEvent.record_id), isouter=True)
        .where(*_window(col(ChangeEvent.at), since, until))
        .order_by(col(ChangeEvent.at), col(ChangeEvent.record_id), col(ChangeEvent.id))
    )
    return [
        Event(
            event_id,
            Change(
                id=record_id,
                title=trial_title or article_title or record_id,
                field=field,
                old=old,
                new=new,
                at=at,
                url=record_url(record_id),
            ),
            relevant,
        )
        for event_id, record_id, field, old, new, at, trial_title, article_title, relevant in (
            session.execute(stmt)
        )
    ]


def _article_titles(session: Session, ids: Iterable[str]) -> dict[str, str | None]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(col(Article.id), col(Article.title)).where(col(Article.id).in_(wanted))
    )
    return {str(article_id): title for article_id, title in rows}
