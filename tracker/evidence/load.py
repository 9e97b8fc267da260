"""Read stored records back as the rules' input, and the assessments stored for them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import msgspec
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.evidence.rules.judgement import Record
from tracker.ids import Source
from tracker.records.article import ArticleData
from tracker.records.trial import TrialData
from tracker.store.models import Article, Assessment, Link, Trial

_TRIAL = msgspec.json.Decoder(TrialData)
_ARTICLE = msgspec.json.Decoder(ArticleData)
CHUNK = 500


def stored_versions(session: Session) -> dict[str, tuple[Source, int]]:
    """Record id -> (source, version) of every stored, parsed record."""
    out: dict[str, tuple[Source, int]] = {}
    trials = select(col(Trial.nct_id), col(Trial.version)).where(col(Trial.parse_error).is_(None))
    for rid, version in session.execute(trials):
        out[rid] = (Source.CTGOV, version)
    articles = select(col(Article.id), col(Article.version), col(Article.in_pubmed)).where(
        col(Article.parse_error).is_(None)
    )
    for rid, version, in_pubmed in session.execute(articles):
        out[rid] = (Source.PUBMED if in_pubmed else Source.EUROPEPMC, version)
    return out


def load_records(session: Session, wanted: dict[str, Source]) -> list[Record]:
    """Decode the records named in `wanted` (id -> source), a chunk of ids per query."""
    records: list[Record] = []
    trial_ids = sorted(r for r, s in wanted.items() if s == Source.CTGOV)
    article_ids = sorted(r for r, s in wanted.items() if s != Source.CTGOV)
    for chunk in _chunks(trial_ids):
        rows = session.execute(select(col(Trial.data)).where(col(Trial.nct_id).in_(chunk)))
        records += [Record(Source.CTGOV, _TRIAL.decode(data)) for (data,) in rows]
    for chunk in _chunks(article_ids):
        stmt = select(col(Article.id), col(Article.data)).where(col(Article.id).in_(chunk))
        records += [
            Record(wanted[rid], _ARTICLE.decode(data)) for rid, data in session.execute(stmt)
        ]
    # In id order whatever order the database returns rows in: where two records' verdicts
    # weigh the same, the study's verdict comes from the first, and that must not depend on
    # the backend or on how a run was batched.
    return sorted(records, key=lambda r: (r.source != Source.CTGOV, r.id))


def load_raw(session: Session, wanted: dict[str, Source]) -> list[tuple[Source, str, str]]:
    """(source, id, stored JSON) of the records named in `wanted`, not decoded: for a worker
    process to decode and read (tracker.evidence.readers)."""
    out: list[tuple[Source, str, str]] = []
    trial_ids = sorted(r for r, s in wanted.items() if s == Source.CTGOV)
    article_ids = sorted(r for r, s in wanted.items() if s != Source.CTGOV)
    for chunk in _chunks(trial_ids):
        stmt = select(col(Trial.nct_id), col(Trial.data)).where(col(Trial.nct_id).in_(chunk))
        out += [(Source.CTGOV, rid, data) for rid, data in session.execute(stmt)]
    for chunk in _chunks(article_ids):
        stmt = select(col(Article.id), col(Article.data)).where(col(Article.id).in_(chunk))
        out += [(wanted[rid], rid, data) for rid, data in session.execute(stmt)]
    return out


def decode(source: Source, data: str) -> Record:
    """One stored record, parsed again."""
    return Record(source, _TRIAL.decode(data) if source == Source.CTGOV else _ARTICLE.decode(data))


def stored_links(session: Session) -> list[tuple[str, str]]:
    """(article, trial) pairs a source reported; inferred ones are the engine's own."""
    stmt = select(col(Link.article_id), col(Link.trial_id)).where(
        col(Link.provenance) != "inferred"
    )
    return [(a, t) for a, t in session.execute(stmt)]


def assessments(session: Session, ids: Sequence[str] | None = None) -> dict[str, Assessment]:
    if ids is None:
        return {a.record_id: a for a in session.scalars(select(Assessment))}
    out: dict[str, Assessment] = {}
    for chunk in _chunks(list(ids)):
        stmt = select(Assessment).where(col(Assessment.record_id).in_(chunk))
        out.update((a.record_id, a) for a in session.scalars(stmt))
    return out


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]
