"""Small bad inputs each end in one line and the right exit code, with no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.cli.app import parse_since
from tracker.config import DEFAULT_CONFIG, load_config
from tracker.errors import ConfigError, UsageError


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


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("TRACKER_EMAIL_FROM", "tracker@example.org\r\nBcc: victim@example.net"),
        ("TRACKER_EMAIL_TO", "a@example.org, b@example.org\nBcc: victim@example.net"),
        ("TRACKER_EMAIL_FROM", "tracker@example.org\x00"),
    ],
)
def test_control_characters_in_email_variables_are_config_errors(var: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"\${var}: contains a control character"):
        load_config(DEFAULT_CONFIG, env={var: value})


def test_control_characters_in_email_keys_of_the_file_are_config_errors(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[email]\nfrom_addr = "me@example.org\\r\\nBcc: victim@example.net"\n')
    with pytest.raises(ConfigError, match=r"key 'email.from_addr'.*control character"):
        load_config(config, env={})


def test_crlf_in_email_from_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "TRACKER_EMAIL_FROM": "me@example.org\r\nBcc: victim@example.net",
    }
    result = run_tracker("status", env=env)
    assert_one_line(result, 2, "$TRACKER_EMAIL_FROM")
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened
