"""What the simulator was asked: every request in arrival order, safe to read while serving."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import NamedTuple


class LoggedRequest(NamedTuple):
    method: str
    path: str
    params: dict[str, str]


class RequestLog:
    """Every request the simulator received, in arrival order; safe to read while serving."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[LoggedRequest] = []

    def append(self, item: LoggedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._items)

    def count(self, path: str | None = None) -> int:
        return sum(path is None or r.path == path for r in self.snapshot())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self.snapshot())

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.snapshot())

    def __getitem__(self, index: int) -> LoggedRequest:
        return self.snapshot()[index]
