"""The job function APScheduler's job store refers to: `tracker.schedule.jobs:run_job`.

The job store pickles a reference to this module-level function and the job id, never
a closure, so a restarted scheduler finds its jobs again. Each run takes the writer lock,
runs its command as a child `tracker` process holding that lock (tracker.schedule.child),
is recorded in job_runs whatever happens, and may send one alert or recovery note.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from tracker.config import Config
from tracker.errors import LockedError, TrackerError
from tracker.runtime.interrupt import stop_requested
from tracker.schedule import alerts, history
from tracker.schedule.child import forward_stop, run_child, tracker_argv
from tracker.schedule.lock import WRITER, WriterLock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    """What every job run needs; set once by the scheduler process (`configure`)."""

    cfg: Config
    engine: Engine
    commands: dict[str, list[str]]
    """job id -> the tracker command it runs, e.g. ["sync", "--source", "ctgov"]."""


_context: JobContext | None = None
_running = 0
_idle = threading.Condition()


def configure(context: JobContext) -> None:
    global _context
    _context = context


def now() -> datetime:
    return datetime.now(UTC)


def run_job(job_id: str) -> None:
    """One scheduled run: lock, work, record, notify. Never raises: the outcome is in job_runs
    and in the log, and the scheduler goes on with the next run."""
    global _running
    ctx = _context
    if ctx is None:
        raise RuntimeError("tracker.schedule.jobs.configure() was not called")
    with _idle:
        _running += 1
    try:
        run_id = history.start_job_run(ctx.engine, job_id, now=now())
        log.info("job %s: started", job_id)
        outcome, error = _attempt(ctx, job_id)
        history.finish_job_run(ctx.engine, run_id, outcome=outcome, error=error, now=now())
        log_line = f"job {job_id}: {outcome}" + (f": {error}" if error else "")
        (log.error if outcome == "failed" else log.info)(log_line)
        _notify(ctx, job_id, run_id)
    except Exception:  # the database itself failed: say so, keep the scheduler alive
        log.exception("job %s: could not be recorded", job_id)
    finally:
        with _idle:
            _running -= 1
            _idle.notify_all()


def _attempt(ctx: JobContext, job_id: str) -> tuple[str, str | None]:
    """Run the job's command under the writer lock; the outcome and the error line."""
    schedule = ctx.cfg.schedule
    lock = WriterLock(
        ctx.engine,
        WRITER,
        command=f"tracker schedule: {job_id}",
        heartbeat=schedule.lock_heartbeat,
        stale_after=schedule.lock_stale_after,
        on_lost=forward_stop,
    )
    try:
        lock.acquire(wait=True, should_stop=stop_requested)
    except LockedError as exc:
        return ("interrupted" if stop_requested() else "failed"), str(exc)
    try:
        steps = [ctx.commands[job_id]]
        if ctx.cfg.site is not None and ctx.commands[job_id][:1] == ["sync"]:
            steps.append(["site"])  # [site] is set: the website follows every sync
        for step in steps:
            result = run_child(
                tracker_argv(ctx.cfg, step),
                log=logging.getLogger(f"{__name__}.{job_id}"),
                lock_token=lock.token,
                timeout=schedule.job_timeout,
            )
            if result.code != 0 or result.timed_out or stop_requested():
                break
    finally:
        lock.release()
    if result.timed_out:
        return "failed", "; ".join(result.errors)
    if stop_requested() or lock.lost.is_set():
        # The child stored its page and ended its run as interrupted (exit 0), or failed.
        return "interrupted", "; ".join(result.errors) or "stopped on request"
    if result.code == 0:
        return "ok", None
    return "failed", "; ".join(result.errors) or f"exit code {result.code}"


def _notify(ctx: JobContext, job_id: str, run_id: int) -> None:
    """Send the alert or recovery note this run calls for. Only an accepted alert is
    recorded, so an alert that could not be sent is tried again after the next failure."""
    with ctx.engine.connect() as conn:
        runs = list(_enough_runs(history.runs_newest_first(conn, job_id)))
        health = history.job_health(conn, job_id)
    notice = history.decide_notice(runs, threshold=ctx.cfg.schedule.failures_before_alert)
    if notice is None:
        return
    if notice == "alert":
        subject, body = alerts.alert_text(health)
    else:
        previous = history.failure_streak(r for r in runs[1:] if r.outcome in history.DECISIVE)
        since = previous[-1].started_at if previous else None
        subject, body = alerts.recovery_text(job_id, since, now())
    if not alerts.can_email(ctx.cfg):
        # No mail server set up: the log (journal, --log-file) and `tracker status` carry it.
        log.error("job %s: %s (not emailed: [email] is not set up)", job_id, subject)
        history.mark_notice(ctx.engine, run_id, notice)
        return
    try:
        alerts.send_notice(ctx.cfg, subject, body, now=now())
    except TrackerError as exc:
        log.error("job %s: could not send the %s email: %s", job_id, notice, exc)
        return
    history.mark_notice(ctx.engine, run_id, notice)


def _enough_runs(runs: Iterator[history.RunFacts]) -> list[history.RunFacts]:
    """The newest run, the failures behind it and the success that ends them: no more
    is read, however long the history."""
    taken: list[history.RunFacts] = []
    for run in runs:
        taken.append(run)
        if run.outcome == "ok" and len(taken) > 1:
            break
    return taken


def wait_until_idle(timeout: float | None = None) -> bool:
    """Block until no job is running (after a stop request, the one in flight finishes)."""
    with _idle:
        return _idle.wait_for(lambda: _running == 0, timeout=timeout)
