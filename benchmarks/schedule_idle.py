"""Idle cost of `tracker schedule`: resident memory and CPU over a quiet minute.

    uv run python benchmarks/schedule_idle.py [--seconds 60] [--postgres URL] [--after-jobs]

Starts a real `tracker schedule` on a fresh SQLite database (or the given PostgreSQL
one) with the shipped schedule (the next job hours away), waits until it has started and
holds the scheduler lock, then samples its RSS each second for `--seconds` and reads its
CPU time (user + system) at both ends. Targets: RSS under 120 MB, CPU near zero (the
lock heartbeat every 15 s is the only work). Prints one line per figure, then JSON.

`--after-jobs` measures the idle process after every job has run once: all four jobs
are due a few seconds after start, against the loopback registry simulator (the tests'
ALS world) and a loopback SMTP server, so the syncs' and the email report's imports and
caches are in memory too.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--postgres", help="a PostgreSQL URL instead of a temporary SQLite")
    parser.add_argument("--after-jobs", action="store_true", help="idle after one run of each job")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        url = args.postgres or f"sqlite:///{Path(tmp) / 'idle.db'}"
        if args.after_jobs:
            config, jobs_done = _config_with_jobs(Path(tmp), url, stack)
        else:
            config, jobs_done = Path(tmp) / "config.toml", None
            shipped = (ROOT / "config.toml").read_text()
            config.write_text(shipped.replace('url = "sqlite:///tracker.db"', f'url = "{url}"'))
        log = Path(tmp) / "schedule.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
        if not args.after_jobs:  # the shipped schedule's email job needs [email] to start
            env.update(TRACKER_EMAIL_FROM="t@example.org", TRACKER_EMAIL_TO="a@example.org")
        with log.open("w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tracker", "--config", str(config), "schedule"],
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
                cwd=tmp,
            )
            try:
                result = measure(proc, log, args.seconds, jobs_done)
            finally:
                proc.send_signal(signal.SIGTERM)
                code = proc.wait(timeout=30)
        result["exit_code"] = code
    print(f"idle RSS: {result['rss_mib_max']:.1f} MiB max (target < 120)")
    print(
        f"idle CPU: {result['cpu_seconds']:.3f} s over {result['seconds']:.0f} s "
        f"= {result['cpu_percent']:.3f} % of one core"
    )
    print(json.dumps(result))


def _config_with_jobs(tmp: Path, url: str, stack: ExitStack) -> tuple[Path, Callable[[], bool]]:
    """Every job due once, soon: a daily cron at start + 15 s (a slower start runs them as
    missed runs, at once)."""
    sys.path.insert(0, str(ROOT))
    from tests.e2e_support import build_world
    from tests.email_support import MailServer
    from tests.schedule.test_schedule import job_runs, schedule_config
    from tracker.simulator import RegistrySimulator
    from tracker.store.db import open_database

    sim = stack.enter_context(RegistrySimulator())
    build_world(sim.ctgov)
    mail = stack.enter_context(MailServer())
    due = datetime.now(UTC) + timedelta(seconds=15)
    cron = f"{due.second} {due.minute} {due.hour} * * *"
    jobs = dict.fromkeys(("ctgov", "pubmed", "europepmc", "email"), cron)
    config = schedule_config(tmp, sim, url, mail=mail, **jobs)
    engine = open_database(url)
    stack.callback(engine.dispose)

    def done() -> bool:
        return sum(r.outcome != "running" for r in job_runs(engine)) >= len(jobs)

    return config, done


def measure(
    proc: subprocess.Popen[bytes],
    log: Path,
    seconds: float,
    jobs_done: Callable[[], bool] | None,
) -> dict[str, float]:
    deadline = time.monotonic() + 120
    while "next run" not in log.read_text() or (jobs_done is not None and not jobs_done()):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"tracker schedule did not start:\n{log.read_text()}")
        time.sleep(0.2)
    time.sleep(2)  # let start-up work (imports, migrations, first heartbeat) settle
    process = psutil.Process(proc.pid)
    cpu_start = sum(process.cpu_times()[:2])
    start = time.monotonic()
    rss = []
    while time.monotonic() - start < seconds:
        rss.append(process.memory_info().rss)
        time.sleep(1)
    elapsed = time.monotonic() - start
    cpu = sum(process.cpu_times()[:2]) - cpu_start
    return {
        "seconds": elapsed,
        "rss_mib_first": rss[0] / 2**20,
        "rss_mib_max": max(rss) / 2**20,
        "rss_mib_last": rss[-1] / 2**20,
        "cpu_seconds": cpu,
        "cpu_percent": 100 * cpu / elapsed,
    }


if __name__ == "__main__":
    main()
