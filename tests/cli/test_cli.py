"""The CLI as a user runs it: a real `tracker` subprocess against the simulator.

Checks what scripts rely on: exit codes, JSON on stdout and nothing else there, one line
for errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.e2e_support import EXPECTED_IDS, build_world, write_config_file


def tracker(*args: str, config=None, env=None, check_code: int | None = 0):
    cmd = [sys.executable, "-m", "tracker"]
    if config is not None:
        cmd += ["--config", str(config)]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    full_env.update(env or {})
    result = subprocess.run(
        cmd + list(args), capture_output=True, text=True, env=full_env, timeout=120, check=False
    )
    if check_code is not None:
        assert result.returncode == check_code, result.stderr
    return result


@pytest.fixture
def setup(simulator, tmp_path):
    build_world(simulator.ctgov)
    db_url = f"sqlite:///{tmp_path / 'cli.db'}"
    return simulator, write_config_file(tmp_path, simulator, db_url)


def test_run_syncs_then_prints_the_digest_as_json(setup):
    sim, config = setup
    result = tracker("run", "--format", "json", config=config)
    digest = json.loads(result.stdout)  # stdout is the JSON and nothing else
    assert {"since", "until", "new", "changes", "verdict_changes", "evidence", "health"} <= set(
        digest
    )
    assert sorted(item["id"] for item in digest["new"]) == EXPECTED_IDS
    assert all({"id", "source", "title"} <= set(item) for item in digest["new"])
    assert digest["health"]["ctgov"]["complete"] is True
    assert digest["health"]["ctgov"]["fetched"] == digest["health"]["ctgov"]["expected"]
    assert "ctgov: full: fetched" in result.stderr  # progress and summaries go to stderr
    # The evidence engine's pass after the sync shows too: each record read, then judged.
    judged = f"evidence · judging ━━━━━━━━━━━━━━━━━━━━ {2 * len(EXPECTED_IDS)}/"
    assert judged in result.stderr
    assert f"evidence: judged {len(EXPECTED_IDS)} records" in result.stderr

    # `run` moved its own window: a second run has nothing new.
    again = json.loads(tracker("run", "--format", "json", config=config).stdout)
    assert again["new"] == [] and again["since"] == digest["until"]
    # A plain digest only looks: right after a run it still shows what the run showed.
    look = json.loads(tracker("digest", "--format", "json", config=config).stdout)
    assert sorted(item["id"] for item in look["new"]) == EXPECTED_IDS
    # --all and --since are look-backs.
    everything = json.loads(tracker("digest", "--all", "--format", "json", config=config).stdout)
    assert sorted(item["id"] for item in everything["new"]) == EXPECTED_IDS
    since = json.loads(
        tracker("digest", "--since", "2000-01-01", "--format", "json", config=config).stdout
    )
    assert since["since"].startswith("2000-01-01T00:00:00")
    assert len(since["new"]) == len(EXPECTED_IDS)


def test_digest_lists_changes_after_the_world_moves(setup):
    sim, config = setup
    tracker("sync", config=config)
    tracker("run", config=config)  # start the run's window now
    sim.ctgov.advance(3)
    sim.ctgov.set_status("NCT05000003", "SUSPENDED", why_stopped="Funding paused")
    result = tracker("run", "--format", "markdown", config=config)
    assert "NCT05000003" in result.stdout
    # Grouped by record, in plain words: the status and the reason under the trial.
    assert "status: Recruiting → Suspended" in result.stdout
    assert "  - reason given for stopping: Funding paused" in result.stdout
    changes = json.loads(tracker("digest", "--all", "--format", "json", config=config).stdout)[
        "changes"
    ]
    assert {(c["id"], c["field"], c["old"], c["new"]) for c in changes} >= {
        ("NCT05000003", "overall_status", "RECRUITING", "SUSPENDED"),
        ("NCT05000003", "why_stopped", None, "Funding paused"),
    }
    assert all({"id", "field", "old", "new", "at"} <= set(c) for c in changes)


def test_show_prints_record_and_timeline_and_unknown_id_fails_in_one_line(setup):
    sim, config = setup
    tracker("sync", config=config)
    shown = json.loads(tracker("show", "nct04393467", "--format", "json", config=config).stdout)
    assert shown["id"] == "NCT04393467"
    assert shown["record"]["interventions"][0]["name"] == "tSMS"
    assert [v["version"] for v in shown["versions"]] == [1]
    text = tracker("show", "NCT04393467", config=config).stdout
    assert "Timeline" in text and "first seen" in text
    missing = tracker("show", "NCT09999999", config=config, check_code=1)
    assert missing.stdout == ""
    assert missing.stderr.strip().count("\n") == 0
    assert "NCT09999999" in missing.stderr


def test_registry_failure_exits_1_but_keeps_what_was_fetched(setup):
    sim, config = setup
    sim.faults.inject("500", after=1, count=50)
    result = tracker("sync", config=config, check_code=1)
    assert "HTTP 500" in result.stderr and "page 2" in result.stderr
    status = json.loads(tracker("status", "--format", "json", config=config).stdout)
    ctgov = status["sources"]["ctgov"]
    assert (ctgov["last_status"], ctgov["complete"]) == ("failed", False)
    assert ctgov["stored"] == 4  # page 1 (page_size 4) was stored before the failure
    sim.faults.clear()
    tracker("sync", config=config)
    status = json.loads(tracker("status", "--format", "json", config=config).stdout)
    assert status["sources"]["ctgov"]["complete"] is True
    assert status["sources"]["ctgov"]["stored"] == len(EXPECTED_IDS)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[ctgov]\nquerys = 1\n", "unknown key 'ctgov.querys'"),
        ("[ctgov]\nrps = 'fast'\n", "key 'ctgov.rps'"),
        ("[ctgov\n", "not valid TOML"),
    ],
)
def test_bad_config_exits_2_with_one_line_naming_key_and_file(tmp_path, content, expected):
    config = tmp_path / "bad.toml"
    config.write_text(content)
    result = tracker("status", config=config, check_code=2)
    line = result.stderr.strip()
    assert "\n" not in line
    assert expected in line and str(config) in line


def test_bad_environment_override_exits_2(tmp_path):
    result = tracker(
        "status",
        env={"TRACKER_CTGOV_RPS": "fast", "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
        check_code=2,
    )
    assert "$TRACKER_CTGOV_RPS" in result.stderr


def test_unavailable_source_and_bad_since_are_usage_errors(setup):
    sim, config = setup
    assert (
        "invalid value"
        in tracker("sync", "--source", "medrxiv", config=config, check_code=2).stderr.lower()
    )
    assert (
        "--since" in tracker("digest", "--since", "yesterday", config=config, check_code=2).stderr
    )


def test_python_dash_m_and_help(tmp_path):
    result = tracker("--help")
    for command in ("sync", "digest", "show", "status", "run"):
        assert command in result.stdout


def test_show_raw_prints_each_version_payload_byte_for_byte(setup):
    sim, config = setup
    tracker("sync", config=config)
    first = sim.ctgov.raw("NCT05000001")
    sim.ctgov.advance(2)
    sim.ctgov.set_status("NCT05000001", "COMPLETED")
    tracker("sync", config=config)
    current = tracker("show", "NCT05000001", "--raw", config=config).stdout.encode()
    assert current.rstrip(b"\n") == sim.ctgov.raw("NCT05000001")
    old = tracker("show", "NCT05000001", "--raw", "--version", "1", config=config).stdout.encode()
    assert old.rstrip(b"\n") == first
    missing = tracker("show", "NCT05000001", "--raw", "--version", "9", config=config, check_code=1)
    assert "no version 9" in missing.stderr
