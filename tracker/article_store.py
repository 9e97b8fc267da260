"""Save fetched articles (see tracker.versioning), and the links and citations around them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection, Table, select

from tracker.article_records import ArticleData
from tracker.bulk import insert_rows
from tracker.changes import FieldChange, article_material_changes, changed_fields
from tracker.linking import LinkTriple
from tracker.models import Article, ArticleVersion, Citation, Link
from tracker.versioning import Incoming, Kind, PageOutcome, save_records

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
    flag = {"in_pubmed": True} if source == "pubmed" else {"in_europepmc": True}
    items = [
        Incoming(
            id=a.id,
            record=a.record,
            raw=a.raw,
            packed=None,
            error=a.error,
            columns=_columns(a.record),
            touch=flag,
        )
        for a in articles
    ]
    return save_records(conn, article_kind(source), items, seen_at=seen_at, run_id=run_id)


def _columns(a: ArticleData | None) -> dict[str, Any]:
    if a is None:
        return {"retracted": False, "deleted": False}
    return {
        "pmid": a.pmid,
        "doi": a.doi.lower() if a.doi else None,
        "pmcid": a.pmcid,
        "title": a.title,
        "journal": a.journal.title if a.journal else None,
        "pub_date": a.pub_date.value if a.pub_date else None,
        "entrez_date": a.entrez_date,
        "publication_types": "|".join(p.name for p in a.publication_types) or None,
        "retracted": a.retracted,
        "deleted": a.deleted,
    }


def save_links(conn: Connection, links: Sequence[LinkTriple], *, seen_at: datetime) -> int:
    """Store the links not stored yet; returns how many were new."""
    wanted = set(links)
    if not wanted:
        return 0
    ids = sorted({article for article, _, _ in wanted})
    existing: set[LinkTriple] = set()
    for start in range(0, len(ids), 500):
        query = select(LINKS.c.article_id, LINKS.c.trial_id, LINKS.c.provenance).where(
            LINKS.c.article_id.in_(ids[start : start + 500])
        )
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
