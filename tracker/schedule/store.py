"""The scheduler's job store: jobs in memory, rebuilt from [schedule] at every start, with
each job's next run kept in a plain table (schedule_state).

APScheduler's own SQLAlchemy job store pickles every job into the database and unpickles
it at start: anyone able to write that table (a shared PostgreSQL host, say) could run code
as the scheduler's user. Here nothing stored is code: a job id, the schedule it was
computed from (its signature) and an epoch. What the stored next run is for: a run missed
while no scheduler ran is still due at the next start, and happens once (coalesced,
within misfire_grace_time)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.memory import MemoryJobStore
from sqlalchemy import Engine, delete, select

from tracker.store.models import SCHEDULE_STATE

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Stored:
    signature: str
    next_run: datetime | None


def load(engine: Engine) -> dict[str, Stored]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                SCHEDULE_STATE.c.job_id, SCHEDULE_STATE.c.signature, SCHEDULE_STATE.c.next_run_time
            )
        ).all()
    return {
        job_id: Stored(signature, None if epoch is None else datetime.fromtimestamp(epoch, UTC))
        for job_id, signature, epoch in rows
    }


def forget(engine: Engine, job_ids: list[str]) -> None:
    if job_ids:
        with engine.begin() as conn:
            conn.execute(delete(SCHEDULE_STATE).where(SCHEDULE_STATE.c.job_id.in_(job_ids)))


class RememberingJobStore(MemoryJobStore):  # type: ignore[misc]
    """APScheduler's memory store, writing each job's next run through to schedule_state."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine

    def add_job(self, job: Job) -> None:
        super().add_job(job)
        self._save(job)

    def update_job(self, job: Job) -> None:
        super().update_job(job)
        self._save(job)

    def remove_job(self, job_id: str) -> None:
        super().remove_job(job_id)
        forget(self._engine, [job_id])

    def _save(self, job: Job) -> None:
        when: Any = job.next_run_time
        epoch = None if when is None else when.timestamp()
        values = {"signature": job.name, "next_run_time": epoch}
        with self._engine.begin() as conn:
            updated = conn.execute(
                SCHEDULE_STATE.update().where(SCHEDULE_STATE.c.job_id == job.id).values(**values)
            ).rowcount
            if not updated:
                conn.execute(SCHEDULE_STATE.insert().values(job_id=job.id, **values))
