"""Engine, sessions and schema upgrades (Alembic, applied automatically)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

from tracker.errors import ConfigError, StoreError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

SCHEMA_HEAD = "0011"
"""The newest migration in migrations/versions. Knowing it here lets every command check
the schema with one query and import Alembic (a third of start-up time) only when an
upgrade is due; a test keeps it equal to Alembic's own head."""


def migrations_dir() -> Path:
    """The Alembic scripts: top-level `migrations/` in a checkout, packaged in a wheel."""
    package = Path(__file__).resolve().parent.parent  # tracker/, from tracker/store/db.py
    for candidate in (package.parent / "migrations", package / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise StoreError(f"Alembic migrations not found next to {package}")


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and foreign keys, and its folder is created."""
    authority = url.partition("://")[2].partition("/")[0]
    if authority.count("@") > 1:
        # Otherwise the host is taken to be whatever follows the password's own '@'.
        raise ConfigError(
            "database url: the password contains '@', which must be URL-encoded as %40 "
            "(and ':' as %3A, '/' as %2F)"
        )
    url, read_only = _sqlite_read_only(url)
    try:
        engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    except (ArgumentError, ImportError, ValueError) as exc:
        raise StoreError(f"database url {_redact(url)!r} is not usable: {exc}") from exc
    if read_only:
        return engine  # no folder to create, and no WAL pragma: it would be a write
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:":
            folder = Path(database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the database folder {folder}: {exc.strerror or exc}"
                ) from exc
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_read_only(url: str) -> tuple[str, bool]:
    """A SQLite file we may read but not write, opened read-only: `status`, `digest`,
    `evidence` and `show` then work on it. Setting WAL mode would be a write, and reading
    a WAL database needs its -shm file; when that cannot be created (the folder is not
    writable either) and no -wal file shows a writer at work, the file is read as
    immutable. Any other URL is returned unchanged."""
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except ArgumentError:
        return url, False
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return url, False
    if database.startswith("file:") or parsed.query:
        return url, False  # the user chose how to open it
    path = Path(database)
    if not path.is_file() or os.access(path, os.W_OK):
        return url, False
    query = "mode=ro&uri=true"
    wal = path.with_name(path.name + "-wal")
    if not wal.exists() and not os.access(path.parent, os.W_OK):
        query += "&immutable=1"
    return f"sqlite:///file:{quote(str(path.resolve()))}?{query}", True


def is_read_only(engine: Engine) -> bool:
    """A SQLite database opened read-only (see _sqlite_read_only)."""
    return engine.dialect.name == "sqlite" and engine.url.query.get("mode") == "ro"


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # WAL lets `tracker digest` read while a sync writes; NORMAL is still crash-safe in WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database, or None for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is already there."""
    try:
        if current_revision(engine) == SCHEMA_HEAD:
            return
        if is_read_only(engine):
            raise StoreError(
                f"database {_redact(str(engine.url))} is read-only here and needs a schema "
                "upgrade: run tracker once with write access to it"
            )
        from alembic import command

        command.upgrade(alembic_config(engine), "head")
    except OperationalError as exc:
        raise StoreError(f"cannot open database {_redact(str(engine.url))}: {exc.orig}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate database {_redact(str(engine.url))}: {exc}") from exc


def open_database(url: str) -> Engine:
    """The engine every command uses: created, then migrated."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _redact(url: str) -> str:
    """Never print a password that a user put in a database URL."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable url>"
