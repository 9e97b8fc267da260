"""`tracker status`: each source's last run, the scheduled jobs, and whether the scheduler
is alive (from its lock's heartbeat)."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.cli.app import RecordFormat, State, stdout, tell
from tracker.cli.common import engine


def print_status(fmt: RecordFormat) -> None:
    from tracker.cli.syncing import unchaseable_line
    from tracker.ids import SOURCES
    from tracker.reports.health import source_health
    from tracker.reports.render.console import health_table
    from tracker.reports.render.json import to_json
    from tracker.schedule.alive import scheduler_state
    from tracker.schedule.status import job_healths, jobs_table
    from tracker.store.chases import unchaseable
    from tracker.store.db import session_scope

    db = engine()
    with session_scope(db) as session:
        health = [source_health(session, s) for s in SOURCES]
        jobs = job_healths(session.connection())
        unchased = unchaseable(session.connection())
    alive = scheduler_state(
        db, stale_after=State.config().schedule.lock_stale_after, now=datetime.now(UTC)
    )
    if fmt is RecordFormat.JSON:
        scheduler = {
            "running": alive.running,
            "heartbeat_age": alive.heartbeat_age,
            "holder": alive.holder.describe() if alive.holder else None,
        }
        print(
            to_json(
                {
                    "sources": {h.source: h for h in health},
                    "jobs": {j.job_id: j for j in jobs},
                    "scheduler": scheduler,
                    "citations": {"unchaseable": unchased},
                }
            )
        )
        return
    stdout.print(health_table(health))
    for h in health:
        for error in h.errors:
            tell(stdout, f"{h.source}: {error}", style="red")
    if unchased:
        tell(stdout, unchaseable_line(unchased), style="yellow")
    style = "green" if alive.running else "yellow"
    tell(stdout, f"Scheduler: {alive.describe()}", style=style)
    stdout.print(jobs_table(jobs, scheduler_running=alive.running))
    for j in jobs:
        if j.streak and j.last_error:
            tell(stdout, f"job {j.job_id}: {j.last_error}", style="red")
