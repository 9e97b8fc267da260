"""Each job at a glance for `tracker status`: next run, last result, failure streak."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import Connection

from tracker.reports.render.fit import FittedTable, add_columns
from tracker.schedule.history import JOB_IDS, JobHealth, job_health


def job_healths(conn: Connection) -> list[JobHealth]:
    """Every known job, configured or not: what ran is shown even if since disabled."""
    return [job_health(conn, job_id) for job_id in JOB_IDS]


def _when(value: datetime | None, empty: str) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else empty


def jobs_table(healths: list[JobHealth], *, scheduler_running: bool = True) -> FittedTable:
    """Each job's next run (only while a scheduler runs), last result and failure streak;
    on a narrow terminal the last run's time is dropped first."""

    def build(dropped: frozenset[str]) -> Table:
        table = Table(title="Scheduled jobs", title_justify="left")
        names = ["job", "next run", "last run", "result", "failures in a row"]
        kept = add_columns(table, names, dropped)
        for h in healths:
            cells = _cells(h, scheduler_running)
            table.add_row(*(cells[name] for name in kept))
        return table

    return FittedTable(build, ["last run"])


def _cells(h: JobHealth, scheduler_running: bool) -> dict[str, str | Text]:
    if h.last_outcome is None:
        result = Text("never ran", style="dim")
    elif h.last_outcome == "failed":
        result = Text("failed", style="bold red")
    else:
        result = Text(h.last_outcome, style="green" if h.last_outcome == "ok" else "yellow")
    streak = Text(str(h.streak), style="bold red" if h.streak else "")
    if h.failing_since:
        streak.append(f" since {_when(h.failing_since, '')}")
    next_run = _when(h.next_run, "not scheduled") if scheduler_running else "scheduler not running"
    return {
        "job": h.job_id,
        "next run": next_run,
        "last run": _when(h.last_started, "never"),
        "result": result,
        "failures in a row": streak,
    }
