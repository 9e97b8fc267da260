"""The scheduler's jobs are rebuilt from [schedule] at every start; only plain next-run
times are stored, so nothing written to the database is ever unpickled. Both backends."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, select

from tracker.config import Config, ScheduleConfig
from tracker.schedule.scheduler import build_scheduler, reconcile_jobs
from tracker.schedule.triggers import job_specs
from tracker.store.models import SCHEDULE_STATE


def _config(**schedule: str) -> Config:
    return Config().model_copy(update={"schedule": ScheduleConfig(**schedule)})


def _state(engine) -> dict[str, tuple[str, float | None]]:
    with engine.connect() as conn:
        rows = conn.execute(select(SCHEDULE_STATE)).all()
    return {job_id: (signature, epoch) for job_id, signature, epoch in rows}


def test_no_pickled_job_table_exists(engine) -> None:
    assert "apscheduler_jobs" not in inspect(engine).get_table_names()
    assert "schedule_state" in inspect(engine).get_table_names()


def test_jobs_come_from_the_config_and_keep_a_stored_next_run(engine) -> None:
    cfg = _config(ctgov="0 3 * * *", pubmed="0 4 * * *", europepmc="", email="")
    specs = {s.job_id: s for s in job_specs(cfg)}
    missed = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            SCHEDULE_STATE.insert(),
            [
                # Same schedule: its stored next run (a missed one) is kept.
                {"job_id": "ctgov", "signature": specs["ctgov"].signature,
                 "next_run_time": missed.timestamp()},
                # The schedule changed: recomputed from the config.
                {"job_id": "pubmed", "signature": "pubmed: 0 1 * * * (UTC), grace 3600s",
                 "next_run_time": missed.timestamp()},
                # No longer configured: forgotten.
                {"job_id": "email", "signature": "email: 0 5 * * *", "next_run_time": 1.0},
            ],
        )  # fmt: skip
    scheduler = build_scheduler(cfg, engine)
    # Blocking: started in a thread, paused (nothing runs), so the jobs reach the store.
    loop = threading.Thread(target=scheduler.start, kwargs={"paused": True}, daemon=True)
    loop.start()
    try:
        deadline = time.monotonic() + 10
        while not scheduler.running and time.monotonic() < deadline:
            time.sleep(0.01)
        reconcile_jobs(scheduler, engine, list(specs.values()))
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
        loop.join(10)
    assert set(jobs) == {"ctgov", "pubmed"}
    assert jobs["ctgov"].next_run_time == missed
    assert jobs["pubmed"].next_run_time > datetime.now(UTC) - timedelta(minutes=1)
    state = _state(engine)
    assert set(state) == {"ctgov", "pubmed"}
    assert state["ctgov"] == (specs["ctgov"].signature, missed.timestamp())
    assert state["pubmed"] == (
        specs["pubmed"].signature,
        jobs["pubmed"].next_run_time.timestamp(),
    )
