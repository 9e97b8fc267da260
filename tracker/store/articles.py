"""Save fetched articles (see tracker.store.versioning), and the links and citations around them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection, Table, select

from tracker.ids import Source
from tracker.records.article import ArticleData
from tracker.records.changes import FieldChange, article_material_changes, changed_fields
from tracker.records.links import LinkTriple
from tracker.store.article_rows import ArticleSummary, columns, summarise
from tracker.store.bulk import insert_rows
from tracker.store.models import Article, ArticleVersion, Citation, Link
from tracker.store.readings import SignalRow
from tracker.store.registrations import save_registrations
from tracker.store.versioning import Incoming, Kind, PageOutcome, save_records

ARTICLES: Table = Article.__table__  # type: ignore[attr-defined]
ARTICLE_VERSIONS: Table = ArticleVersion.__table__  # type: ignore[attr-defined]
LINKS: Table = Link.__table__  # type: ignore[attr-defined]
CITATIONS: Table = Citation.__table__  # type: ignore[attr-defined]

_DECODER = msgspec.json.Decoder(ArticleData)


@dataclass(frozen=True, slots=True)
class FetchedArticle:
    """One article as received: parsed (or why not) plus its exact source bytes."""

    id: str
    raw: bytes
    record: ArticleData | None
    error: str | None = None
    packed: bytes | None = None
    """`raw` compressed for storage, when a parse worker already did it (`raw` is then
    empty: the worker kept the bytes)."""
    data: bytes | None = None
    """The parsed record's canonical JSON, when a parse worker already encoded it: then
    `record` is None (decoded only if the stored version differs) and `summary` is set."""
    summary: ArticleSummary | None = None
    signals: SignalRow | None = None
    """The evidence rules' reading of the record, when a parse worker read it."""

    @property
    def parsed(self) -> bool:
        return self.record is not None or self.data is not None

    def summarised(self) -> ArticleSummary | None:
        """Columns, links and Entrez date: the worker's, or computed from `record`."""
        if self.summary is not None:
            return self.summary
        return summarise(self.record) if self.record is not None else None


def _diff(old_json: str, new: Any) -> tuple[list[FieldChange], list[str]]:
    old = _DECODER.decode(old_json)
    return article_material_changes(old, new), changed_fields(old, new)


def article_kind(source: str) -> Kind:
    return Kind(
        source=source,
        table=ARTICLES,
        versions=ARTICLE_VERSIONS,
        key="id",
        version_key="article_id",
        diff=_diff,
        decode=_DECODER.decode,
    )


def save_articles(
    conn: Connection,
    articles: Sequence[FetchedArticle],
    *,
    source: str,
    seen_at: datetime,
    run_id: int | None,
) -> PageOutcome:
    """Upsert one batch of articles reported by `source` ('pubmed' or 'europepmc')."""
    flag = {"in_pubmed": True} if source == Source.PUBMED else {"in_europepmc": True}
    items = []
    regs = []
    for a in articles:
        summary = a.summarised()
        regs += summary.registrations if summary else []
        items.append(
            Incoming(
                id=a.id,
                record=a.record,
                raw=a.raw,
                packed=a.packed,
                error=a.error,
                columns=summary.columns if summary else columns(None),
                touch=flag,
                data=a.data,
            )
        )
    outcome = save_records(conn, article_kind(source), items, seen_at=seen_at, run_id=run_id)
    save_registrations(conn, regs, seen_at=seen_at)
    return outcome


def save_links(conn: Connection, links: Sequence[LinkTriple], *, seen_at: datetime) -> int:
    """Store the links not stored yet; returns how many were new."""
    wanted = set(links)
    if not wanted:
        return 0
    ids = sorted({article for article, _, _ in wanted})
    trials = sorted({trial for _, trial, _ in wanted})
    existing: set[LinkTriple] = set()
    for start in range(0, len(ids), 500):
        query = select(LINKS.c.article_id, LINKS.c.trial_id, LINKS.c.provenance).where(
            LINKS.c.article_id.in_(ids[start : start + 500])
        )
        if len(trials) <= 500:
            # Only the links these could repeat: a paper cited by many trials would
            # otherwise bring back all its links for every page that cites it again.
            query = query.where(LINKS.c.trial_id.in_(trials))
        existing.update((a, t, p) for a, t, p in conn.execute(query))
    new = sorted(wanted - existing)
    insert_rows(
        conn,
        LINKS,
        [
            {"article_id": a, "trial_id": t, "provenance": p, "first_seen_at": seen_at}
            for a, t, p in new
        ],
    )
    return len(new)
