"""Who cites whom: stored citations; for the index publication also the `cites_index` mark
and one change event per newly citing paper (on the index record, where a reader looks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Table, select, update

from tracker.store.articles import ARTICLES, CITATIONS
from tracker.store.bulk import insert_rows
from tracker.store.models import ChangeEvent

EVENTS: Table = ChangeEvent.__table__  # type: ignore[attr-defined]


def save_citations(
    conn: Connection,
    cited_id: str,
    citing_ids: Sequence[str],
    *,
    source: str,
    seen_at: datetime,
    run_id: int | None,
    of_index: bool = True,
) -> list[str]:
    """Store the citations of `cited_id` not stored yet (per source); returns the citing
    ids that no source had reported before. Only the index publication's citing papers are
    marked and announced: other papers' citations are how records were found, not news."""
    known = {
        (citing, via)
        for citing, via in conn.execute(
            select(CITATIONS.c.citing_id, CITATIONS.c.source).where(
                CITATIONS.c.cited_id == cited_id
            )
        )
    }
    seen_anywhere = {citing for citing, _ in known}
    fresh = [c for c in dict.fromkeys(citing_ids) if (c, source) not in known]
    insert_rows(
        conn,
        CITATIONS,
        [
            {"citing_id": c, "cited_id": cited_id, "source": source, "first_seen_at": seen_at}
            for c in fresh
        ],
    )
    newly = [c for c in fresh if c not in seen_anywhere]
    if not of_index:
        return newly
    if citing_ids:
        conn.execute(
            update(ARTICLES).where(ARTICLES.c.id.in_(list(citing_ids))).values(cites_index=True)
        )
    insert_rows(
        conn,
        EVENTS,
        [
            {
                "record_id": cited_id,
                "source": source,
                "field": "cited_by",
                "old": None,
                "new": c,
                "at": seen_at,
                "version": None,
                "run_id": run_id,
            }
            for c in newly
        ],
    )
    return newly
