"""Run a benchmarked command in a fresh process and follow its memory over time.

Linux carries a parent's RSS into a forked child's ru_maxrss (and keeps it across exec),
and a benchmark process holds the simulator's whole world; a small launcher process forks
the command instead, so the peaks measured are the command's own. Besides ru_maxrss (one
process: the largest, for a command with children), the launcher samples the command's
process tree from /proc every 50 ms: the sum of RSS and the sum of PSS (RSS with the pages
the processes share, such as the interpreter's libraries, divided among them, so nothing
counts twice), each with the wall-clock time. `peak_between` then gives the peak within a
phase of the command, such as the sync run recorded in `sync_runs` (`tracker sync` goes on
to reassess every stored record afterwards). A brief peak between two samples can be missed.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_LAUNCHER = """
import json, os, subprocess, sys, threading, time
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, text=True)
done, samples = threading.Event(), []

def tree(root):
    pids = [root]
    for pid in pids:
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    pids += [int(child) for child in f.read().split()]
        except OSError:
            pass
    return pids

def field(path, name):
    try:
        with open(path) as f:
            return next((int(l.split()[1]) for l in f if l.startswith(name)), 0)
    except OSError:
        return 0

def sample():
    while not done.wait(0.05):
        pids = tree(proc.pid)
        pss = sum(field(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
        rss = sum(field(f"/proc/{p}/status", "VmRSS:") for p in pids)
        samples.append((time.time(), pss, rss))

threading.Thread(target=sample, daemon=True).start()
out = proc.stdout.read()
_, status, usage = os.wait4(proc.pid, 0)
done.set()
print(out.strip().splitlines()[-1] if out.strip() else "{}")
print(json.dumps({"maxrss": usage.ru_maxrss, "samples": samples}))
"""


@dataclass
class Launched:
    last: str
    """The command's last stdout line."""
    maxrss_mib: int
    """ru_maxrss: the peak RSS of its largest process."""
    samples: list[tuple[float, int, int]]
    """(unix time, PSS of the tree in KiB, RSS of the tree in KiB), every 50 ms."""
    wall: float
    stderr: str = ""

    def peak(self, start: float = 0.0, end: float = float("inf")) -> tuple[int, int]:
        """(PSS, RSS) peaks of the tree in MiB between two unix times."""
        inside = [(pss, rss) for t, pss, rss in self.samples if start <= t <= end]
        if not inside:
            return 0, 0
        return max(p for p, _ in inside) // 1024, max(r for _, r in inside) // 1024


def launch(args: list[str], env: dict[str, str]) -> Launched:
    """Run `python *args` through the launcher."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, sys.executable, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    lines = result.stdout.strip().splitlines()
    if len(lines) < 2 or lines[-2] == "{}":
        sys.stderr.write(result.stderr)
    measured = json.loads(lines[-1])
    samples = [(t, pss, rss) for t, pss, rss in measured["samples"]]
    return Launched(lines[-2], measured["maxrss"] // 1024, samples, wall, result.stderr)


def sync_run_window(db: Path, source: str) -> tuple[float, float]:
    """(start, finish) of the last `source` sync run as unix times, from its sync_runs row
    (tracker stores UTC)."""
    with sqlite3.connect(db) as conn:
        started, finished = conn.execute(
            "SELECT started_at, finished_at FROM sync_runs WHERE source = ?"
            " ORDER BY id DESC LIMIT 1",
            (source,),
        ).fetchone()
    return _unix(started), _unix(finished)


def _unix(stamp: str) -> float:
    moment = datetime.fromisoformat(stamp)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def judged(stderr: str) -> int | None:
    """Records the evidence engine judged, from `tracker sync`'s own line on stderr."""
    found = re.search(r"evidence: judged (\d+) records", stderr)
    return int(found.group(1)) if found else None


def evidence_rows(db: Path) -> set[tuple[object, ...]]:
    """Every row of the engine's tables (judgements, change events, links): two snapshots
    differ by the rows a command wrote."""
    rows: set[tuple[object, ...]] = set()
    with sqlite3.connect(db) as conn:
        for table in ("assessments", "change_events", "links"):
            rows |= {(table, *r) for r in conn.execute(f"SELECT * FROM {table}")}  # noqa: S608
    return rows


def shipped_claim() -> str:
    """The shipped [claim] sections, so that the engine judges the benchmark's records
    against the real question (a config without them has an empty claim: nothing is
    relevant, and judging is cheaper than a user's). The index's identifiers are left out,
    so the sync makes no lookups for it."""
    from tracker.config import DEFAULT_CONFIG

    text = DEFAULT_CONFIG.read_text()
    claim = text[text.index("[claim]") : text.index("[operator]")]
    return re.sub(r'(?m)^(nct_id|doi|pmid) = ".*"$', r'\1 = ""', claim)
