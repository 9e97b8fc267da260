"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from TRACKER_TEST_POSTGRES_URL (scripts/start-postgres prints it); each
test gets a database of its own, dropped afterwards. Without the variable the PostgreSQL
half is skipped locally, and fails in CI, where it must run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from tracker.store.db import open_database


def _postgres_base() -> str:
    url = os.environ.get("TRACKER_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TRACKER_TEST_POSTGRES_URL is not set; .ci/run must start PostgreSQL")
        pytest.skip('PostgreSQL not configured (eval "$(scripts/start-postgres)")')
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    base = _postgres_base()
    name = f"tracker_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on each backend."""
    eng = open_database(db_url)
    try:
        yield eng
    finally:
        eng.dispose()
