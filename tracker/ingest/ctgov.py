"""Sync ClinicalTrials.gov: every configured query, one transaction per page.

A crash loses at most the page in flight. The watermark (newest LastUpdatePostDate seen)
only moves when a run completes with every count reconciled, so an interrupted or short
run is simply asked again next time (see tracker.ingest.runs).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import msgspec
from sqlalchemy import Engine

from tracker.config import Config, CtgovQuery
from tracker.http import HttpStats
from tracker.ingest import ctgov_workers
from tracker.ingest.ctgov_workers import split_page
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
from tracker.runtime.workers import WorkerFailed, WorkerPool
from tracker.sources import ctgov
from tracker.store.articles import save_links
from tracker.store.db import session_scope
from tracker.store.readings import SignalReader
from tracker.store.signals import save_signals
from tracker.store.trial_rows import PreparedStudy
from tracker.store.trials import save_prepared
from tracker.store.versioning import PageOutcome

__all__ = ["Progress", "SyncOutcome", "query_hash", "sync_ctgov", "utcnow"]

STORE_CHUNK = ctgov_workers.PART_STUDIES
"""Studies parsed and written at a time inside a page's transaction: parsed records of a
whole 1,000-study page would hold tens of MB at once for no gain."""

log = logging.getLogger("tracker.ctgov")


def query_hash(cfg: Config) -> str:
    return fingerprint([q.model_dump() for q in cfg.ctgov.queries])


def sync_ctgov(
    engine: Engine,
    cfg: Config,
    client: httpx.Client,
    stats: HttpStats,
    *,
    full: bool = False,
    progress: ProgressFn | None = None,
    reader: SignalReader | None = None,
) -> SyncOutcome:
    """Fetch every configured CT.gov query and store it; raises SourceError after storing
    whatever arrived before a failure. `reader` reads each new or changed study's evidence
    signals where it is parsed, and they are stored with it."""
    outcome, watermark = start_run(
        engine, ctgov.SOURCE, query_hash(cfg), full=full, overlap_days=cfg.ctgov.overlap_days
    )

    def work() -> str | None:
        mark = watermark
        for query in cfg.ctgov.queries:
            mark = _sync_query(engine, cfg, client, query, outcome, mark, progress, reader)
        return mark

    return run_to_end(engine, outcome, stats, work)


def _sync_query(
    engine: Engine,
    cfg: Config,
    client: httpx.Client,
    query: CtgovQuery,
    outcome: SyncOutcome,
    watermark: str | None,
    progress: ProgressFn | None,
    reader: SignalReader | None = None,
) -> str | None:
    fetched = 0
    expected: int | None = None
    pages = ctgov.fetch_pages(client, cfg.ctgov, query, since=outcome.since)
    with ctgov_workers.pool() as pool:
        for page in prefetched(_submitted(pages, pool, reader)):
            if page.total_count is not None and expected is None:
                expected = page.total_count
                outcome.expected += expected
            fetched += page.count
            posted = _store_page(engine, page, outcome)
            del page  # stored: hold none of it while the next page downloads
            watermark = max(watermark or "", posted or "") or None
            if progress:
                progress(Progress(ctgov.SOURCE, query.name, fetched, expected))
    if expected is None:
        outcome.expected += fetched  # the registry sent no count: nothing to reconcile against
    elif fetched != expected:
        outcome.errors.append(
            f"ctgov: query {query.name!r}: received {fetched} studies "
            f"but the registry counted {expected}"
        )
    return watermark


@dataclass
class _Page:
    """One page cut into parts, the parts perhaps already on the parse workers."""

    number: int
    count: int
    total_count: int | None
    parts: list[list[msgspec.Raw] | None]
    """Each part until it is stored (None once taken), for the main process to parse
    itself where the workers could not."""
    results: Iterator[list[PreparedStudy]] | None
    reader: SignalReader | None = None


def _submitted(
    pages: Iterator[ctgov.CtgovPage], pool: WorkerPool, reader: SignalReader | None
) -> Iterator[_Page]:
    """Cut each page into parts and start them on the workers, where the page is fetched
    (the prefetch thread): the workers parse page N+1 while page N is stored."""
    for page in pages:
        parts = split_page(page.studies, STORE_CHUNK)
        results = ctgov_workers.submit(pool, parts, reader)
        box = [
            _Page(page.number, len(page.studies), page.total_count, list(parts), results, reader)
        ]
        del page, parts, results  # yielded from a box: this frame holds nothing meanwhile
        yield box.pop()


def _prepared(page: _Page) -> Iterator[list[PreparedStudy]]:
    """The page's studies, a part at a time: from the workers as they finish, or parsed
    here (from the first part not yet taken, if a worker failed)."""
    taken = 0
    if page.results is not None:
        try:
            for result in page.results:
                page.parts[taken] = None
                taken += 1
                yield result
            return
        except WorkerFailed as exc:
            log.info("ctgov: page %d: a parse worker failed (%s); parsing here", page.number, exc)
    for index in range(taken, len(page.parts)):
        part, page.parts[index] = page.parts[index], None
        assert part is not None
        yield ctgov_workers.prepare(part, page.reader)


def _store_page(engine: Engine, page: _Page, outcome: SyncOutcome) -> str | None:
    """One transaction: the page's records, their links and the run's counters.

    Returns the newest LastUpdatePostDate on the page."""
    newest = ""
    total = PageOutcome()
    with session_scope(engine) as session:
        seen_at, conn = utcnow(), session.connection()
        for studies in _prepared(page):
            result = save_prepared(conn, studies, seen_at=seen_at, run_id=outcome.run_id)
            save_links(conn, [link for s in studies for link in s.links], seen_at=seen_at)
            changed = {*result.new_ids, *result.changed_ids}
            rows = [s.signals for s in studies if s.signals and s.nct_id in changed]
            save_signals(conn, rows, dict.fromkeys(result.new_ids, 1))  # a new record's is 1
            total.add(result)
            newest = max(newest, *(s.columns["last_update_posted"] or "" for s in studies), "")
        record_page(session, outcome, total, fetched=page.count)
    return newest or None
