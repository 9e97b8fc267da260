"""NCBI's E-utilities rate limit for the simulator: 3 requests/s per IP, 10/s per api_key.

Counting is always on (keyed requests get X-RateLimit-Limit/Remaining headers, as real
ones do); enforcement only with `sim.eutils_rate_limit = True`. Over the limit, and for an
injected "429" fault on an E-utilities path, the answer is NCBI's JSON throttle body.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Sequence

from .faults import Fault
from .reply import Reply


class RateLimiter:
    """Requests per key in the last second: NCBI allows 3/s per IP, 10/s per api_key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def hit(self, key: str) -> int:
        """Count this request and return how many `key` made in the last second."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - 1.0:
                seen.popleft()
            seen.append(now)
            return len(seen)


def _caller(pairs: Sequence[tuple[str, str]], client: str) -> tuple[str, int]:
    key = next((v for k, v in pairs if k.lower() == "api_key" and v), None)
    return (key, 10) if key else (client, 3)


def throttle(
    limiter: RateLimiter, pairs: Sequence[tuple[str, str]], client: str, enforce: bool
) -> tuple[Reply | None, tuple[tuple[str, str], ...]]:
    """(the 429 to send instead, if over the limit and `enforce`; headers for the reply)."""
    key, limit = _caller(pairs, client)
    count = limiter.hit(key)
    headers: tuple[tuple[str, str], ...] = ()
    if key != client:  # NCBI reports the budget on keyed requests only
        headers = (
            ("X-RateLimit-Limit", str(limit)),
            ("X-RateLimit-Remaining", str(max(0, limit - count))),
        )
    if enforce and count > limit:
        return too_many(key, count, limit), headers
    return None, headers


def too_many(key: str, count: int, limit: int) -> Reply:
    body = {
        "error": "API rate limit exceeded",
        "api-key": key,
        "count": str(count),
        "limit": str(limit),
    }
    return Reply(429, json.dumps(body, separators=(",", ":")).encode(), "application/json")


def fault_reply(fault: Fault, pairs: Sequence[tuple[str, str]], client: str) -> Reply | None:
    """An injected 429 looks like NCBI's own throttle answer; other statuses are generic."""
    if fault.kind != "429":
        return None
    key, limit = _caller(pairs, client)
    return too_many(key, limit + 1, limit)
