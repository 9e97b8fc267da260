"""Hostile response bodies (issue #13): a whole `tracker sync --source ctgov` against a
loopback server that streams a 1 GiB body, against one that sends a gzip bomb (about 1 MiB
that inflates to 1 GiB), and against the normal simulator world for comparison.

    uv run python benchmarks/hostile_body.py                 # normal world: 2,000 studies
    uv run python benchmarks/hostile_body.py --studies 10000

Target: the memory of a hostile run stays under the normal sync's peak, and the request
fails. Each command runs in a fresh process with tracker's default settings (the body cap
of `[ctgov] max_body_mb`, retries, timeouts), pacing off; its memory is the peak of the
PSS (and RSS) summed over every process it starts (the sync, its parse worker,
multiprocessing's resource tracker), sampled from /proc every 50 ms by
benchmarks/launch.py. For each run the script prints the exit code, the recorded sync run
(status and error), tracker's error line on stderr and the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMED = ROOT / "benchmarks" / "timed_tracker.py"
sys.path.insert(0, str(ROOT))

from benchmarks.launch import launch, shipped_claim, sync_run_window  # noqa: E402
from tests.hostile_http import bomb_body, endless, gzip_bomb, serving  # noqa: E402
from tracker.simulator import RegistrySimulator, make_bulk_studies  # noqa: E402

CONFIG = """
[[ctgov.queries]]
name = "all"
"""
GiB = 1 << 30


@dataclass
class Run:
    name: str
    code: int
    status: str
    error: str
    stderr_line: str
    wall: float
    command_pss: int
    command_rss: int
    sync_pss: int
    sync_rss: int


def run_sync(name: str, url: str, workdir: Path) -> Run:
    """`tracker sync --source ctgov` against `url`, in a fresh process, with a fresh
    database; what it exited with, recorded, said, took and used."""
    db = workdir / f"{name}.db"
    cfg = workdir / "config.toml"
    cfg.write_text(CONFIG + shipped_claim())
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(TRACKER_DATABASE_URL=f"sqlite:///{db}", TRACKER_CTGOV_URL=url, TRACKER_CTGOV_RPS="0")
    # Schema first (Alembic, a one-off cost that is no part of the sync).
    launch([str(TIMED), "--config", str(cfg), "status"], env)
    launched = launch([str(TIMED), "--config", str(cfg), "sync", "--source", "ctgov"], env)
    code = int(json.loads(launched.last).get("code", -1))
    with sqlite3.connect(db) as conn:
        status, errors = conn.execute(
            "SELECT status, errors FROM sync_runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
    start, finish = sync_run_window(db, "ctgov")
    sync_pss, sync_rss = launched.peak(start, finish)
    command_pss, command_rss = launched.peak()
    said = [line for line in launched.stderr.splitlines() if "error" in line.lower()]
    return Run(
        name,
        code,
        status,
        "; ".join(json.loads(errors or "[]")),
        said[0] if said else "",
        launched.wall,
        command_pss,
        command_rss,
        sync_pss,
        sync_rss,
    )


def report(run: Run) -> None:
    print(
        f"{run.name}: exit {run.code}, run {run.status!r}, wall {run.wall:.2f} s,"
        f" peak of the whole command {run.command_pss} MiB PSS ({run.command_rss} MiB RSS"
        f" summed), of the sync run {run.sync_pss} MiB PSS ({run.sync_rss} MiB RSS)"
    )
    if run.error:
        print(f"  recorded error: {run.error}")
    if run.stderr_line:
        print(f"  stderr: {run.stderr_line}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--studies", type=int, default=2000, help="the normal world's size")
    args = parser.parse_args()

    print(f"gzip bomb: {len(bomb_body(GiB)) / 2**20:.2f} MiB that inflates to 1 GiB")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        sent: list[int] = []
        with serving(endless(sent, limit=GiB)) as url:
            body = run_sync("1 GiB body", url + "/api/v2", workdir)
        report(body)
        print(f"  the server sent {sum(sent) / 2**20:.0f} MiB before the client hung up")
        with serving(gzip_bomb(GiB)) as url:
            bomb = run_sync("gzip bomb", url + "/api/v2", workdir)
        report(bomb)
        with RegistrySimulator() as sim:
            sim.ctgov.add_many(make_bulk_studies(args.studies, size_kb=30, with_results=True))
            normal = run_sync(f"normal world ({args.studies:,} studies)", sim.ctgov_url, workdir)
        report(normal)
    for hostile in (body, bomb):
        under = hostile.command_pss < normal.sync_pss
        failed = hostile.code != 0 and hostile.status == "failed"
        print(
            f"{hostile.name}: peak {hostile.command_pss} MiB PSS against the normal sync's"
            f" {normal.sync_pss} MiB: {'under' if under else 'NOT under'};"
            f" the request {'failed' if failed else 'did NOT fail'}"
        )


if __name__ == "__main__":
    main()
