"""How long `tracker` takes to start: `tracker --help` and `tracker status` on a small
database, each as a whole process (interpreter start, imports, work, exit), several times.

    uv run python benchmarks/startup.py [--repeats 9]

Targets: `--help` under 0.5 s and `status` under 1 s (median wall-clock time). Bytecode is
written by a first, untimed run of each command (a user's installed tracker has it; a
machine with PYTHONDONTWRITEBYTECODE set would otherwise compile every module every time).
Wall-clock time on a shared machine includes waiting for a CPU, so the CPU time (user +
system) of the same runs is printed beside it. The last stdout line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"--help": 0.5, "status": 1.0}


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read() if proc.stderr else b""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {stderr.decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    exe = [sys.executable, "-m", "tracker"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text('[database]\nurl = "sqlite:///tracker.db"\n')
        commands = {
            "--help": [*exe, "--help"],
            "status": [*exe, "--config", str(config), "status"],
        }
        for name, cmd in commands.items():
            timed(cmd, env)  # writes bytecode; for status, creates and migrates the database
            runs = [timed(cmd, env) for _ in range(args.repeats)]
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            verdict = "ok" if wall < TARGETS[name] else "MISSED"
            print(
                f"tracker {name:8} median {wall:.3f} s wall, {cpu:.3f} s CPU "
                f"over {args.repeats} runs (target < {TARGETS[name]} s: {verdict})"
            )
            results[name] = {"wall_median": wall, "cpu_median": cpu, "target": TARGETS[name]}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
