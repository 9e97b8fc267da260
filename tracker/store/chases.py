"""What the citation chase reads and remembers: the papers of relevant studies (with the ids
a citation source is asked by), when each source was last asked who cites a paper, and the
paper a fetched record cites."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Table, delete, insert, select, update

from tracker.store.articles import ARTICLES
from tracker.store.models import Assessment, CitationChase

CHASES: Table = CitationChase.__table__  # type: ignore[attr-defined]
ASSESSMENTS: Table = Assessment.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Paper:
    """A stored paper of a relevant study, with the ids a citation source can be asked by."""

    id: str
    """The stored id: 'PMID:…', or 'PPR:PPR…', 'PMC:PMC…', 'DOI:…' for one PubMed lacks."""
    pmid: str | None
    pmcid: str | None
    europepmc_id: str | None = None
    """'SRC:id' as Europe PMC named the record (read from a 'DOI:…' record's data only:
    the other ids say it themselves)."""


def relevant_papers(conn: Connection, *, without_pmid: bool = False) -> list[Paper]:
    """Every stored paper of a study with a relevant record, as the last judging pass left
    them: the papers whose citing papers may be new evidence. Those with a PMID first, in
    PMID order, then the others in id order (only those with `without_pmid`)."""
    studies = select(ASSESSMENTS.c.study).where(ASSESSMENTS.c.relevant.is_(True))
    query = (
        select(ARTICLES.c.id, ARTICLES.c.pmid, ARTICLES.c.pmcid)
        .join(ASSESSMENTS, ASSESSMENTS.c.record_id == ARTICLES.c.id)
        .where(ASSESSMENTS.c.study.in_(studies), ARTICLES.c.deleted.is_(False))
        .distinct()
    )
    if without_pmid:
        query = query.where(ARTICLES.c.pmid.is_(None))
    rows = [
        (str(rid), str(pmid) if pmid else None, str(pmcid) if pmcid else None)
        for rid, pmid, pmcid in conn.execute(query)
    ]
    rows.sort(key=lambda row: (row[1] is None, row[1] or row[0]))
    # A record keyed by its DOI names its Europe PMC id only in its data.
    by_doi = [rid for rid, pmid, _ in rows if pmid is None and rid.startswith("DOI:")]
    named = _europepmc_ids(conn, by_doi)
    return [Paper(rid, pmid, pmcid, named.get(rid)) for rid, pmid, pmcid in rows]


def _europepmc_ids(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        for rid, data in conn.execute(
            select(ARTICLES.c.id, ARTICLES.c.data).where(ARTICLES.c.id.in_(chunk))
        ):
            article_ids = json.loads(data or "{}").get("article_ids") or []
            named = [a.get("value") for a in article_ids if a.get("type") == "europepmc"]
            if named and named[0]:
                found[str(rid)] = str(named[0])
    return found


@dataclass(frozen=True, slots=True)
class Cited:
    """A paper to ask about: its stored id and its id in a citation source."""

    id: str
    """The stored id ('PMID:…', 'PPR:PPR…', 'PMC:PMC…', 'DOI:…'): what the provenance of the
    papers citing it names, after 'cites:'."""
    src: str
    """Europe PMC's source ('MED' for a PMID, 'PPR', 'PMC', ...)."""
    ext: str
    """Its id in that source (the PMID for MED)."""


def by_pmid(pmid: str) -> Cited:
    return Cited(f"PMID:{pmid}", "MED", pmid)


def europepmc_key(paper: Paper) -> Cited | None:
    """How Europe PMC is asked who cites `paper`, or None when no id of it is known there:
    by PMID (MED), else by the Europe PMC id its data names, else by its own id's prefix
    ('PPR:PPR1' is PPR/PPR1), else by its PMCID."""
    if paper.pmid:
        return by_pmid(paper.pmid)
    prefix, _, rest = paper.id.partition(":")
    src, _, ext = (paper.europepmc_id or "").partition(":")
    if not (src and ext) and prefix != "DOI" and rest:
        src, ext = prefix, rest
    if not (src and ext) and paper.pmcid:
        src, ext = "PMC", paper.pmcid
    return Cited(paper.id, src.upper(), ext) if src and ext else None


def unchaseable(conn: Connection) -> list[str]:
    """Ids of the relevant papers no citation source can be asked about: no PMID, and no id
    Europe PMC knows them by."""
    return [p.id for p in relevant_papers(conn, without_pmid=True) if europepmc_key(p) is None]


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


def ids_by_pmcid(conn: Connection, pmcids: Sequence[str]) -> dict[str, str]:
    """PMCID -> id of the stored article with it (a PMC record may be stored by its DOI)."""
    found: dict[str, str] = {}
    for start in range(0, len(pmcids), 500):
        chunk = list(pmcids[start : start + 500])
        query = select(ARTICLES.c.pmcid, ARTICLES.c.id).where(ARTICLES.c.pmcid.in_(chunk))
        found.update({str(pmcid): str(rid) for pmcid, rid in conn.execute(query)})
    return found


def ids_by_doi(conn: Connection, dois: Sequence[str]) -> dict[str, str]:
    """Lower-cased DOI -> id of the stored article with it (PubMed's record first)."""
    found: dict[str, str] = {}
    for start in range(0, len(dois), 500):
        chunk = [d.lower() for d in dois[start : start + 500]]
        query = (
            select(ARTICLES.c.doi, ARTICLES.c.id)
            .where(ARTICLES.c.doi.in_(chunk))
            .order_by(ARTICLES.c.in_pubmed.desc(), ARTICLES.c.id)
        )
        for doi, rid in conn.execute(query):
            found.setdefault(str(doi), str(rid))
    return found


def stored_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    """Which of `ids` are stored articles."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        found.update(conn.scalars(select(ARTICLES.c.id).where(ARTICLES.c.id.in_(chunk))))
    return found
