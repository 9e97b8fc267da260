"""What several command modules share: the database of this invocation, the writer lock with
clean stops on signals, progress bars and the exit on failures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from tracker.cli.app import State, stderr
from tracker.store.db import open_database


def engine() -> Engine:
    """The database of this invocation's config (opened and migrated once per process)."""
    return open_database(State.config().database.url)


@contextmanager
def writing(command: str) -> Iterator[None]:
    """Hold the writer lock (exit 1 naming the holder if a scheduled job or another sync
    has it) and turn SIGTERM/SIGINT into a clean stop after the page in flight, exit 0."""
    from tracker.interrupt import Interrupted, request_stop
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
        stderr.print(f"tracker: {exc}; the next sync resumes", markup=False, highlight=False)
        raise typer.Exit(0) from None


def exit_on(failures: list[str]) -> None:
    """Print each failure once, as one line, and exit 1 if there was any."""
    for line in failures:
        stderr.print(f"tracker: error: {line}", markup=False, highlight=False)
    if failures:
        raise typer.Exit(1)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
    )
    with bar:
        yield bar
