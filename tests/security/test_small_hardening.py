"""Small bad inputs and leftovers, each one line and an exit code, no traceback: a database
URL whose password has a bare '@', a database folder that cannot be created, a version
number past any integer; and runs killed while 'running' closed by the next sync."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from tracker.errors import ConfigError, StoreError
from tracker.ingest.runs import start_run
from tracker.store.db import make_engine
from tracker.store.models import SyncRun


def test_a_bare_at_sign_in_the_password_says_to_url_encode_it() -> None:
    with pytest.raises(ConfigError, match="must be URL-encoded as %40") as err:
        make_engine("postgresql+psycopg://user:p@ss@db.example.org:5432/tracker")
    assert "p@ss" not in str(err.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can create folders anywhere")
def test_a_folder_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(StoreError, match="cannot create the database folder"):
        make_engine(f"sqlite:///{locked / 'sub' / 't.db'}")


def test_a_folder_under_a_file_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot create the database folder"):
        make_engine(f"sqlite:///{blocker / 'sub' / 't.db'}")


def test_show_version_past_any_integer_is_a_usage_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{tmp_path / 't.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "show", "NCT04393467", "--raw", "--version", "10" * 11],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "versions are numbered from 1" in result.stderr


def test_a_killed_run_does_not_stay_running(engine) -> None:
    with Session(engine) as session:
        session.add(SyncRun(source="ctgov", started_at=datetime(2026, 1, 1, tzinfo=UTC), full=True))
        session.commit()
    start_run(engine, "ctgov", "q", full=True, overlap_days=3)
    with Session(engine) as session:
        first, second = session.exec(select(SyncRun).order_by(col(SyncRun.id))).all()
    assert first.status == "interrupted" and first.finished_at is not None
    assert json.loads(first.errors) == ["the process ended without recording an outcome"]
    assert second.status == "running"  # the new one
