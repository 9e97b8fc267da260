"""A SQLite file this user may read but not write: the reading commands work on it, and a
command that must write says so in one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.e2e_support import EXPECTED_IDS, build_world, write_config_file

NOBODY = 65534


@pytest.fixture
def folder() -> Iterator[Path]:
    # Not under pytest's tmp_path: that is private to the test user, and the read-only run
    # goes as another user when the tests run as root.
    path = Path(tempfile.mkdtemp(prefix="tracker-ro-"))
    path.chmod(0o755)
    yield path
    path.chmod(0o755)
    shutil.rmtree(path)


def tracker(*args: str, config: Path, as_reader: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    prefix: list[str] = []
    if as_reader and os.geteuid() == 0:
        # Root may write any file: run as nobody so the permission bits really apply.
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot make the file read-only")
        prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        env["HOME"] = "/tmp"
        if not _nobody_reaches(tuple(prefix)):
            pytest.skip(
                f"user nobody cannot run {sys.executable} with this checkout's tracker "
                "(a folder above it is not searchable by others)"
            )
    return subprocess.run(
        [*prefix, sys.executable, "-m", "tracker", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        cwd="/",
    )


@cache
def _nobody_reaches(prefix: tuple[str, ...]) -> bool:
    """Whether nobody can reach this checkout's interpreter and package: a clone inside a
    folder only its owner may search (`mktemp -d` makes one, mode 0700) cannot be run by
    another user, and then nothing here can be checked."""
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import tracker"],
        capture_output=True,
        env={"PATH": os.environ.get("PATH", ""), "HOME": "/tmp"},
        timeout=60,
        check=False,
        cwd="/",
    )
    return probe.returncode == 0


def test_reading_commands_work_on_a_read_only_database(simulator: Any, folder: Path) -> None:
    build_world(simulator.ctgov)
    database = folder / "ro.db"
    config = write_config_file(folder, simulator, f"sqlite:///{database}")
    config.chmod(0o644)
    assert tracker("sync", config=config).returncode == 0
    before = database.read_bytes()
    database.chmod(0o444)
    folder.chmod(0o555)  # no -shm or -wal file can be made beside it either

    status = tracker("status", "--format", "json", config=config, as_reader=True)
    assert status.returncode == 0, status.stderr
    digest = tracker("digest", "--all", "--format", "json", config=config, as_reader=True)
    assert digest.returncode == 0, digest.stderr
    assert sorted(item["id"] for item in json.loads(digest.stdout)["new"]) == EXPECTED_IDS
    shown = tracker("show", EXPECTED_IDS[0], config=config, as_reader=True)
    assert shown.returncode == 0, shown.stderr
    assert EXPECTED_IDS[0] in shown.stdout
    evidence = tracker("evidence", config=config, as_reader=True)
    assert evidence.returncode == 0, evidence.stderr
    assert "read-only" in evidence.stderr and "Traceback" not in evidence.stderr

    sync = tracker("sync", config=config, as_reader=True)
    assert sync.returncode == 1
    lines = [line for line in sync.stderr.splitlines() if line.strip()]
    assert lines == [
        "tracker: error: the database is read-only here; `tracker sync` needs to write to it"
    ]
    assert database.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(["ro.db", config.name])
