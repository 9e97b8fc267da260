"""Bookkeeping every sync shares: a SyncRun row, counters stored with each page, and an
honest ending (ok, failed or interrupted) whatever happens in between."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col

from tracker.errors import SourceError
from tracker.http import HttpStats
from tracker.runtime.interrupt import Interrupted, stop_requested
from tracker.runtime.redact import scrub
from tracker.store.db import session_scope
from tracker.store.models import SyncRun
from tracker.store.versioning import PageOutcome


@dataclass
class Progress:
    """What a progress bar shows: the query in hand and the counts so far."""

    source: str
    query: str
    fetched: int
    expected: int | None


ProgressFn = Callable[[Progress], None]


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


def fingerprint(question: object) -> str:
    """Identifies the question asked; a different one needs a full sync, not an increment."""
    payload = json.dumps(question, sort_keys=True, default=str)
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


def since_watermark(previous: SyncRun | None, overlap_days: int) -> date | None:
    """Where an incremental sync starts: the last complete watermark minus the overlap."""
    if previous is None or not previous.watermark:
        return None
    return date.fromisoformat(previous.watermark) - timedelta(days=overlap_days)


def start_run(
    engine: Engine, source: str, qhash: str, *, full: bool, overlap_days: int
) -> tuple[SyncOutcome, str | None]:
    """Open a SyncRun; returns its outcome (with `since`) and the previous watermark."""
    with session_scope(engine) as session:
        close_abandoned(session, source)
        previous = None if full else last_complete_run(session, source, qhash)
        since = since_watermark(previous, overlap_days)
        run = SyncRun(source=source, started_at=utcnow(), full=since is None, query_hash=qhash)
        session.add(run)
        session.flush()
        assert run.id is not None
        outcome = SyncOutcome(source=source, run_id=run.id, full=since is None, since=since)
    return outcome, previous.watermark if previous else None


def close_abandoned(session: Session, source: str) -> int:
    """Runs of `source` still 'running' when a new one starts were killed (kill -9, a power
    cut): a sync holds the writer lock, so none of them can still be going. They are
    recorded as interrupted, so `status` does not show them running for ever."""
    stale = session.scalars(
        select(SyncRun).where(col(SyncRun.source) == source, col(SyncRun.status) == "running")
    ).all()
    for run in stale:
        run.status = "interrupted"
        run.finished_at = run.finished_at or utcnow()
        errors = json.loads(run.errors or "[]")
        run.errors = json.dumps([*errors, "the process ended without recording an outcome"])
        session.add(run)
    return len(stale)


def record_page(session: Session, outcome: SyncOutcome, result: PageOutcome, fetched: int) -> None:
    """Add one stored page to the counters, in the page's own transaction.

    Callers call this last in the page's transaction: when a stop was requested it commits
    the page and raises Interrupted."""
    outcome.fetched += fetched
    outcome.new_records += result.new_records
    outcome.new_versions += result.new_versions
    outcome.events += result.events
    outcome.errors.extend(result.parse_errors)
    run = session.get_one(SyncRun, outcome.run_id)
    run.pages += 1
    _copy_counts(run, outcome)
    if stop_requested():
        # The one stop point every source shares: the page is kept, then the run ends.
        session.commit()
        raise Interrupted(f"{outcome.source}: stopped on request after {run.pages} pages")


@contextmanager
def _refused_as_source_error(source: str) -> Iterator[None]:
    """A page's transaction the database rolled back fails this source with a line saying
    so, and the other sources still run (a traceback here used to end the sync)."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise SourceError(source, f"the database refused a page: {_first(exc)}") from exc


def run_to_end(
    engine: Engine, outcome: SyncOutcome, stats: HttpStats, work: Callable[[], str | None]
) -> SyncOutcome:
    """Run `work` (which returns the new watermark) and close the SyncRun whatever happens:
    'failed' on a SourceError, 'interrupted' on anything else, else 'ok'. The watermark
    moves only when every count reconciles."""
    retries_before = stats.retries
    try:
        with _refused_as_source_error(outcome.source):
            watermark = work()
    except SourceError as exc:
        # Without the "source: " prefix: every view of a run's errors names its source.
        outcome.errors.append(exc.detail)
        _finish(engine, outcome, "failed", None, stats.retries - retries_before)
        raise
    except BaseException:
        _finish(engine, outcome, "interrupted", None, stats.retries - retries_before)
        raise
    outcome.complete = not outcome.errors and outcome.fetched == outcome.expected
    kept = watermark if outcome.complete else None
    _finish(engine, outcome, "ok", kept, stats.retries - retries_before)
    return outcome


def extend_run(
    engine: Engine, outcome: SyncOutcome, stats: HttpStats, work: Callable[[], None]
) -> None:
    """Run more `work` inside the finished run of `outcome` (the citation chase after the
    judging): what it stores counts in the run. A SourceError marks the run failed, with the
    error (what was stored stays stored; the next run starts from the last complete one's
    watermark) and is raised; anything else marks it interrupted. The run keeps the time it
    finished at: that is when its query ended."""
    retries_before = stats.retries
    try:
        with _refused_as_source_error(outcome.source):
            work()
    except SourceError as exc:
        outcome.errors.append(exc.detail)
        outcome.complete = False
        _amend(engine, outcome, "failed", stats.retries - retries_before)
        raise
    except BaseException:
        outcome.complete = False
        _amend(engine, outcome, "interrupted", stats.retries - retries_before)
        raise
    # As run_to_end decides it: a warning the work added leaves the run incomplete too.
    outcome.complete = (
        outcome.complete and not outcome.errors and outcome.fetched == outcome.expected
    )
    _amend(engine, outcome, None, stats.retries - retries_before)


def _amend(engine: Engine, outcome: SyncOutcome, status: str | None, retries: int) -> None:
    with session_scope(engine) as session:
        run = session.get_one(SyncRun, outcome.run_id)
        _copy_counts(run, outcome)
        run.status = status or run.status
        run.retries += retries
        if not outcome.complete:
            run.complete, run.watermark = False, None


def _first(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {lines[0] if lines else 'no detail'}"


def _copy_counts(run: SyncRun, outcome: SyncOutcome) -> None:
    run.fetched = outcome.fetched
    run.expected = outcome.expected
    run.new_records = outcome.new_records
    run.new_versions = outcome.new_versions
    run.errors = json.dumps([scrub(e) for e in outcome.errors])


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
