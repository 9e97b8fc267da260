"""One record with its timeline, links and citations, for `tracker show` (data only)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from sqlmodel import Session, col, select

from tracker.errors import NotFoundError
from tracker.ids import Source, normalise_id, record_url
from tracker.records.article import ArticleData
from tracker.records.trial import TrialData, decode_trial
from tracker.reports.explain import Explanation, explain
from tracker.reports.flags import Consistency, consistency
from tracker.store.models import (
    Article,
    ArticleVersion,
    ChangeEvent,
    Citation,
    Link,
    Trial,
    TrialVersion,
)


@dataclass(frozen=True, slots=True)
class VersionRow:
    version: int
    seen_at: datetime
    changed_fields: list[str]


@dataclass(frozen=True, slots=True)
class EventRow:
    field: str
    old: str | None
    new: str | None
    at: datetime
    version: int | None


@dataclass(frozen=True, slots=True)
class LinkRow:
    id: str
    """The record at the other end: a trial for an article, an article for a trial."""
    title: str | None
    provenance: str


@dataclass(frozen=True, slots=True)
class RecordView:
    id: str
    source: Source
    title: str
    url: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    version: int
    parse_error: str | None
    record: TrialData | ArticleData | None
    versions: list[VersionRow]
    events: list[EventRow]
    links: list[LinkRow]
    cited_by: list[str]
    """Papers citing this one (asked for the index publication and relevant studies' papers)."""
    cites_index: bool
    assessment: Explanation | None = None
    found_by: str | None = None
    """How a paper no query found came in: 'cites:PMID:…', 'cites:PPR:…', ... (the relevant
    paper it cites)."""
    """How the evidence engine judged it (None before its first assessment)."""
    consistency: Consistency | None = None
    """Its consistency flags and registrations (tracker.reports.flags)."""


def build_record_view(session: Session, record_id: str) -> RecordView:
    view = _build(session, record_id)
    return dataclasses.replace(view, consistency=consistency(session, view.id))


def _build(session: Session, record_id: str) -> RecordView:
    rid = normalise_id(record_id)
    trial = session.get(Trial, rid)
    article = None if trial else session.get(Article, rid)
    if trial is None and article is None:
        raise NotFoundError(f"{record_id}: no such record is stored (try `tracker sync` first)")
    events = [
        EventRow(e.field, e.old, e.new, e.at, e.version)
        for e in session.scalars(
            select(ChangeEvent)
            .where(col(ChangeEvent.record_id) == rid)
            .order_by(col(ChangeEvent.id))
        )
    ]
    cited_by = list(
        dict.fromkeys(
            session.scalars(select(Citation.citing_id).where(col(Citation.cited_id) == rid))
        )
    )
    if trial is not None:
        return RecordView(
            id=rid,
            source=Source.CTGOV,
            title=trial.brief_title or rid,
            url=record_url(rid),
            first_seen_at=trial.first_seen_at,
            last_seen_at=trial.last_seen_at,
            version=trial.version,
            parse_error=trial.parse_error,
            record=None if trial.parse_error else decode_trial(trial.data),
            versions=_trial_versions(session, rid),
            events=events,
            links=_links(session, rid, of_trial=True),
            cited_by=cited_by,
            cites_index=False,
            assessment=explain(session, rid),
        )
    assert article is not None
    return RecordView(
        id=rid,
        source=Source.PUBMED if article.in_pubmed else Source.EUROPEPMC,
        title=article.title or rid,
        url=record_url(rid),
        first_seen_at=article.first_seen_at,
        last_seen_at=article.last_seen_at,
        version=article.version,
        parse_error=article.parse_error,
        record=None if article.parse_error else msgspec.json.decode(article.data, type=ArticleData),
        versions=_article_versions(session, rid),
        events=events,
        links=_links(session, rid, of_trial=False),
        cited_by=cited_by,
        cites_index=article.cites_index,
        assessment=explain(session, rid),
        found_by=article.provenance,
    )


def _trial_versions(session: Session, rid: str) -> list[VersionRow]:
    rows = session.scalars(
        select(TrialVersion)
        .where(col(TrialVersion.nct_id) == rid)
        .order_by(col(TrialVersion.version))
    )
    return [VersionRow(v.version, v.seen_at, json.loads(v.changed_fields)) for v in rows]


def _article_versions(session: Session, rid: str) -> list[VersionRow]:
    rows = session.scalars(
        select(ArticleVersion)
        .where(col(ArticleVersion.article_id) == rid)
        .order_by(col(ArticleVersion.version))
    )
    return [VersionRow(v.version, v.seen_at, json.loads(v.changed_fields)) for v in rows]


def _links(session: Session, rid: str, *, of_trial: bool) -> list[LinkRow]:
    """The other end of every link, with its title when that record is stored."""
    if of_trial:
        pairs = session.exec(
            select(Link.article_id, Link.provenance, Article.title)
            .join(Article, col(Article.id) == col(Link.article_id), isouter=True)
            .where(col(Link.trial_id) == rid)
            .order_by(col(Link.article_id))
        )
    else:
        pairs = session.exec(
            select(Link.trial_id, Link.provenance, Trial.brief_title)
            .join(Trial, col(Trial.nct_id) == col(Link.trial_id), isouter=True)
            .where(col(Link.article_id) == rid)
            .order_by(col(Link.trial_id))
        )
    return [LinkRow(other, title, how) for other, how, title in pairs]


def record_json(view: RecordView) -> dict[str, Any]:
    return {
        "id": view.id,
        "source": view.source,
        "title": view.title,
        "url": view.url,
        "first_seen_at": view.first_seen_at,
        "last_seen_at": view.last_seen_at,
        "version": view.version,
        "parse_error": view.parse_error,
        "record": msgspec.to_builtins(view.record) if view.record else None,
        "versions": view.versions,
        "events": view.events,
        "links": [link.id for link in view.links],
        "link_details": view.links,
        "cited_by": view.cited_by,
        "cites_index": view.cites_index,
        "provenance": view.found_by,
        "assessment": view.assessment,
        "flags": [f.to_json() for f in view.consistency.flags] if view.consistency else [],
        "registrations": view.consistency.study_registrations if view.consistency else [],
        "registration_details": view.consistency.own_registrations if view.consistency else [],
        "needs_check": view.consistency.needs_check if view.consistency else False,
    }
