"""Idle cost of `tracker schedule`: resident memory and CPU over a quiet minute.

    uv run python benchmarks/schedule_idle.py [--seconds 60] [--postgres URL]

Starts a real `tracker schedule` on a fresh SQLite database (or the given PostgreSQL
one) with the shipped schedule (the next job hours away), waits until it has started and
holds the scheduler lock, then samples its RSS each second for `--seconds` and reads its
CPU time (user + system) at both ends. Targets: RSS under 120 MB, CPU near zero (the
lock heartbeat every 15 s is the only work). Prints one line per figure, then JSON.
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
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--postgres", help="a PostgreSQL URL instead of a temporary SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{Path(tmp) / 'idle.db'}"
        config = Path(tmp) / "config.toml"
        shipped = (ROOT / "config.toml").read_text()
        config.write_text(shipped.replace('url = "sqlite:///tracker.db"', f'url = "{url}"'))
        log = Path(tmp) / "schedule.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
        with log.open("w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tracker", "--config", str(config), "schedule"],
                stdout=subprocess.DEVNULL,
                stderr=err,
                env=env,
                cwd=tmp,
            )
            try:
                result = measure(proc, log, args.seconds)
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


def measure(proc: subprocess.Popen[bytes], log: Path, seconds: float) -> dict[str, float]:
    deadline = time.monotonic() + 120
    while "next run" not in log.read_text():
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
