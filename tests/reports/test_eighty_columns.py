"""Tables fit an 80-column terminal: columns are dropped by priority, nothing is cut."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console

from tracker.ids import Source
from tracker.reports.digest_data import SourceHealth
from tracker.reports.render.console import health_table
from tracker.schedule.history import JobHealth
from tracker.schedule.status import jobs_table

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def printed(renderable, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue()


def health() -> list[SourceHealth]:
    failed = SourceHealth(
        Source.PUBMED, T0, "interrupted", T0 - timedelta(days=3), 1200, 4800, False, 17, [], 123456
    )
    ok = SourceHealth(Source.CTGOV, T0, "ok", T0, 4, 4, True, 0, [], 4)
    never = SourceHealth(Source.EUROPEPMC, None, None, None, None, None, None, None, [], 0)
    return [ok, failed, never]


def test_source_table_fits_80_columns_without_cutting_a_cell():
    text = printed(health_table(health()), 80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text
    assert "INCOMPLETE (interrupted)" in text and "2026-12-06 08:00" in text
    assert "retries" not in text  # the least important column went first
    wide = printed(health_table(health()), 140)
    assert "retries" in wide and "last success" in wide and "123456" in wide


def test_jobs_table_fits_80_columns_and_says_when_no_scheduler_runs():
    jobs = [
        JobHealth("ctgov", T0 + timedelta(days=1), "failed", T0, T0, "boom", 4, T0),
        JobHealth("email", None, None, None, None, None, 0, None),
    ]
    text = printed(jobs_table(jobs, scheduler_running=True), 80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text and "4 since 2026-12-06 08:00 UTC" in text
    assert "2026-12-07 08:00 UTC" in text  # next run
    stopped = printed(jobs_table(jobs, scheduler_running=False), 80)
    assert "2026-12-07 08:00 UTC" not in stopped and "scheduler not running" in stopped
