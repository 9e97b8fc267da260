"""Sync Europe PMC: the configured query through /search, one transaction per page.

One paper is one record, whatever reported it. A result PubMed already gave us only
gains the in_europepmc mark and its annotation links: PubMed's record is the richer one
(DataBank list, corrections, history dates) and must not flip to Europe PMC's shape and
back on every run. A result without a PMID whose DOI a stored article has is that paper
too. Everything else (preprints, records PubMed lacks) is stored as Europe PMC's record.

A first (or --full) sync asks for everything; later ones for what Europe PMC indexed
since the watermark (the newest firstIndexDate seen) minus an overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import httpx
from sqlalchemy import Connection, Engine, select, update

from tracker.config import Config
from tracker.http import HttpStats
from tracker.ids import Source
from tracker.ingest.article_signals import save_article_signals
from tracker.ingest.chase import Spent
from tracker.ingest.europepmc_chase import chase_europepmc
from tracker.ingest.prefetch import prefetched
from tracker.ingest.runs import (
    Progress,
    ProgressFn,
    SyncOutcome,
    fingerprint,
    record_page,
    run_to_end,
    start_run,
    utcnow,
)
from tracker.records.links import LinkTriple, article_links
from tracker.sources import europepmc
from tracker.sources.europepmc import FetchedResult
from tracker.store.articles import ARTICLES, FetchedArticle, save_articles, save_links
from tracker.store.db import session_scope
from tracker.store.readings import SignalReader

OVERLAP_DAYS = 7
"""Incremental syncs re-ask this many days before the watermark: a record can become
searchable some days after the firstIndexDate it carries."""
ANNOTATION = "europepmc_annotation"
"""Provenance of a link from Europe PMC's text-mined accession numbers."""


@dataclass(frozen=True, slots=True)
class Known:
    """What is stored about one page's results, to tell which ones are papers we have."""

    pubmed_ids: frozenset[str]
    """Ids among the page's PMIDs whose stored record came from PubMed."""
    by_doi: Mapping[str, str]
    """Lower-cased DOI -> id of the stored article with that DOI."""


def merge_target(article_id: str, doi: str | None, known: Known) -> str | None:
    """The stored article a result is only another report of, or None to store it.

    PubMed's record wins over Europe PMC's for the same PMID; a result without a PMID
    (a Europe PMC record of another source) is the stored paper with its DOI."""
    if article_id in known.pubmed_ids:
        return article_id
    if doi and not article_id.startswith("PMID:"):
        target = known.by_doi.get(doi.lower())
        if target is not None and target != article_id:
            return target
    return None


def split_page(
    results: Sequence[FetchedResult], known: Known
) -> tuple[list[FetchedResult], dict[str, str]]:
    """(results to store, {result id: stored article id} for results merged into one)."""
    stored: list[FetchedResult] = []
    merged: dict[str, str] = {}
    for result in results:
        target = merge_target(result.id, result.doi, known)
        if target is None:
            stored.append(result)
        else:
            merged[result.id] = target
    return stored, merged


def page_links(results: Iterable[FetchedResult], merged: Mapping[str, str]) -> list[LinkTriple]:
    """Links of one page: a stored result's own (DataBank, abstract) plus its annotations;
    a merged result adds only its annotations, to the article it merged into."""
    links: list[LinkTriple] = []
    for result in results:
        target = merged.get(result.id)
        if target is None and result.record is not None:
            links += article_links(result.record)
        links += [(target or result.id, nct, ANNOTATION) for nct in result.annotated_trials]
    return list(dict.fromkeys(links))


def sync_europepmc(
    engine: Engine,
    cfg: Config,
    client: httpx.Client,
    stats: HttpStats,
    *,
    full: bool = False,
    progress: ProgressFn | None = None,
    today: date | None = None,
    reader: SignalReader | None = None,
    spent: Spent | None = None,
) -> SyncOutcome:
    """Fetch the configured Europe PMC query and store it, then chase citations (see
    tracker.ingest.chase; `spent` carries what this command's chase has done); raises
    SourceError after storing whatever arrived before a failure. `reader` reads the evidence
    signals of each new or changed record stored as Europe PMC's own, and they are stored
    with it."""
    qhash = fingerprint({Source.EUROPEPMC: cfg.europepmc.query})
    outcome, watermark = start_run(
        engine, europepmc.SOURCE, qhash, full=full, overlap_days=OVERLAP_DAYS
    )
    spent = spent if spent is not None else Spent()

    def work() -> str | None:
        mark = watermark
        pages = europepmc.fetch_pages(
            client, cfg.europepmc, since=outcome.since, page_size=europepmc.PAGE_SIZE
        )
        fetched, expected = 0, None
        for page in prefetched(pages):
            if page.number == 1:  # hitCount is on every page; the first one's is the total
                expected = page.hit_count
                outcome.expected += expected or 0
            fetched += len(page.results)
            results = [europepmc.read_result(r) for r in page.results]
            newest = _store_page(engine, results, outcome, reader)
            mark = max(mark or "", newest or "") or None
            if progress:
                progress(Progress(europepmc.SOURCE, _label(outcome), fetched, expected))
        _reconcile(outcome, fetched, expected)
        chase_and_store(
            engine,
            cfg,
            client,
            outcome,
            reader,
            today=today or utcnow().date(),
            full=full,
            spent=spent,
        )
        return mark

    return run_to_end(engine, outcome, stats, work)


def chase_and_store(
    engine: Engine,
    cfg: Config,
    client: httpx.Client,
    outcome: SyncOutcome,
    reader: SignalReader | None,
    *,
    today: date,
    full: bool,
    spent: Spent,
) -> None:
    """Ask who cites the relevant papers and store the citing records in `outcome`'s run:
    the sync's own chase, and the chase after the judging (tracker.ingest.every)."""
    chase_europepmc(
        engine,
        client,
        cfg,
        outcome,
        today=today,
        full=full,
        store_page=lambda results: _store_page(engine, results, outcome, reader),
        spent=spent,
    )


def _label(outcome: SyncOutcome) -> str:
    return "search" if outcome.since is None else f"search since {outcome.since}"


def _reconcile(outcome: SyncOutcome, fetched: int, expected: int | None) -> None:
    """Compare what arrived with hitCount; a short (or long) walk is asked again."""
    if expected is None:
        outcome.expected += fetched  # no count sent: nothing to reconcile against
    elif fetched != expected:
        outcome.errors.append(
            f"europepmc: received {fetched} results but the API counted {expected}"
        )


def _store_page(
    engine: Engine,
    results: list[FetchedResult],
    outcome: SyncOutcome,
    reader: SignalReader | None = None,
) -> str | None:
    """One transaction: the page's new records and their evidence signals, the marks on
    papers we already have, the links and the run's counters. Returns the newest
    firstIndexDate on the page."""
    with session_scope(engine) as session:
        seen_at, conn = utcnow(), session.connection()
        stored, merged = split_page(results, _known(conn, results))
        articles = [
            FetchedArticle(id=r.id, raw=bytes(r.raw), record=r.record, error=r.error)
            for r in stored
        ]
        page = save_articles(
            conn, articles, source=europepmc.SOURCE, seen_at=seen_at, run_id=outcome.run_id
        )
        save_article_signals(conn, articles, page, source=Source.EUROPEPMC, reader=reader)
        _mark(conn, sorted(set(merged.values())))
        save_links(conn, page_links(results, merged), seen_at=seen_at)
        record_page(session, outcome, page, fetched=len(results))
    return max((r.index_date for r in results if r.index_date), default=None)


def _known(conn: Connection, results: Sequence[FetchedResult]) -> Known:
    pmids = [r.id for r in results if r.id.startswith("PMID:")]
    dois = sorted({r.doi.lower() for r in results if r.doi and not r.id.startswith("PMID:")})
    pubmed_ids: set[str] = set()
    for chunk in _chunks(pmids):
        query = select(ARTICLES.c.id).where(ARTICLES.c.id.in_(chunk), ARTICLES.c.in_pubmed)
        pubmed_ids.update(conn.scalars(query))
    rows: list[tuple[str, str, bool]] = []
    for chunk in _chunks(dois):
        query = select(ARTICLES.c.doi, ARTICLES.c.id, ARTICLES.c.in_pubmed).where(
            ARTICLES.c.doi.in_(chunk)
        )
        rows.extend((doi, rid, bool(in_pubmed)) for doi, rid, in_pubmed in conn.execute(query))
    by_doi: dict[str, str] = {}
    # Two stored papers with one DOI should not happen; if it does, PubMed's one wins.
    for doi, rid, _ in sorted(rows, key=lambda row: (not row[2], row[1])):
        by_doi.setdefault(doi, rid)
    return Known(pubmed_ids=frozenset(pubmed_ids), by_doi=by_doi)


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    """Slices small enough for every driver's bound-parameter limit."""
    return (values[start : start + size] for start in range(0, len(values), size))


def _mark(conn: Connection, ids: Sequence[str]) -> None:
    """Record that Europe PMC reports these stored papers too: the flag, nothing else."""
    for chunk in _chunks(ids):
        conn.execute(
            update(ARTICLES)
            .where(ARTICLES.c.id.in_(chunk), ARTICLES.c.in_europepmc.is_(False))
            .values(in_europepmc=True)
        )
