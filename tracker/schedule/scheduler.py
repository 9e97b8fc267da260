"""`tracker schedule`: APScheduler's BlockingScheduler, its jobs rebuilt from [schedule] at
every start and their next runs kept in the tracker database (tracker.schedule.store).

Only one scheduler runs the jobs of a database: it holds the 'scheduler' lock, and a
second one (on this machine or another) waits as a standby until the first is gone.
SIGTERM or SIGINT stops it cleanly: no new runs start, a sync in flight finishes its page
and is recorded as interrupted, and the process exits 0.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_SCHEDULER_STARTED, SchedulerEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Engine

from tracker.config import Config
from tracker.errors import LockedError
from tracker.runtime.interrupt import request_stop, stop_requested
from tracker.schedule import history, jobs, store
from tracker.schedule.child import forward_stop
from tracker.schedule.lock import SCHEDULER, WriterLock
from tracker.schedule.stop import stop_on_signals
from tracker.schedule.triggers import JobSpec, job_specs
from tracker.store.db import make_engine

log = logging.getLogger(__name__)

JOB_FUNC = "tracker.schedule.jobs:run_job"
"""A textual reference to the one function every job runs."""


def build_scheduler(cfg: Config, store_engine: Engine) -> BlockingScheduler:
    """One worker thread: jobs due together run one after the other (they would only wait
    for the writer lock otherwise), and max_instances=1 skips a run while the last one
    of the same job is still going."""
    schedule = cfg.schedule
    return BlockingScheduler(
        jobstores={"default": store.RememberingJobStore(store_engine)},
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": schedule.misfire_grace_time,
        },
        timezone=ZoneInfo(schedule.timezone),
    )


def reconcile_jobs(
    scheduler: BlockingScheduler, store_engine: Engine, specs: list[JobSpec]
) -> None:
    """Build the jobs from the config, keeping the stored next run time of every job whose
    schedule did not change: that is what lets a run missed while the scheduler was down
    still happen (once, coalesced) within misfire_grace_time."""
    stored = store.load(store_engine)
    wanted = {spec.job_id for spec in specs}
    gone = sorted(stored.keys() - wanted)
    store.forget(store_engine, gone)
    for job_id in gone:
        log.info("job %s: removed (no longer in [schedule])", job_id)
    for spec in specs:
        state = stored.get(spec.job_id)
        kept: dict[str, object] = {}
        # An empty signature: a next run carried over from the old pickled store, kept once.
        same = state is not None and state.signature in (spec.signature, "")
        if same and state is not None and state.next_run:
            kept["next_run_time"] = state.next_run
        scheduler.add_job(
            JOB_FUNC,
            trigger=spec.trigger,
            args=[spec.job_id],
            id=spec.job_id,
            name=spec.signature,
            replace_existing=True,
            **kept,
        )
        if not kept:
            log.info("job %s: scheduled (%s)", spec.job_id, spec.cron)


def run_scheduler(cfg: Config, engine: Engine, commands: dict[str, list[str]]) -> None:
    """Wait for the scheduler lock, run jobs until SIGTERM/SIGINT, then stop cleanly."""
    specs = job_specs(cfg)  # a bad cron expression stops us here, before any waiting
    running: list[BlockingScheduler] = []

    def shut_down() -> None:
        # Not from the signal handler itself: shutdown takes locks the interrupted frame
        # may hold.
        forward_stop()  # the job's child stores its page and stops
        for scheduler in running:
            if scheduler.running:
                threading.Thread(target=scheduler.shutdown, kwargs={"wait": False}).start()

    def stop_everything() -> None:
        request_stop()
        shut_down()

    with stop_on_signals(then=shut_down):
        lock = WriterLock(
            engine,
            SCHEDULER,
            command="tracker schedule",
            heartbeat=cfg.schedule.lock_heartbeat,
            stale_after=cfg.schedule.lock_stale_after,
            on_lost=stop_everything,
        )
        try:
            lock.acquire(wait=True, should_stop=stop_requested)
        except LockedError:
            if stop_requested():  # stopped while standing by: a clean exit
                return
            raise
        try:
            _run_jobs(cfg, engine, commands, specs, running)
        finally:
            lock.release()
    if lock.lost.is_set():
        # Another scheduler decided we were dead (we stalled past lock_stale_after) and runs
        # the jobs now: exit 1, so that systemd restarts us as its standby.
        raise LockedError("lost the scheduler lock to another scheduler; stopped")
    log.info("scheduler stopped")


def _run_jobs(
    cfg: Config,
    engine: Engine,
    commands: dict[str, list[str]],
    specs: list[JobSpec],
    running: list[BlockingScheduler],
) -> None:
    store_engine = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        abandoned = history.close_abandoned_runs(engine, now=jobs.now())
        if abandoned:
            log.warning("%d job runs of a killed scheduler marked interrupted", abandoned)
        jobs.configure(jobs.JobContext(cfg=cfg, engine=engine, commands=commands))
        scheduler = build_scheduler(cfg, store_engine)
        reconcile_jobs(scheduler, store_engine, specs)
        scheduler.add_listener(_log_next_runs(scheduler), mask=EVENT_SCHEDULER_STARTED)
        running.append(scheduler)
        if not stop_requested():
            scheduler.start()  # blocks until a signal shuts it down
        jobs.wait_until_idle()  # the run in flight stops after its page
    finally:
        store_engine.dispose()


def _log_next_runs(scheduler: BlockingScheduler) -> Callable[[SchedulerEvent], None]:
    def listener(_event: SchedulerEvent) -> None:
        if stop_requested():  # a signal came between the check and start()
            threading.Thread(target=scheduler.shutdown, kwargs={"wait": False}).start()
        for job in scheduler.get_jobs():
            log.info("job %s: next run %s", job.id, job.next_run_time)

    return listener
