"""`tracker demo`: the offline tour works from the installed package, shows a first run and
a week later the changes the world went through."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def test_demo_runs_twice_and_shows_the_weeks_changes(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["NO_COLOR"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "demo", "--keep", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # not the repository: the simulator ships with the package
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.split("tracker digest", 2)[1:]
    assert "NCT04393467" in first and "PMID:39900001" in first  # the index, both registries
    assert "status: Recruiting → Terminated" in second
    assert "reason given for stopping: Futility at the interim analysis" in second
    assert "results posted on 2026-11-30" in second
    assert "PMID:39900003" in second and "retraction notice PMID:39900099" in second
    assert "Week 2 (2026-11-30): the world moved on" in result.stderr
    assert "WARNING" not in result.stderr  # a clean world: nothing to warn about
    assert (tmp_path / "demo" / "tracker.db").is_file()
    assert f"tracker --config {tmp_path / 'demo' / 'config.toml'} evidence" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # nothing else written
    # Every finished progress bar ends full (n/n), and fits 80 columns.
    bars = [line for line in result.stderr.splitlines() if "━" in line]
    assert len(bars) >= 10
    for line in bars:
        counts = re.search(r" (\d+)/(\d+) ", line)
        assert counts is not None, line
        done, total = counts.groups()
        assert done == total and len(line) <= 80, line
