"""Europe PMC's part of the citation chase (see tracker.ingest.chase): /{source}/{id}/citations
for the papers due (/MED/{pmid} for a paper with a PMID, /PPR/PPR… for a preprint, /PMC/PMC…,
...: Europe PMC also lists and is asked about preprints and full texts PubMed's elink does
not know), then a search by id for the citing records the store lacks, stored as the query's
pages are."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import date

import httpx
from sqlalchemy import Connection, Engine

from tracker.config import Config
from tracker.ids import Source
from tracker.ingest.chase import Spent, plan_chase, record_chase, stored_index_pmid
from tracker.ingest.runs import SyncOutcome
from tracker.sources import europepmc
from tracker.sources.europepmc import EpmcPage, FetchedResult
from tracker.sources.europepmc_citations import Citing, citing_records, listed_id
from tracker.store.chases import ids_by_doi, ids_by_pmcid, stored_ids
from tracker.store.db import session_scope

log = logging.getLogger("tracker.europepmc")

VIA = Source.EUROPEPMC
"""The citations' source, as stored in citations.source and citation_chases.source."""
IDS_PER_SEARCH = 50
"""Citing records asked for in one search query (an OR of id clauses)."""

StorePage = Callable[[list[FetchedResult]], object]
"""Stores one page of results as the query's pages are stored."""


def chase_europepmc(
    engine: Engine,
    client: httpx.Client,
    cfg: Config,
    outcome: SyncOutcome,
    *,
    today: date,
    full: bool,
    store_page: StorePage,
    spent: Spent,
) -> None:
    """Ask who cites the papers due (by PMID, or by their Europe PMC id when they have
    none), fetch the citing records the store lacks, and record the citations. `spent` is
    what this command's chase through Europe PMC has asked and fetched so far."""
    if not spent.index_known:
        spent.index, spent.index_known = stored_index_pmid(engine, cfg), True
    plan = plan_chase(
        engine,
        VIA,
        index_pmid=spent.index,
        cfg=cfg.citations,
        today=today,
        full=full,
        spent=spent,
        any_id=True,
    )
    for cited in plan.cited:
        spent.asked.add(cited.id)
        citing = citing_records(client, cfg.europepmc, cited.src, cited.ext)
        with session_scope(engine) as session:
            known = _stored_as(session.connection(), citing)
        missing = [c for c in citing if c.id not in known]
        taken = spent.take(missing, cfg.citations)
        fetched: list[FetchedResult] = []
        for page in _search_by_id(client, cfg, taken):
            if page.number == 1:
                outcome.expected += page.hit_count or 0
            results = [europepmc.read_result(r) for r in page.results]
            store_page(results)
            fetched += results
        with session_scope(engine) as session:
            known |= _fetched_as(session.connection(), fetched)
        own = {r.id for r in fetched}
        done = len(taken) == len(missing)
        record_chase(
            engine,
            outcome,
            cited=cited.id,
            via=VIA,
            citing=list(dict.fromkeys(known.get(c.id, c.id) for c in citing)),
            # Found by this chase: the records it stored as their own, not those it only
            # merged into a paper another source had stored.
            fetched=[rid for c in taken if (rid := known.get(c.id, c.id)) in own],
            of_index=plan.of_index(cited),
            done=done,
            today=today,
        )
        if not done:
            log.info("europepmc: citing records fetched up to the run's bound; more next run")
            return


def _stored_as(conn: Connection, citing: Sequence[Citing]) -> dict[str, str]:
    """Listed id -> stored id of the citing records the store has: most under the id the
    list gives them, a PMC record with a DOI under 'DOI:…' (found by its PMCID)."""
    known = {rid: rid for rid in stored_ids(conn, [c.id for c in citing])}
    pmc = [c.ext_id for c in citing if c.src == "PMC" and c.id not in known]
    by_pmcid = ids_by_pmcid(conn, pmc)
    known |= {listed_id("PMC", p): rid for p, rid in by_pmcid.items()}
    return known


def _fetched_as(conn: Connection, fetched: Sequence[FetchedResult]) -> dict[str, str]:
    """Listed id -> stored id of the records a search by id just brought (and stored): a
    result's own id, or the stored paper's with its DOI when it was only another report of
    that paper."""
    stored = stored_ids(conn, [r.id for r in fetched])
    merged = ids_by_doi(conn, [r.doi for r in fetched if r.doi and r.id not in stored])
    known: dict[str, str] = {}
    for result in fetched:
        rid = result.id if result.id in stored else merged.get((result.doi or "").lower())
        if rid is None or result.record is None:
            continue
        for named in result.record.article_ids:
            if named.type == "europepmc":  # 'SRC:id', as Europe PMC names it
                src, _, ext = named.value.partition(":")
                known[listed_id(src, ext)] = rid
    return known


def _search_by_id(
    client: httpx.Client, cfg: Config, wanted: Sequence[Citing]
) -> Iterator[EpmcPage]:
    """Pages of a /search for `wanted` by Europe PMC id and source, a chunk at a time."""
    for start in range(0, len(wanted), IDS_PER_SEARCH):
        chunk = wanted[start : start + IDS_PER_SEARCH]
        query = " OR ".join(f"(EXT_ID:{c.ext_id} AND SRC:{c.src})" for c in chunk)
        asked = cfg.europepmc.model_copy(update={"query": query})
        yield from europepmc.fetch_pages(client, asked, since=None)
