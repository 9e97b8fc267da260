"""Run one sync of one source: a SyncRun row, one transaction per page, a watermark.

A page is stored, with the run's counters, in one transaction; a crash loses at most the
page in flight. The watermark only moves when a run completes with every count
reconciled, so an interrupted or short run is simply asked again next time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import httpx
import msgspec
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from tracker.config import Config, CtgovQuery
from tracker.db import session_scope
from tracker.errors import SourceError
from tracker.http import HttpStats
from tracker.models import SyncRun
from tracker.payload import pack_all
from tracker.prefetch import prefetched
from tracker.sources import ctgov
from tracker.store import save_trials

ProgressFn = Callable[["Progress"], None]


@dataclass
class Progress:
    """What a progress bar shows: the query in hand and the counts so far."""

    source: str
    query: str
    fetched: int
    expected: int | None


@dataclass
class SyncOutcome:
    source: str
    run_id: int
    full: bool
    since: date | None
    fetched: int = 0
    expected: int = 0
    new_records: int = 0
    new_versions: int = 0
    events: int = 0
    complete: bool = False
    errors: list[str] = field(default_factory=list)


def utcnow() -> datetime:
    return datetime.now(UTC)


def query_hash(cfg: Config) -> str:
    """Identifies the question asked; a different one needs a full sync, not an increment."""
    payload = json.dumps([q.model_dump() for q in cfg.ctgov.queries], sort_keys=True)
    return hashlib.sha1(payload.encode(), usedforsecurity=False).hexdigest()


def last_complete_run(session: Session, source: str, qhash: str) -> SyncRun | None:
    stmt = (
        select(SyncRun)
        .where(
            col(SyncRun.source) == source, col(SyncRun.query_hash) == qhash, col(SyncRun.complete)
        )
        .order_by(col(SyncRun.started_at).desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


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
    qhash = query_hash(cfg)
    with session_scope(engine) as session:
        previous = None if full else last_complete_run(session, ctgov.SOURCE, qhash)
        since = _since(previous, cfg.ctgov.overlap_days)
        run = SyncRun(
            source=ctgov.SOURCE, started_at=utcnow(), full=since is None, query_hash=qhash
        )
        session.add(run)
        session.flush()
        assert run.id is not None
        outcome = SyncOutcome(source=ctgov.SOURCE, run_id=run.id, full=since is None, since=since)
    retries_before = stats.retries
    watermark = previous.watermark if previous else None
    try:
        for query in cfg.ctgov.queries:
            watermark = _sync_query(engine, cfg, client, query, since, outcome, watermark, progress)
    except SourceError as exc:
        outcome.errors.append(str(exc))
        _finish(engine, outcome, "failed", None, stats.retries - retries_before)
        raise
    except BaseException:
        _finish(engine, outcome, "interrupted", None, stats.retries - retries_before)
        raise
    outcome.complete = _reconciled(outcome)
    _finish(
        engine,
        outcome,
        "ok",
        watermark if outcome.complete else None,
        stats.retries - retries_before,
    )
    return outcome


def _since(previous: SyncRun | None, overlap_days: int) -> date | None:
    if previous is None or not previous.watermark:
        return None
    return date.fromisoformat(previous.watermark) - timedelta(days=overlap_days)


def _sync_query(
    engine: Engine,
    cfg: Config,
    client: httpx.Client,
    query: CtgovQuery,
    since: date | None,
    outcome: SyncOutcome,
    watermark: str | None,
    progress: ProgressFn | None,
) -> str | None:
    fetched = 0
    expected: int | None = None
    pages = prefetched(_packed(ctgov.fetch_pages(client, cfg.ctgov, query, since=since)))
    for page, packed in pages:
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


STORE_CHUNK = 250
"""Studies parsed and written at a time inside a page's transaction: parsed records of a
whole 1,000-study page would hold tens of MB at once for no gain."""


def _store_page(
    engine: Engine, raws: list[msgspec.Raw], packed: list[bytes], outcome: SyncOutcome
) -> str | None:
    """One transaction: the page's records and the run's counters, together or not at all.

    Returns the newest LastUpdatePostDate on the page."""
    newest = ""
    with session_scope(engine) as session:
        seen_at = utcnow()
        for start in range(0, len(raws), STORE_CHUNK):
            chunk = zip(
                raws[start : start + STORE_CHUNK], packed[start : start + STORE_CHUNK], strict=True
            )
            studies = [ctgov.read_study(raw, blob) for raw, blob in chunk]
            result = save_trials(
                session.connection(), studies, seen_at=seen_at, run_id=outcome.run_id
            )
            outcome.new_records += result.new_records
            outcome.new_versions += result.new_versions
            outcome.events += result.events
            outcome.errors.extend(result.parse_errors)
            posted = (s.trial.last_update_posted or "" for s in studies if s.trial)
            newest = max(newest, *posted, "")
        outcome.fetched += len(raws)
        run = session.get_one(SyncRun, outcome.run_id)
        run.pages += 1
        _copy_counts(run, outcome)
    return newest or None


def _packed(pages: Iterator[ctgov.CtgovPage]) -> Iterator[tuple[ctgov.CtgovPage, list[bytes]]]:
    """Compress each page's payloads where the page is fetched (the prefetch thread)."""
    for page in pages:
        packed = pack_all(page.studies)
        yield page, packed
        del page, packed  # hold no page while the next one downloads


def _reconciled(outcome: SyncOutcome) -> bool:
    return not outcome.errors and outcome.fetched == outcome.expected


def _copy_counts(run: SyncRun, outcome: SyncOutcome) -> None:
    run.fetched = outcome.fetched
    run.expected = outcome.expected
    run.new_records = outcome.new_records
    run.new_versions = outcome.new_versions
    run.errors = json.dumps(outcome.errors)


def _finish(
    engine: Engine, outcome: SyncOutcome, status: str, watermark: str | None, retries: int
) -> None:
    with session_scope(engine) as session:
        run = session.get_one(SyncRun, outcome.run_id)
        _copy_counts(run, outcome)
        run.status = status
        run.finished_at = utcnow()
        run.retries = retries
        run.complete = status == "ok" and outcome.complete
        run.watermark = watermark
