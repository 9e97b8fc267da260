"""`tracker doctor`'s local checks: the config file, the database and its schema revision
(read without migrating: doctor changes nothing), the scheduler, the operator's contact and
the free disk space."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from tracker.config import Config, OperatorConfig
from tracker.config.origin import Explained
from tracker.doctor.result import Check, first_line

LOW_DISK = 1 << 30
"""Below 1 GiB free a warning; below a tenth of that a failure (a first CT.gov sync stores
hundreds of MB)."""


def config_checks(explained: Explained) -> list[Check]:
    where = (
        f"{explained.config_file} ({explained.config_reason})"
        if explained.config_file
        else explained.config_reason
    )
    config = (
        Check("config", "ok", where)
        if explained.config_file
        else Check("config", "warn", where, "write one with `tracker init DIR`")
    )
    database = Check("database", "ok", f"{explained.database_url} ({explained.database_reason})")
    return [config, database]


def schema_check(url: str) -> Check:
    """The schema revision, read without migrating (doctor changes nothing)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.store.db import SCHEMA_HEAD, current_revision

    if _missing_sqlite(url):
        return Check("schema", "warn", "no database yet", "the first `tracker run` creates it")
    engine = create_engine(url)
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:  # any driver error: one line, not a traceback
        return Check(
            "schema",
            "fail",
            f"cannot open the database: {first_line(exc)}",
            "check [database] url or $TRACKER_DATABASE_URL and that the server runs",
        )
    finally:
        engine.dispose()
    if revision == SCHEMA_HEAD:
        return Check("schema", "ok", f"revision {revision} (current)")
    if revision is None:
        return Check("schema", "warn", "empty database", "the first `tracker run` fills it")
    if revision < SCHEMA_HEAD:
        return Check(
            "schema", "ok", f"revision {revision}; upgraded to {SCHEMA_HEAD} on the next command"
        )
    return Check(
        "schema",
        "fail",
        f"revision {revision} is newer than this tracker ({SCHEMA_HEAD})",
        "upgrade tracker: an older version must not write this database",
    )


def scheduler_check(url: str, config: Config, now: datetime) -> Check:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.schedule.alive import scheduler_state

    if _missing_sqlite(url):
        return Check(
            "scheduler",
            "warn",
            "not running (no database yet)",
            "start `tracker schedule` (systemd, a container) or run `tracker run` from cron",
        )
    engine = create_engine(url)
    try:
        state = scheduler_state(engine, stale_after=config.schedule.lock_stale_after, now=now)
    except SQLAlchemyError:  # no lock table yet: nothing can be running on it
        return Check(
            "scheduler",
            "warn",
            "not running (no database yet)",
            "start `tracker schedule` (see the operations guide) to run it weekly",
        )
    finally:
        engine.dispose()
    if state.running:
        return Check("scheduler", "ok", state.describe())
    return Check(
        "scheduler",
        "warn",
        state.describe(),
        "start `tracker schedule` (systemd, a container) or run `tracker run` from cron",
    )


def operator_check(config: Config) -> Check:
    if config.operator.contact == OperatorConfig().contact:
        return Check(
            "operator",
            "warn",
            f"contact is the placeholder {config.operator.contact}",
            "put a real address in [operator] contact: registries use it to reach you",
        )
    return Check("operator", "ok", f"contact {config.operator.contact}")


def disk_check(url: str, fallback: Path) -> Check:
    folder = _sqlite_folder(url) or fallback
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    detail = f"{free / (1 << 30):.1f} GiB free in {folder}"
    if free < LOW_DISK // 10:
        return Check("disk", "fail", detail, "free some space: a sync needs hundreds of MB")
    if free < LOW_DISK:
        return Check("disk", "warn", detail, "free some space before a first full sync")
    return Check("disk", "ok", detail)


def _sqlite_folder(url: str) -> Path | None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return Path(url[len(prefix) :]).parent
    return None


def _missing_sqlite(url: str) -> bool:
    """A SQLite file that does not exist yet (doctor must not create it by connecting)."""
    folder = _sqlite_folder(url)
    return folder is not None and not Path(url[len("sqlite:///") :]).exists()
