"""Small bad inputs each end in one line and the right exit code, with no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.cli.app import parse_since
from tracker.errors import UsageError


def run_tracker(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-05:00"])
def test_since_outside_utc_range_is_a_usage_error(value: str) -> None:
    with pytest.raises(UsageError, match="--since"):
        parse_since(value)


def test_since_overflow_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = run_tracker("digest", "--since", "0001-01-01T00:00:00+14:00", env=env)
    assert_one_line(result, 2, "--since", "0001-01-01T00:00:00+14:00")
