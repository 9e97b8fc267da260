"""Fault injection for the simulator: the next N matching requests misbehave in a chosen way.

Request faults are decided when a request arrives. Page faults only apply to a request
for /studies whose page would be the last one, because that is where the real quirk shows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal[
    "429",
    "500",
    "503",
    "403",
    "timeout",
    "truncate",
    "malformed",
    "empty_last_page_with_token",
    "trailing_empty_page",
]

STATUS_KINDS = frozenset({"429", "500", "503", "403"})
REQUEST_KINDS = STATUS_KINDS | {"timeout", "truncate", "malformed"}
# empty_last_page_with_token: the would-be last page comes back with no studies but a token,
#   and following it gives {"studies":[]} with no token (the last page's studies are lost,
#   so only a totalCount check notices).
# trailing_empty_page: the last page keeps its studies but also carries a token, whose
#   follow-up is {"studies":[]} with no token (nothing lost; the client must just stop).
PAGE_KINDS = frozenset({"empty_last_page_with_token", "trailing_empty_page"})


@dataclass
class Fault:
    """One injected rule. `path` None matches every path; a trailing '*' matches a prefix."""

    kind: str
    path: str | None
    count: int
    after: int
    retry_after: str | None
    delay: float

    def matches(self, path: str) -> bool:
        if self.path is None:
            return True
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path.rstrip("/") == self.path.rstrip("/")


class FaultQueue:
    """Thread-safe list of pending faults, consumed by the server's handler threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []
        self.fired: list[tuple[str, str]] = []  # (kind, path) of every fault served, in order

    def inject(
        self,
        kind: FaultKind,
        *,
        path: str | None = "/api/v2/studies",
        count: int = 1,
        after: int = 0,
        retry_after: str | None = None,
        delay: float = 5.0,
    ) -> Fault:
        """Make the next `count` matching requests, after skipping `after` of them, fail.

        "429" sends Retry-After only when `retry_after` is given (503 too); "timeout" waits
        `delay` seconds and then answers normally; "truncate" sends the full Content-Length,
        half the body, and closes; "malformed" halves a 200 body (other statuses pass as is),
        which breaks JSON and XML alike. On /entrez/eutils paths a "429" carries NCBI's JSON
        throttle body. `path` is exact (a trailing slash aside), a prefix when it ends in "*",
        or None: any (e.g. "/entrez/eutils/efetch.fcgi", "/europepmc/webservices/rest/*").
        """
        if kind not in REQUEST_KINDS | PAGE_KINDS:
            raise ValueError(f"unknown fault kind: {kind!r}")
        if count < 1 or after < 0:
            raise ValueError("count must be >= 1 and after >= 0")
        fault = Fault(kind, path, count, after, retry_after, delay)
        with self._lock:
            self._pending.append(fault)
        return fault

    def take(self, path: str, kinds: frozenset[str]) -> Fault | None:
        """The fault for this request, if any. Every matching rule counts the request
        (so `after` means "requests since injection"), and the oldest due rule fires."""
        chosen = None
        with self._lock:
            for fault in self._pending:
                if fault.kind not in kinds or not fault.matches(path):
                    continue
                if fault.after > 0:
                    fault.after -= 1
                elif chosen is None:
                    chosen = fault
                    fault.count -= 1
            self._pending = [f for f in self._pending if f.count > 0]
            if chosen is not None:
                self.fired.append((chosen.kind, path))
        return chosen

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._pending)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
