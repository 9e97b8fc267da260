"""Alembic is the only thing that creates the schema; it must match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import tracker.store.models  # noqa: F401  (registers the tables)
from tracker.store.db import make_engine, upgrade


def test_upgrade_head_matches_models(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
            )
        assert diff == []
        tables = set(inspect(engine).get_table_names())
        assert {"trials", "trial_versions", "change_events", "sync_runs", "reports"} <= tables
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        upgrade(engine)  # a second command on a migrated database must be a no-op
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() is not None
    finally:
        engine.dispose()


def test_schema_head_constant_matches_alembic():
    from alembic.script import ScriptDirectory

    from tracker.store.db import SCHEMA_HEAD, alembic_config, make_engine

    engine = make_engine("sqlite://")
    assert ScriptDirectory.from_config(alembic_config(engine)).get_current_head() == SCHEMA_HEAD
