"""Every job run recorded (start, end, outcome, error), and the rules for alerting.

The rule itself (`decide_notice`) is pure: it reads a job's runs, newest first, and says
whether this run calls for an alert, a recovery note, or nothing. Interrupted runs (a
requested stop) are neither failures nor successes and are skipped over.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from tracker.ids import SOURCES
from tracker.runtime.redact import scrub_optional
from tracker.store.models import SCHEDULE_STATE, JobRun

JOB_IDS: tuple[str, ...] = (*(source.value for source in SOURCES), "email")
"""In this order: when two jobs are due together, the sources run before the report."""

RUNS = JobRun.__table__  # type: ignore[attr-defined]
DECISIVE = ("ok", "failed")


@dataclass(frozen=True)
class RunFacts:
    """What the alert rule needs to know of one finished run."""

    outcome: str
    started_at: datetime
    error: str | None = None
    notice: str | None = None


@dataclass(frozen=True)
class JobHealth:
    """A job at a glance, for `tracker status` and for the alert email."""

    job_id: str
    next_run: datetime | None
    last_outcome: str | None
    last_started: datetime | None
    last_finished: datetime | None
    last_error: str | None
    streak: int
    """Consecutive failures up to now (interrupted runs do not break or extend it)."""
    failing_since: datetime | None


def failure_streak(runs: Iterable[RunFacts]) -> list[RunFacts]:
    """The failed runs since the last success, newest first."""
    streak = []
    for run in runs:
        if run.outcome == "ok":
            break
        if run.outcome == "failed":
            streak.append(run)
    return streak


def decide_notice(runs: list[RunFacts], *, threshold: int) -> str | None:
    """'alert' when the newest run makes `threshold` failures in a row and no alert was sent
    for this streak; 'recovery' when it succeeds after a streak that was alerted."""
    if not runs or runs[0].outcome not in DECISIVE:
        return None  # an interrupted run says nothing about the job's health
    decisive = [r for r in runs if r.outcome in DECISIVE]
    newest = decisive[0]
    if newest.outcome == "failed":
        streak = failure_streak(decisive)
        if len(streak) >= threshold and not any(r.notice == "alert" for r in streak):
            return "alert"
        return None
    previous = failure_streak(decisive[1:])
    return "recovery" if any(r.notice == "alert" for r in previous) else None


def start_job_run(engine: Engine, job_id: str, *, now: datetime) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            RUNS.insert().values(
                job_id=job_id,
                started_at=now,
                outcome="running",
                host=socket.gethostname(),
                pid=os.getpid(),
            )
        )
        run_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    assert run_id is not None
    return int(run_id)


def finish_job_run(
    engine: Engine, run_id: int, *, outcome: str, error: str | None, now: datetime
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(RUNS)
            .where(RUNS.c.id == run_id)
            .values(outcome=outcome, error=scrub_optional(error), finished_at=now)
        )


def mark_notice(engine: Engine, run_id: int, notice: str) -> None:
    """Record that the alert or recovery email of this run was accepted by the server."""
    with engine.begin() as conn:
        conn.execute(update(RUNS).where(RUNS.c.id == run_id).values(notice=notice))


def close_abandoned_runs(engine: Engine, *, now: datetime) -> int:
    """Runs left 'running' by a scheduler that was killed: called while holding the
    scheduler lock, so no live scheduler owns them."""
    with engine.begin() as conn:
        return conn.execute(
            update(RUNS)
            .where(RUNS.c.outcome == "running")
            .values(outcome="interrupted", finished_at=now, error="the scheduler was killed")
        ).rowcount


def runs_newest_first(conn: Connection, job_id: str) -> Iterator[RunFacts]:
    """Finished runs of one job, newest first; callers stop reading when they know enough."""
    stmt = (
        select(RUNS.c.outcome, RUNS.c.started_at, RUNS.c.error, RUNS.c.notice)
        .where(RUNS.c.job_id == job_id, RUNS.c.outcome != "running")
        .order_by(RUNS.c.started_at.desc(), RUNS.c.id.desc())
    )
    for row in conn.execute(stmt):
        yield RunFacts(row.outcome, row.started_at, row.error, row.notice)


def job_health(conn: Connection, job_id: str) -> JobHealth:
    last = conn.execute(
        select(RUNS)
        .where(RUNS.c.job_id == job_id)
        .order_by(RUNS.c.started_at.desc(), RUNS.c.id.desc())
        .limit(1)
    ).first()
    streak = failure_streak(runs_newest_first(conn, job_id))
    return JobHealth(
        job_id=job_id,
        next_run=next_run_time(conn, job_id),
        last_outcome=last.outcome if last else None,
        last_started=last.started_at if last else None,
        last_finished=last.finished_at if last else None,
        last_error=(scrub_optional(streak[0].error) if streak else None),
        streak=len(streak),
        failing_since=streak[-1].started_at if streak else None,
    )


def next_run_time(conn: Connection, job_id: str) -> datetime | None:
    """From the scheduler's state table (an epoch float)."""
    epoch = conn.execute(
        select(SCHEDULE_STATE.c.next_run_time).where(SCHEDULE_STATE.c.job_id == job_id)
    ).scalar()
    return None if epoch is None else datetime.fromtimestamp(float(epoch), UTC)
