"""Ingest benchmark (issue #2): sync N full CT.gov studies from the loopback simulator into
an empty SQLite database, and compare with the naive json.loads baseline on the same pages.

    uv run python benchmarks/ingest_ctgov.py            # 10,000 studies, 10 pages of 1,000
    uv run python benchmarks/ingest_ctgov.py --studies 2000

The sync runs as a real `tracker sync --full` subprocess (pacing off), so its wall time
includes interpreter start-up, and its peak RSS is the child's own (os.wait4), not this
process's, which also holds the simulator's world.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from naive_ctgov import parse_page  # noqa: E402

from tests.simulator import RegistrySimulator, make_bulk_studies  # noqa: E402

CONFIG = """
[http]
timeout = 120.0
[ctgov]
page_size = 1000
[[ctgov.queries]]
name = "all"
"""


def fetch_pages(url: str) -> list[bytes]:
    """The raw pages exactly as the sync receives them (for the baseline)."""
    pages: list[bytes] = []
    params = {"pageSize": "1000", "format": "json"}
    with httpx.Client(timeout=120) as client:
        while True:
            response = client.get(f"{url}/studies", params=params)
            response.raise_for_status()
            pages.append(response.content)
            token = response.json().get("nextPageToken")
            if not token:
                return pages
            params = {"pageSize": "1000", "format": "json", "pageToken": token}


def time_baseline(pages: list[bytes], repeats: int) -> float:
    """Median seconds for the naive parse of every page (GC on, as in real code)."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        for body in pages:
            parse_page(body)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


_LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_tracker(args: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in MiB, exit code) of one tracker subprocess.

    Linux carries a parent's RSS into a forked child's ru_maxrss, and this process holds
    the simulator's whole world; a small launcher process forks tracker instead, so the
    peak measured is tracker's own."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "tracker", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    maxrss_kib, code = (int(x) for x in result.stdout.split())
    if code != 0:
        sys.stderr.write(result.stderr)
    return wall, maxrss_kib // 1024, code


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def sync_once(sim: RegistrySimulator, workdir: Path, name: str) -> dict[str, float]:
    db = workdir / f"{name}.db"
    cfg = workdir / "config.toml"
    cfg.write_text(CONFIG)
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{db}",
        "TRACKER_CTGOV_URL": sim.ctgov_url,
        "TRACKER_CTGOV_RPS": "0",
    }
    wall, rss, code = run_tracker(["--config", str(cfg), "sync", "--full"], env)
    assert code == 0, f"full sync failed with exit {code}"
    before = len(sim.requests)
    versions = count(db, "trial_versions")
    inc_wall, _, inc_code = run_tracker(["--config", str(cfg), "sync"], env)
    inc_requests = [r for r in list(sim.requests)[before:] if r.path.endswith("/studies")]
    return {
        "wall": wall,
        "rss": rss,
        "stored": count(db, "trials"),
        "inc_requests": len(inc_requests),
        "inc_new_versions": count(db, "trial_versions") - versions,
        "inc_wall": inc_wall,
        "inc_code": inc_code,
        "db_mb": db.stat().st_size / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--studies", type=int, default=10_000)
    parser.add_argument("--size-kb", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n = args.studies

    studies = make_bulk_studies(n, size_kb=args.size_kb, with_results=True)
    with RegistrySimulator() as sim, tempfile.TemporaryDirectory() as tmp:
        sim.ctgov.add_many(studies)
        del studies
        pages = fetch_pages(sim.ctgov_url)
        mib = sum(len(p) for p in pages) / 2**20
        print(f"world: {n} studies with results in {len(pages)} pages, {mib:.0f} MiB of JSON")
        baseline = time_baseline(pages, args.repeats)
        del pages
        gc.collect()
        print(
            f"naive baseline (json.loads + field dicts; no HTTP, no storage): {baseline:.2f} s"
            f" = {n / baseline:,.0f} studies/s (median of {args.repeats})"
        )
        runs = [sync_once(sim, Path(tmp), f"run{i}") for i in range(args.repeats)]
    wall = statistics.median(r["wall"] for r in runs)
    print(
        f"tracker sync --full (start-up, HTTP, parse, versions, SQLite): {wall:.2f} s"
        f" = {n / wall:,.0f} studies/s (median of {args.repeats})"
    )
    print(f"ratio sync / baseline: {wall / baseline:.2f} (target <= 0.50)")
    first = runs[0]
    print(
        f"peak RSS of the sync: {max(r['rss'] for r in runs)} MiB (target < 300);"
        f" database {first['db_mb']:.0f} MiB; stored {first['stored']} trials"
    )
    print(
        f"incremental sync of the unchanged world: {first['inc_requests']} request(s) for"
        f" 1 query, {first['inc_new_versions']} new versions,"
        f" {first['inc_wall']:.2f} s, exit {first['inc_code']}"
    )


if __name__ == "__main__":
    main()
