"""One writer at a time: a lock row in the tracker database, on SQLite and PostgreSQL alike.

A row in `process_locks` names its holder (host, pid, command, since when) and carries a
heartbeat that a background thread refreshes. Taking the lock is an INSERT (the primary
key lets only one process win); a row whose heartbeat is older than `stale_after`, or
whose process no longer exists on this host, belonged to a killed process and is taken
over with a compare-and-swap on its token. The same statements run on both backends, so
both behave the same; advisory locks would not exist on SQLite.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from tracker.errors import LockedError
from tracker.store.models import ProcessLock

log = logging.getLogger(__name__)

WRITER = "writer"
"""Held while records are written: a sync, a run, a scheduled job."""
SCHEDULER = "scheduler"
"""Held by the one `tracker schedule` that runs the jobs of this database."""

LOCKS = ProcessLock.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, for the message a waiting process prints."""

    host: str
    pid: int
    command: str
    acquired_at: datetime
    heartbeat_at: datetime

    def describe(self) -> str:
        since = self.acquired_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"{self.command} (pid {self.pid} on {self.host}) since {since}"


def _now() -> datetime:
    return datetime.now(UTC)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


class WriterLock:
    """A named lock in the database; `acquire` once, `release` when done.

    While held, a daemon thread refreshes the heartbeat every `heartbeat` seconds. If the
    row is taken from us (we stalled longer than `stale_after`), `lost` is set and
    `on_lost` is called, so the holder can stop at the next safe point."""

    def __init__(
        self,
        engine: Engine,
        name: str,
        *,
        command: str,
        heartbeat: float = 15.0,
        stale_after: float = 120.0,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.name = name
        self.command = command
        self.heartbeat = heartbeat
        self.stale_after = stale_after
        self.on_lost = on_lost
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.token: str | None = None
        self.lost = threading.Event()
        self._stop_beat = threading.Event()
        self._beat: threading.Thread | None = None

    def holder(self) -> Holder | None:
        """The current holder, or None when the lock is free."""
        with self.engine.connect() as conn:
            row = conn.execute(select(LOCKS).where(LOCKS.c.name == self.name)).first()
        if row is None:
            return None
        return Holder(row.host, row.pid, row.command, row.acquired_at, row.heartbeat_at)

    def held_under(self, token: str) -> bool:
        """Whether the lock is currently held with this token."""
        with self.engine.connect() as conn:
            held = conn.execute(
                select(LOCKS.c.token).where(LOCKS.c.name == self.name, LOCKS.c.token == token)
            ).first()
        return held is not None

    def stamp_pid(self, token: str, pid: int) -> None:
        """Name another process of this host as the holder of the lock held under `token`."""
        with self.engine.begin() as conn:
            conn.execute(
                update(LOCKS)
                .where(LOCKS.c.name == self.name, LOCKS.c.token == token)
                .values(pid=pid)
            )

    def try_acquire(self) -> Holder | None:
        """Take the lock if free or stale; returns None on success, else its holder."""
        token = uuid.uuid4().hex
        now = _now()
        values = {
            "name": self.name,
            "token": token,
            "host": self.host,
            "pid": self.pid,
            "command": self.command[:64],
            "acquired_at": now,
            "heartbeat_at": now,
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(LOCKS.insert().values(**values))
        except IntegrityError:
            return self._take_over_if_stale(values)
        self._started(token)
        return None

    def _take_over_if_stale(self, values: dict[str, object]) -> Holder | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(LOCKS).where(LOCKS.c.name == self.name)).first()
        if row is None:
            return self.try_acquire()  # released between our INSERT and our SELECT
        holder = Holder(row.host, row.pid, row.command, row.acquired_at, row.heartbeat_at)
        if not self._is_stale(holder):
            return holder
        # Compare-and-swap on the old token: of two processes seeing the same stale row,
        # exactly one replaces it.
        with self.engine.begin() as conn:
            swapped = conn.execute(
                update(LOCKS)
                .where(LOCKS.c.name == self.name, LOCKS.c.token == row.token)
                .values(**values)
            ).rowcount
        if swapped != 1:
            return self.holder() or holder
        log.warning("took over the %s lock from %s: it was stale", self.name, holder.describe())
        self._started(str(values["token"]))
        return None

    def _is_stale(self, holder: Holder) -> bool:
        if holder.host == self.host and not pid_alive(holder.pid):
            return True
        age = _now() - holder.heartbeat_at.astimezone(UTC)
        return age > timedelta(seconds=self.stale_after)

    def acquire(
        self,
        *,
        wait: bool,
        should_stop: Callable[[], bool] = lambda: False,
        poll: float | None = None,
    ) -> None:
        """Take the lock. Without `wait`, raise LockedError naming the holder; with it,
        log once who holds it and retry until free, stale, or `should_stop()`."""
        told = False
        while True:
            holder = self.try_acquire()
            if holder is None:
                if told:
                    log.warning("%s lock acquired; going on", self.name)
                return
            if not wait:
                raise LockedError(
                    f"another tracker holds the {self.name} lock: {holder.describe()}; "
                    "try again when it has finished"
                )
            if not told:
                log.warning("waiting: the %s lock is held by %s", self.name, holder.describe())
                told = True
            if should_stop():
                raise LockedError(f"stopped while waiting for the {self.name} lock")
            time.sleep(poll if poll is not None else min(self.heartbeat, 5.0))

    def release(self) -> None:
        """Give the lock back (only if it is still ours) and stop the heartbeat."""
        self._stop_beat.set()
        if self._beat is not None:
            self._beat.join()
            self._beat = None
        if self.token is None:
            return
        with self.engine.begin() as conn:
            conn.execute(
                delete(LOCKS).where(LOCKS.c.name == self.name, LOCKS.c.token == self.token)
            )
        self.token = None

    def _started(self, token: str) -> None:
        self.token = token
        self.lost.clear()
        self._stop_beat.clear()
        self._beat = threading.Thread(
            target=self._heartbeat_loop, name=f"lock-{self.name}", daemon=True
        )
        self._beat.start()

    def _heartbeat_loop(self) -> None:
        while not self._stop_beat.wait(self.heartbeat):
            try:
                with self.engine.begin() as conn:
                    kept = conn.execute(
                        update(LOCKS)
                        .where(LOCKS.c.name == self.name, LOCKS.c.token == self.token)
                        .values(heartbeat_at=_now())
                    ).rowcount
            except Exception:  # a database hiccup: the next beat tries again
                log.exception("%s lock heartbeat failed", self.name)
                continue
            if kept != 1:
                log.error("lost the %s lock: another process took it over", self.name)
                self.lost.set()
                if self.on_lost is not None:
                    self.on_lost()
                return


@contextmanager
def holding(
    lock: WriterLock,
    *,
    wait: bool,
    should_stop: Callable[[], bool] = lambda: False,
    inherit: str | None = None,
) -> Iterator[WriterLock]:
    """`with holding(lock, wait=...)`: acquired on entry, released on exit, whatever happens.

    `inherit` is a token handed down by a parent process (`tracker schedule` running this
    command as its job): if the lock is held under that token, the parent holds it for us
    and keeps its heartbeat, so we neither take nor release it."""
    if inherit and lock.held_under(inherit):
        # The row names this process while it writes: should the parent be killed, the lock
        # is not stale (its pid would be gone) until this child has stopped too.
        parent = os.getppid()
        lock.stamp_pid(inherit, os.getpid())
        orphaned = _watch_parent(parent)
        try:
            yield lock
        finally:
            orphaned.set()  # ends the watcher
            lock.stamp_pid(inherit, parent)
        return
    lock.acquire(wait=wait, should_stop=should_stop)
    try:
        yield lock
    finally:
        lock.release()


def _watch_parent(parent: int, poll: float = 1.0) -> threading.Event:
    """In a child holding its parent's lock: if the parent dies (killed -9), nobody keeps the
    lock's heartbeat, so stop after the page in flight and let a standby take over."""
    from tracker.runtime.interrupt import request_stop

    done = threading.Event()

    def watch() -> None:
        while not done.wait(poll):
            if os.getppid() != parent:
                log.error("the scheduler that started this job is gone: stopping")
                request_stop()
                return

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    return done
