"""Each job at a glance for `tracker status`: next run, last result, failure streak."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import Connection

from tracker.schedule.history import JOB_IDS, JobHealth, job_health


def job_healths(conn: Connection) -> list[JobHealth]:
    """Every known job, configured or not: what ran is shown even if since disabled."""
    return [job_health(conn, job_id) for job_id in JOB_IDS]


def _when(value: datetime | None, empty: str) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else empty


def jobs_table(healths: list[JobHealth]) -> Table:
    table = Table(title="Scheduled jobs", title_justify="left")
    for name in ("job", "next run", "last run", "result", "failures in a row"):
        table.add_column(name)
    for h in healths:
        if h.last_outcome is None:
            result = Text("never ran", style="dim")
        elif h.last_outcome == "failed":
            result = Text("failed", style="bold red")
        else:
            result = Text(h.last_outcome, style="green" if h.last_outcome == "ok" else "yellow")
        streak = Text(str(h.streak), style="bold red" if h.streak else "")
        if h.failing_since:
            streak.append(f" since {_when(h.failing_since, '')}")
        table.add_row(
            h.job_id,
            _when(h.next_run, "not scheduled"),
            _when(h.last_started, "never"),
            result,
            streak,
        )
    return table
