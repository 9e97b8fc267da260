"""A database that fills up mid-sync (SQLite: 'database or disk is full'): the source
fails with one line, and no page is half-written."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event

from tests.e2e_support import build_world, count, make_config, try_sync
from tracker.errors import SourceError
from tracker.store.db import open_database
from tracker.store.models import Trial, TrialVersion


def test_disk_full_fails_the_source_with_one_line(simulator: Any, tmp_path: Path) -> None:
    build_world(simulator.ctgov)
    db_url = f"sqlite:///{tmp_path / 'full.db'}"
    engine = open_database(db_url)
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    engine.dispose()

    @event.listens_for(engine, "connect")
    def cap(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # A disk that holds only a few more pages than the empty schema needs.
        dbapi_connection.execute(f"PRAGMA max_page_count = {int(pages or 0) + 3}")

    cfg = make_config(simulator, db_url)
    failure = try_sync(engine, cfg)
    assert isinstance(failure, SourceError), repr(failure)
    message = str(failure)
    assert "full" in message and "\n" not in message
    assert count(engine, Trial) == count(
        engine, TrialVersion
    )  # every stored trial has its version: no page half-written
