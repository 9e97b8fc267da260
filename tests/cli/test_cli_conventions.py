"""Command-line conventions a weekly user relies on: --version, global options after the
command name, examples in every --help, --quiet for cron, and digest windows that belong to
the command that reports them. Real `tracker` subprocesses against the simulator."""

from __future__ import annotations

import json
import re

import pytest

from tests.cli.test_cli import tracker
from tests.e2e_support import EXPECTED_IDS, build_world, write_config_file
from tracker.cli.app import hoist_global_options


@pytest.fixture
def setup(simulator, tmp_path):
    build_world(simulator.ctgov)
    db_url = f"sqlite:///{tmp_path / 'cli.db'}"
    return simulator, write_config_file(tmp_path, simulator, db_url)


def test_version():
    result = tracker("--version")
    assert re.fullmatch(r"tracker \d+\.\d+\.\d+\S*\n", result.stdout)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["status", "--config", "c.toml", "-v"], ["--config", "c.toml", "-v", "status"]),
        (["digest", "--config=c.toml", "--all"], ["--config=c.toml", "digest", "--all"]),
        (["-q", "run", "--log-file", "x.log"], ["--log-file", "x.log", "-q", "run"]),
        # `show --version N` is the command's own option; `--` ends option parsing.
        (["show", "X", "--version", "2"], ["show", "X", "--version", "2"]),
        (["judge", "X", "--", "-v"], ["judge", "X", "--", "-v"]),
    ],
)
def test_global_options_after_the_command_are_moved_before_it(given, expected):
    assert hoist_global_options(given) == expected


def test_global_options_work_after_the_command_name(setup, tmp_path):
    sim, config = setup
    result = tracker("status", "--config", str(config), "-v", "--format", "json")
    assert set(json.loads(result.stdout)) >= {"sources", "jobs", "scheduler"}
    # -v names the database in use and the config it came from.
    assert f"database: sqlite:///{tmp_path / 'cli.db'} (config: {config})" in result.stderr


def test_every_command_help_has_examples():
    listing = tracker("--help").stdout
    names = re.findall(r"^│ (\w+) {2,}", listing, flags=re.MULTILINE)
    assert {"run", "digest", "status", "sync", "email", "schedule"} <= set(names)
    for name in names:
        shown = tracker(name, "--help", env={"COLUMNS": "80"}).stdout
        assert "Examples:" in shown and f"$ tracker {name}" in shown, name
        # At 80 columns each example command is whole on its line, and its explanation on
        # the lines under it (not wrapped back to the left edge).
        epilog = shown[shown.index("Examples:") :].splitlines()
        assert all(len(line) <= 80 for line in shown.splitlines()), name
        assert all(
            line.startswith((" $ tracker", "     ")) for line in epilog[1:] if line.strip()
        ), (name, epilog)


def test_quiet_run_prints_only_the_digest(setup):
    sim, config = setup
    result = tracker("run", "--quiet", "--format", "json", config=config)
    assert result.stderr == ""  # nothing for cron to mail when all went well
    assert sorted(i["id"] for i in json.loads(result.stdout)["new"]) == EXPECTED_IDS


def test_plain_digest_looks_and_mark_moves_the_window(setup):
    sim, config = setup
    tracker("sync", config=config)
    first = json.loads(tracker("digest", "--format", "json", config=config).stdout)
    second = json.loads(tracker("digest", "--format", "json", config=config).stdout)
    assert sorted(i["id"] for i in first["new"]) == EXPECTED_IDS
    assert second["new"] == first["new"]  # the first look used nothing up
    marked = json.loads(tracker("digest", "--mark", "--format", "json", config=config).stdout)
    assert marked["new"] == first["new"]
    after = json.loads(tracker("digest", "--format", "json", config=config).stdout)
    assert after["new"] == [] and after["since"] == marked["until"]
    bad = tracker("digest", "--mark", "--all", config=config, check_code=2)
    assert bad.stderr.count("\n") == 1 and "--mark" in bad.stderr


def test_log_lines_carry_one_level_and_an_iso_time(tmp_path):
    import io
    import logging

    from rich.console import Console

    from tracker.cli.logs import configure_logging

    def logged_to_stderr(*, terminal: bool) -> list[str]:
        out = io.StringIO()
        # as tracker's stderr, on an 80-column terminal or into a pipe
        stderr = Console(file=out, width=80, soft_wrap=True, force_terminal=terminal)
        configure_logging(stderr, verbose=False, quiet=False, log_file=log_file)
        try:
            long = "retrying after HTTP 503 from eutils.ncbi.nlm.nih.gov " * 3
            logging.getLogger("tracker.pubmed").warning("%s", long.strip())
            logging.getLogger("tracker.pubmed").info("not shown without -v")
        finally:
            logging.basicConfig(handlers=[logging.NullHandler()], force=True)
        return out.getvalue().splitlines()

    log_file = tmp_path / "t.log"
    folded = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in logged_to_stderr(terminal=True)]
    assert len(folded) == 4 and all(len(line) <= 80 for line in folded), folded
    assert all(re.match(" {21}[a-z]", line) for line in folded[1:]), folded
    log_file.unlink()
    lines = logged_to_stderr(terminal=False)
    assert len(lines) == 1  # into cron mail or a pipe: one line, for grep
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ WARNING tracker\.pubmed: retrying.*", lines[0]
    )
    assert lines[0].count("WARNING") == 1
    logged = log_file.read_text()
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ WARNING tracker\.pubmed \[\d+\]: ", logged)
