"""What the citation chase reads and remembers: the papers of relevant studies, when each
source was last asked who cites a paper, and the paper a fetched record cites."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, Table, delete, insert, select, update

from tracker.store.articles import ARTICLES
from tracker.store.models import Assessment, CitationChase

CHASES: Table = CitationChase.__table__  # type: ignore[attr-defined]
ASSESSMENTS: Table = Assessment.__table__  # type: ignore[attr-defined]


def relevant_pmids(conn: Connection) -> list[str]:
    """PMIDs of every stored paper of a study with a relevant record, as the last judging
    pass left them: the papers whose citing papers may be new evidence."""
    studies = select(ASSESSMENTS.c.study).where(ASSESSMENTS.c.relevant.is_(True))
    query = (
        select(ARTICLES.c.pmid)
        .join(ASSESSMENTS, ASSESSMENTS.c.record_id == ARTICLES.c.id)
        .where(
            ASSESSMENTS.c.study.in_(studies),
            ARTICLES.c.pmid.is_not(None),
            ARTICLES.c.deleted.is_(False),
        )
        .distinct()
        .order_by(ARTICLES.c.pmid)
    )
    return [str(p) for p in conn.scalars(query)]


def chase_dates(conn: Connection, source: str) -> dict[str, date]:
    """Cited id -> the day `source` was last asked who cites it."""
    query = select(CHASES.c.cited_id, CHASES.c.chased_on).where(CHASES.c.source == source)
    return {str(cited): on for cited, on in conn.execute(query)}


def remember_chase(conn: Connection, cited_id: str, source: str, *, on: date, citing: int) -> None:
    """Record that `source` was asked about `cited_id` on `on` (the row is replaced)."""
    where = (CHASES.c.cited_id == cited_id, CHASES.c.source == source)
    conn.execute(delete(CHASES).where(*where))
    row = {"cited_id": cited_id, "source": source, "chased_on": on, "citing": citing}
    conn.execute(insert(CHASES).values(**row))


def mark_found_by(conn: Connection, ids: Sequence[str], cited_id: str) -> None:
    """Give records fetched because they cite `cited_id` that provenance, unless they came in
    another way first."""
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        conn.execute(
            update(ARTICLES)
            .where(ARTICLES.c.id.in_(chunk), ARTICLES.c.provenance.is_(None))
            .values(provenance=f"cites:{cited_id}")
        )


def stored_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    """Which of `ids` are stored articles."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        found.update(conn.scalars(select(ARTICLES.c.id).where(ARTICLES.c.id.in_(chunk))))
    return found
