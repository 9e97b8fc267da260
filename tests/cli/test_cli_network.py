"""`tracker run` and `tracker sync` when the network is missing or stalls: a clear failure
at once, nothing printed as if it were news, and Ctrl-C or SIGTERM honoured at any moment."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.hostile_http import closed_port, serving, status


def _env(db: Path, **urls: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{db}"
    env.update({f"TRACKER_{name.upper()}_URL": url for name, url in urls.items()})
    return env


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_run_without_a_network_fails_at_once_and_changes_nothing_else(tmp_path: Path) -> None:
    refused = f"http://127.0.0.1:{closed_port()}"
    db = tmp_path / "t.db"
    env = _env(db, ctgov=refused, pubmed=refused + "/eutils", europepmc=refused + "/rest")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    took = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    # Default settings (5 retries, back-off from 1 s): none of them spent on a refusal.
    # Before, the back-off alone came to about 80 s; the bound leaves room for a loaded
    # machine's start-up (the quiet figure is in the README).
    assert took < 30, took
    assert "retry" not in result.stderr
    for source in ("ctgov", "pubmed", "europepmc"):
        line = f"tracker: error: {source}: cannot reach 127.0.0.1 (connection refused)"
        assert result.stderr.count(line) == 1, result.stderr
        assert f"TRACKER_{source.upper()}_URL" in result.stderr
    assert "ctgov: ctgov:" not in result.stdout + result.stderr
    # No digest: its standing ("No independent confirmation yet") would read as news.
    assert result.stdout == ""
    assert "confirmation" not in result.stderr
    # The digest window did not move, and the failed runs are all there is.
    assert _rows(db, "select count(*) from reports") == [(0,)]
    runs = _rows(db, "select source, status, retries, errors from sync_runs order by id")
    assert [(r[0], r[1], r[2]) for r in runs] == [
        ("ctgov", "failed", 0),
        ("pubmed", "failed", 0),
        ("europepmc", "failed", 0),
    ]
    assert all(not r[3].startswith('["ctgov: ') for r in runs)  # stored once, unprefixed
    for table in ("trials", "articles", "change_events", "assessments"):
        assert _rows(db, f"select count(*) from {table}") == [(0,)], table


def _stalling() -> tuple[threading.Event, object]:
    """A server that accepts, then answers nothing for a minute; `reached` is set once the
    client's request has arrived."""
    reached = threading.Event()

    def behave(conn: socket.socket) -> None:
        reached.set()
        time.sleep(60)

    return reached, behave


@pytest.mark.parametrize(
    ("sig", "stall"),
    [(signal.SIGINT, "request"), (signal.SIGTERM, "back-off")],
    ids=["ctrl-c-in-a-stalled-request", "sigterm-in-a-back-off-wait"],
)
def test_a_signal_stops_a_stalled_sync_within_two_seconds(tmp_path: Path, sig, stall) -> None:
    db = tmp_path / "t.db"
    if stall == "request":
        reached, behave = _stalling()
    else:
        reached = threading.Event()
        busy = status(503, retry_after="120")

        def behave(conn: socket.socket) -> None:
            busy(conn)
            reached.set()

    with serving(behave) as url:  # type: ignore[arg-type]
        proc = subprocess.Popen(
            [sys.executable, "-m", "tracker", "sync", "--source", "ctgov"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(db, ctgov=url),
            cwd=tmp_path,
        )
        try:
            assert reached.wait(60), "the sync never reached the server"
            time.sleep(0.3)  # in the blocked read, or in the back-off wait
            proc.send_signal(sig)
            started = time.monotonic()
            assert proc.stderr is not None
            said = ""
            for line in proc.stderr:
                said += line
                if "the next sync resumes" in line:
                    break
            stopped = time.monotonic() - started
            proc.wait(timeout=30)
            exited = time.monotonic() - started
        finally:
            proc.kill()
            proc.wait()
            proc.stderr.close()  # type: ignore[union-attr]
    # Stopped within 2 s; the interpreter's own exit after that is slower on a loaded machine.
    assert stopped < 2.0, (stopped, said)
    assert exited < 5.0, exited
    assert proc.returncode == 0, said
    assert _rows(db, "select status from sync_runs") == [("interrupted",)]
