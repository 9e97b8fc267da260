"""Sync ClinicalTrials.gov: every configured query, one transaction per page.

A crash loses at most the page in flight. The watermark (newest LastUpdatePostDate seen)
only moves when a run completes with every count reconciled, so an interrupted or short
run is simply asked again next time (see tracker.runs).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import msgspec
from sqlalchemy import Engine

from tracker.article_store import save_links
from tracker.config import Config, CtgovQuery
from tracker.db import session_scope
from tracker.http import HttpStats
from tracker.linking import trial_links
from tracker.malloc import map_large_buffers
from tracker.payload import pack_all
from tracker.prefetch import prefetched
from tracker.runs import (
    Progress,
    ProgressFn,
    SyncOutcome,
    fingerprint,
    record_page,
    run_to_end,
    start_run,
    utcnow,
)
from tracker.sources import ctgov
from tracker.store import save_trials
from tracker.versioning import PageOutcome

__all__ = ["Progress", "SyncOutcome", "query_hash", "sync_ctgov", "utcnow"]

STORE_CHUNK = 250
"""Studies parsed and written at a time inside a page's transaction: parsed records of a
whole 1,000-study page would hold tens of MB at once for no gain."""


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
) -> SyncOutcome:
    """Fetch every configured CT.gov query and store it; raises SourceError after storing
    whatever arrived before a failure."""
    map_large_buffers()
    outcome, watermark = start_run(
        engine, ctgov.SOURCE, query_hash(cfg), full=full, overlap_days=cfg.ctgov.overlap_days
    )

    def work() -> str | None:
        mark = watermark
        for query in cfg.ctgov.queries:
            mark = _sync_query(engine, cfg, client, query, outcome, mark, progress)
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
) -> str | None:
    fetched = 0
    expected: int | None = None
    pages = ctgov.fetch_pages(client, cfg.ctgov, query, since=outcome.since)
    for page, packed in prefetched(_packed(pages)):
        if page.total_count is not None and expected is None:
            expected = page.total_count
            outcome.expected += expected
        fetched += len(page.studies)
        posted = _store_page(engine, page.studies, packed, outcome)
        del page, packed  # stored: hold no body while the next page downloads
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


def _store_page(
    engine: Engine, raws: list[msgspec.Raw], packed: list[bytes], outcome: SyncOutcome
) -> str | None:
    """One transaction: the page's records, their links and the run's counters.

    Returns the newest LastUpdatePostDate on the page."""
    newest = ""
    total = PageOutcome()
    with session_scope(engine) as session:
        seen_at, conn = utcnow(), session.connection()
        for start in range(0, len(raws), STORE_CHUNK):
            end = start + STORE_CHUNK
            studies = [
                ctgov.read_study(raw, blob)
                for raw, blob in zip(raws[start:end], packed[start:end], strict=True)
            ]
            result = save_trials(conn, studies, seen_at=seen_at, run_id=outcome.run_id)
            trials = [s.trial for s in studies if s.trial]
            save_links(conn, trial_links(trials), seen_at=seen_at)
            total.add(result)
            newest = max(newest, *(t.last_update_posted or "" for t in trials), "")
        record_page(session, outcome, total, fetched=len(raws))
    return newest or None


def _packed(pages: Iterator[ctgov.CtgovPage]) -> Iterator[tuple[ctgov.CtgovPage, list[bytes]]]:
    """Compress each page's payloads where the page is fetched (the prefetch thread)."""
    for page in pages:
        packed = pack_all(page.studies)
        yield page, packed
        del page, packed  # hold no page while the next one downloads
