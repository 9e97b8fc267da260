"""Is `tracker schedule` running for this database? Read from its lock row's heartbeat."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from tracker.schedule.lock import SCHEDULER, Holder, WriterLock, pid_alive


@dataclass(frozen=True)
class SchedulerState:
    """`running` is true when a scheduler holds its lock and its heartbeat is fresh."""

    running: bool
    holder: Holder | None
    heartbeat_age: float | None
    """Seconds since the holder's last heartbeat (None: no holder)."""

    def describe(self) -> str:
        if self.holder is None:
            return "not running (no `tracker schedule` holds this database)"
        age = f"last heartbeat {self.heartbeat_age:.0f} s ago"
        if self.running:
            return f"running: {self.holder.describe()}, {age}"
        return f"not running: {self.holder.describe()} stopped answering ({age})"


def scheduler_state(engine: Engine, *, stale_after: float, now: datetime) -> SchedulerState:
    holder = WriterLock(engine, SCHEDULER, command="tracker status").holder()
    if holder is None:
        return SchedulerState(running=False, holder=None, heartbeat_age=None)
    age = (now - holder.heartbeat_at.astimezone(UTC)).total_seconds()
    gone = holder.host == socket.gethostname() and not pid_alive(holder.pid)
    return SchedulerState(
        running=not gone and age <= stale_after, holder=holder, heartbeat_age=max(age, 0.0)
    )
