"""What several command modules share: the database of this invocation, the writer lock with
clean stops on signals, progress bars, help examples and the exit on failures.

Heavy libraries (SQLAlchemy, the sources) are imported inside the functions, so a module
that registers commands stays cheap to import."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from tracker.cli.app import State, stderr, tell

if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlalchemy import Engine

log = logging.getLogger("tracker.cli")


def examples(*lines: str) -> str:
    """A command's --help epilog: one example a line, written "command  what it does". The
    explanation goes on its own indented line under the command, so that at 80 columns
    neither is wrapped back to the left edge in the middle of the other."""
    shown: list[str] = []
    for line in lines:
        command, _, note = (part.strip() for part in line.partition("  "))
        shown.append(f"  $ {command}")
        if note:
            shown.append(f"      {note}")
    return "Examples:\n\n" + "\n".join(shown)


def engine() -> Engine:
    """The database of this invocation's config (opened and migrated once per process)."""
    from tracker.runtime.redact import scrub
    from tracker.store.db import open_database

    url = State.config().database.url
    log.info("database: %s (config: %s)", scrub(url), State.config().source_path)
    return open_database(url)


@contextmanager
def writing(command: str) -> Iterator[None]:
    """Hold the writer lock (exit 1 naming the holder if a scheduled job or another sync
    has it) and turn SIGTERM/SIGINT into a clean stop after the page in flight, exit 0."""
    from sqlalchemy.exc import OperationalError

    from tracker.errors import StoreError
    from tracker.runtime.interrupt import Interrupted, request_stop
    from tracker.schedule.lock import WRITER, WriterLock, holding
    from tracker.schedule.stop import stop_on_signals

    schedule = State.config().schedule
    lock = WriterLock(
        engine(),
        WRITER,
        command=command,
        heartbeat=schedule.lock_heartbeat,
        stale_after=schedule.lock_stale_after,
        on_lost=request_stop,
    )
    try:
        # Run as a job of `tracker schedule`, the scheduler holds the lock for us.
        inherit = os.environ.get("TRACKER_INHERITED_LOCK")
        with holding(lock, wait=False, inherit=inherit), stop_on_signals():
            yield
    except Interrupted as exc:
        tell(stderr, f"tracker: {exc}; the next sync resumes")
        raise typer.Exit(0) from None
    except OperationalError as exc:
        if "readonly" not in str(exc.orig):
            raise
        # A database opened read-only (the file is not writable by this user): reading
        # commands work on it, this one has to write.
        raise StoreError(
            f"the database is read-only here; `{command}` needs to write to it"
        ) from None


def exit_on(failures: list[str]) -> None:
    """Print each failure once, as one line, and exit 1 if there was any."""
    for line in failures:
        tell(stderr, f"tracker: error: {line}")
    if failures:
        raise typer.Exit(1)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """Progress on stderr; none with --quiet. A narrow bar on a narrow terminal, so a line
    of progress fits 80 columns."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=None if stderr.width > 100 else 20),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
        disable=State.quiet,
    )
    with bar:
        yield bar
