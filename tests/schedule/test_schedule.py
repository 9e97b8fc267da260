"""`tracker schedule` as it runs in production: a real subprocess, cron times seconds apart,
the loopback registry simulator, a real SQLite database, and a real SMTP server for alerts.

Cron expressions with a sixth (leading) seconds field make each test take seconds.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel, col

from tests.e2e_support import EXPECTED_IDS, build_world, make_config, write_config_file
from tests.e2e_support import run_sync as manual_sync
from tests.email_support import MailServer, plain_text
from tracker.schedule.lock import LOCKS
from tracker.store.db import open_database
from tracker.store.models import SCHEDULE_STATE, JobRun, SyncRun, Trial, TrialVersion

STUDIES = "/api/v2/studies"


def schedule_config(tmp: Path, sim, db_url: str, *, mail: MailServer | None = None, **keys) -> Path:
    """The shipped config pointed at the simulator, only the ctgov job on, fast lock timings;
    `keys` override [schedule] keys (strings are quoted)."""
    path = write_config_file(tmp, sim, db_url)
    text = path.read_text()
    settings = {
        "ctgov": "",
        "pubmed": "",
        "europepmc": "",
        "email": "",
        "lock_heartbeat": 0.5,
        "lock_stale_after": 5.0,
        **keys,
    }
    head, schedule = text.split("\n[schedule]\n")
    for key, value in settings.items():
        line = f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}"
        schedule, n = re.subn(rf"^{key} = .*$", line, schedule, count=1, flags=re.M)
        assert n == 1, key
    if mail is not None:
        for old, new in [
            ('from_addr = ""', 'from_addr = "Tracker <tracker@example.org>"'),
            ("to = []", 'to = ["ops@example.org"]'),
            ('host = "localhost"', f'host = "127.0.0.1"\nport = {mail.port}'),
            ('security = "starttls"', 'security = "none"'),
        ]:
            assert head.count(old) == 1, old
            head = head.replace(old, new)
    path.write_text(f"{head}\n[schedule]\n{schedule}")
    return path


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}


class Scheduler:
    """One `tracker schedule` subprocess; stderr goes to a file (a pipe could fill up)."""

    def __init__(self, config: Path, log: Path, *options: str) -> None:
        self.log = log
        self._err = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tracker", "--config", str(config), *options, "schedule"],
            stdout=subprocess.DEVNULL,
            stderr=self._err,
            env=clean_env(),
        )

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self._err.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._err.close()

    @property
    def stderr(self) -> str:
        return self.log.read_text()


def tracker(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )


def wait_for(condition, *, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def job_runs(engine) -> list[JobRun]:
    table = SQLModel.metadata.tables["job_runs"]
    with engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.id)).all()
    return [JobRun(**row._mapping) for row in rows]


def sync_runs(engine) -> list[SyncRun]:
    table = SQLModel.metadata.tables["sync_runs"]
    with engine.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.id)).all()
    return [SyncRun(**row._mapping) for row in rows]


def stored_result(engine) -> list[tuple[Any, ...]]:
    """What a sync leaves behind: every trial with its content and version history."""
    with engine.connect() as conn:
        trials = conn.execute(
            select(
                col(Trial.nct_id), col(Trial.content_hash), col(Trial.version), col(Trial.data)
            ).order_by(col(Trial.nct_id))
        ).all()
        versions = conn.execute(
            select(
                col(TrialVersion.nct_id), col(TrialVersion.version), col(TrialVersion.content_hash)
            ).order_by(col(TrialVersion.nct_id), col(TrialVersion.version))
        ).all()
    return [tuple(t) for t in trials] + [tuple(v) for v in versions]


@pytest.fixture
def world(simulator):
    build_world(simulator.ctgov)
    return simulator


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'sched.db'}"
    engine = open_database(url)
    yield url, engine
    engine.dispose()


@pytest.fixture
def started(tmp_path):
    """Start schedulers; whatever a test leaves running is killed at the end."""
    procs: list[Scheduler] = []

    def start(config: Path, *options: str) -> Scheduler:
        proc = Scheduler(config, tmp_path / f"scheduler-{len(procs)}.log", *options)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.kill()
        print(f"--- {proc.log.name} (pid {proc.proc.pid}) ---\n{proc.stderr}")  # shown on failure


def assert_on_time(runs: list[JobRun]) -> None:
    """Runs of a every-second cron start at the beginning of their second, each in its own."""
    starts = [r.started_at for r in runs]
    assert all(start.microsecond < 800_000 for start in starts), starts
    slots = [start.replace(microsecond=0) for start in starts]
    assert all(b - a >= timedelta(seconds=1) for a, b in zip(slots, slots[1:], strict=False))


def test_runs_happen_on_time_and_a_stop_exits_0(world, db, tmp_path, started):
    url, engine = db
    config = schedule_config(tmp_path, world, url, ctgov="* * * * * *")
    sched = started(config)
    wait_for(lambda: [r.outcome for r in job_runs(engine)][:2] == ["ok"] * 2, what="two runs")
    assert sched.stop() == 0, sched.stderr
    assert_on_time(job_runs(engine)[:2])
    assert sorted(r[0] for r in stored_result(engine) if len(r) == 4) == EXPECTED_IDS
    assert "job ctgov: next run" in sched.stderr
    assert "scheduler stopped" in sched.stderr


def test_overlapping_runs_are_prevented(world, db, tmp_path, started):
    """A slow sync is not started again while it runs; a manual sync is refused with who
    holds the lock; a second scheduler stands by, and takes over when the first is killed
    (-9) mid-sync, without its job overlapping the orphaned one."""
    url, engine = db
    world.faults.inject("timeout", path=STUDIES, count=1000, delay=1.5)  # a sync takes 6 s
    config = schedule_config(tmp_path, world, url, ctgov="* * * * * *")
    first = started(config)
    wait_for(
        lambda: any(r.status == "running" and r.pages >= 1 for r in sync_runs(engine)),
        what="a scheduled sync in flight",
    )
    manual = tracker(config, "sync", "--source", "ctgov")
    assert manual.returncode == 1, manual.stderr
    assert "another tracker holds the writer lock: tracker schedule: ctgov (pid" in manual.stderr
    assert " since " in manual.stderr

    second = started(config)
    wait_for(lambda: "waiting: the scheduler lock" in second.stderr, what="the standby")
    assert f"tracker schedule (pid {first.proc.pid}" in second.stderr
    wait_for(lambda: "maximum number of running instances" in first.stderr, what="a skip")

    wait_for(
        lambda: any(r.status == "running" and r.pages >= 1 for r in sync_runs(engine)),
        what="another scheduled sync in flight",
    )
    first.kill()  # no clean stop: its lock rows stay behind, its job's sync is orphaned
    world.faults.clear()
    wait_for(lambda: "took over the scheduler lock" in second.stderr, what="the takeover")
    wait_for(
        lambda: any(r.pid == second.proc.pid and r.outcome == "ok" for r in job_runs(engine)),
        what="a run by the standby",
    )
    assert second.stop() == 0, second.stderr

    runs = job_runs(engine)
    killed = [r for r in runs if r.pid == first.proc.pid]
    assert killed[-1].outcome == "interrupted" and killed[-1].error == "the scheduler was killed"
    syncs = sync_runs(engine)
    assert all(s.status != "running" for s in syncs)  # the orphan stopped too
    for earlier, later in zip(syncs, syncs[1:], strict=False):
        assert earlier.finished_at is not None, "a sync never finished"
        assert earlier.finished_at <= later.started_at, "two syncs overlapped"
    assert {r.pid for r in runs} == {first.proc.pid, second.proc.pid}


def test_sigterm_mid_sync_loses_nothing_and_the_next_start_completes(world, db, tmp_path, started):
    """Stopped after its first page, the run is 'interrupted' with that page stored; the
    next start finishes the work, with the same stored result as a manual sync."""
    url, engine = db
    world.faults.inject("timeout", path=STUDIES, count=1000, delay=0.8)
    config = schedule_config(tmp_path, world, url, ctgov="*/2 * * * * *")
    sched = started(config)
    wait_for(lambda: any(r.pages >= 1 for r in sync_runs(engine)), what="a stored page")
    stopped_at = time.monotonic()
    assert sched.stop() == 0, sched.stderr
    assert time.monotonic() - stopped_at < 10
    [sync] = sync_runs(engine)
    assert sync.status == "interrupted" and not sync.complete
    assert 1 <= sync.pages < 4
    stored = [r for r in stored_result(engine) if len(r) == 4]
    assert len(stored) == sync.new_records == sync.fetched  # every counted page is stored
    assert 0 < len(stored) < len(EXPECTED_IDS)
    assert [r.outcome for r in job_runs(engine)] == ["interrupted"]

    world.faults.clear()
    again = started(config)
    wait_for(lambda: any(r.outcome == "ok" for r in job_runs(engine)), what="a completed run")
    assert again.stop() == 0, again.stderr
    assert sync_runs(engine)[1].complete
    scheduled = stored_result(engine)

    # The same world synced by hand (the code `tracker sync` runs), in one go.
    manual_engine = open_database(f"sqlite:///{tmp_path / 'manual.db'}")
    try:
        outcome, _ = manual_sync(manual_engine, make_config(world, "unused", page_size=4))
        assert outcome.complete
        manual = stored_result(manual_engine)
    finally:
        manual_engine.dispose()
    differ = [(a, b) for a, b in zip(manual, scheduled, strict=False) if a != b]
    assert manual == scheduled, (len(manual), len(scheduled), differ[:1])


def test_manual_sync_stops_cleanly_on_sigterm_and_the_next_one_completes(world, db, tmp_path):
    url, engine = db
    world.faults.inject("timeout", path=STUDIES, count=1000, delay=1.0)
    config = schedule_config(tmp_path, world, url)
    err = (tmp_path / "sync.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", "--config", str(config), "sync", "--source", "ctgov"],
        stdout=subprocess.DEVNULL,
        stderr=err,
        env=clean_env(),
    )
    try:
        wait_for(lambda: any(r.pages >= 1 for r in sync_runs(engine)), what="a stored page")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()
        err.close()
    assert "stopped on request" in (tmp_path / "sync.log").read_text()
    [run] = sync_runs(engine)
    assert run.status == "interrupted" and 1 <= run.pages < 4
    with engine.connect() as conn:
        holders = conn.execute(select(LOCKS)).all()
    assert holders == []  # the writer lock was released

    world.faults.clear()
    again = tracker(config, "sync", "--source", "ctgov")
    assert again.returncode == 0, again.stderr
    assert sync_runs(engine)[-1].complete
    assert sorted(r[0] for r in stored_result(engine) if len(r) == 4) == EXPECTED_IDS


def test_a_restart_keeps_the_schedule_and_runs_missed_jobs_once(world, db, tmp_path, started):
    """The jobs' next runs are stored; runs missed while no scheduler ran happen once at the
    next start: the ctgov sync, then the email report carrying what it stored."""
    url, engine = db
    # Far enough ahead for a scheduler to start on a loaded machine.
    due = (datetime.now(UTC) + timedelta(seconds=10)).replace(microsecond=0)
    report_due = due + timedelta(seconds=1)  # after the sync, so the report has news

    def daily(at):
        return f"{at.second} {at.minute} {at.hour} * * *"

    def stored_next_runs():
        with engine.connect() as conn:
            rows = conn.execute(select(SCHEDULE_STATE.c.job_id, SCHEDULE_STATE.c.next_run_time))
            return dict(rows.all())

    with MailServer() as mail:
        config = schedule_config(
            tmp_path, world, url, mail=mail, ctgov=daily(due), email=daily(report_due)
        )
        first = started(config)
        wait_for(lambda: "job email: next run" in first.stderr, what="the scheduler to start")
        assert datetime.now(UTC) < due, "started too slowly for this test"
        assert stored_next_runs() == {"ctgov": due.timestamp(), "email": report_due.timestamp()}
        assert first.stop() == 0
        assert job_runs(engine) == []

        # The due times pass while no scheduler runs; the restart runs each job once, late.
        time.sleep(max(0.0, (report_due - datetime.now(UTC)).total_seconds()) + 1)
        second = started(config)
        wait_for(
            lambda: [r.outcome for r in job_runs(engine)] == ["ok", "ok"], what="the missed runs"
        )
        assert second.stop() == 0
        runs = job_runs(engine)
        assert [r.job_id for r in runs] == ["ctgov", "email"]
        assert runs[0].started_at > report_due
        assert stored_next_runs() == {
            "ctgov": (due + timedelta(days=1)).timestamp(),
            "email": (report_due + timedelta(days=1)).timestamp(),
        }
        [report] = mail.received
        assert "NCT04393467" in plain_text(report.message)


def test_three_failures_send_one_alert_and_recovery_one_note(world, db, tmp_path, started):
    url, engine = db
    with MailServer() as mail:
        world.faults.inject("500", path=STUDIES, count=100_000)
        config = schedule_config(
            tmp_path, world, url, mail=mail, ctgov="* * * * * *", failures_before_alert=3
        )
        log_file = tmp_path / "tracker.log"
        sched = started(config, "--log-file", str(log_file))
        wait_for(
            lambda: sum(r.outcome != "running" for r in job_runs(engine)) >= 4,
            what="four failed runs",
            timeout=60,
        )
        runs = job_runs(engine)
        assert [r.outcome for r in runs[:4]] == ["failed"] * 4
        assert len(mail.received) == 1
        alert = mail.received[0].message
        assert mail.received[0].rcpt_tos == ["ops@example.org"]
        assert "job ctgov has failed 3 times in a row" in alert["Subject"]
        body = plain_text(alert)
        assert "'ctgov'" in body
        assert "HTTP 500" in body  # the last error
        assert runs[0].started_at.strftime("since %Y-%m-%d %H:%M UTC") in body
        assert [r.notice for r in runs[:4]] == [None, None, "alert", None]

        world.faults.clear()
        wait_for(
            lambda: any(r.outcome == "ok" for r in job_runs(engine)),
            what="a run that works",
            timeout=60,
        )
        assert sched.stop() == 0, sched.stderr
        assert "scheduler stopped" in sched.stderr
        assert len(mail.received) == 2
        assert "job ctgov works again" in mail.received[1].message["Subject"]
        assert [r.notice for r in job_runs(engine)].count("recovery") == 1
    assert sorted(r[0] for r in stored_result(engine) if len(r) == 4) == EXPECTED_IDS
    # systemd reads stderr; --log-file keeps the same lines, with time and pid.
    logged = log_file.read_text()
    assert f"[{sched.proc.pid}]: job ctgov: failed: ctgov:" in logged
    assert "sent '[tracker] job ctgov has failed 3 times in a row'" in logged
    assert "job ctgov: failed" in sched.stderr

    status = tracker(config, "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    jobs = json.loads(status.stdout)["jobs"]
    # The stop may have interrupted a run: that ends no streak and starts none.
    assert jobs["ctgov"]["last_outcome"] == job_runs(engine)[-1].outcome
    assert jobs["ctgov"]["streak"] == 0 and jobs["ctgov"]["failing_since"] is None
    assert jobs["ctgov"]["next_run"] is not None
    assert jobs["pubmed"] == {**jobs["pubmed"], "last_outcome": None, "next_run": None}


def test_with_a_site_section_each_sync_rebuilds_the_website(world, db, tmp_path, started):
    url, engine = db
    config = schedule_config(tmp_path, world, url, ctgov="*/2 * * * * *")
    site = tmp_path / "public"
    config.write_text(config.read_text() + f'\n[site]\noutput = "{site}"\n')
    sched = started(config)
    wait_for(lambda: [r.outcome for r in job_runs(engine)][:1] == ["ok"], what="a run")
    assert sched.stop() == 0, sched.stderr
    assert (site / "index.html").exists()  # built by the run, after its sync
    evidence = json.loads(tracker(config, "evidence", "--format", "json").stdout)
    home = (site / "index.html").read_text()
    assert evidence["summary"]["standing"] in home.replace("&#39;", "'")
    assert (site / "feed.xml").exists()


def test_schedule_refuses_an_email_job_without_email_set_up(tmp_path):
    """One line, exit 2, no traceback, and nothing created: not even the database."""
    config = tmp_path / "config.toml"
    db = tmp_path / "tracker.db"
    config.write_text((Path(__file__).resolve().parents[2] / "config.toml").read_text())
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--config", str(config), "schedule"],
        capture_output=True,
        text=True,
        env={k: v for k, v in clean_env().items() if k != "NCBI_API_KEY"},
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(
        f'tracker: error: [schedule] email = "0 8 * * mon" schedules the email report, '
        f"but [email] in {config} has no sender or no recipients: set [email] from_addr and to"
    )
    assert not db.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]
