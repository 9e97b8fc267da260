"""What is worth retrying and how long to wait: the status codes and errors a retry may
heal, connection failures that cannot heal within a run, exponential back-off with jitter, and
the server's Retry-After."""

from __future__ import annotations

import email.utils
import errno
import random
import socket
import ssl
from datetime import UTC, datetime

import httpx

from tracker.config import HttpConfig

RETRYABLE_STATUS = frozenset({403, 429, 500, 502, 503, 504})
"""403 is included because ClinicalTrials.gov answers 403 to clients it briefly blocks
(genomoncology/biomcp#87); backing off is the documented remedy."""

RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,  # includes a body shorter than its Content-Length
)

MAX_RETRY_AFTER = 600.0
"""A Retry-After longer than this is capped, so one bad header cannot stall a run for days."""


def unreachable(exc: BaseException) -> str | None:
    """Why a connection failed, when that cannot heal by retrying within a run: a DNS
    lookup that failed, a refused connection, an unreachable network, a TLS failure.
    None for anything transient (a timeout, a reset)."""
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return None
        if isinstance(seen, socket.gaierror):
            return "DNS lookup failed"
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return f"TLS error: {seen.args[-1] if seen.args else seen}"
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, OSError) and seen.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "network unreachable"
        seen = seen.__cause__ or seen.__context__
    return None


def retryable(exc: BaseException) -> bool:
    if isinstance(exc, RetryableStatus):
        return True
    if isinstance(exc, httpx.ConnectError) and unreachable(exc):
        return False  # fail the source at once, with a line saying what to check
    return isinstance(exc, RETRYABLE_ERRORS)


class RetryableStatus(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def backoff_delay(attempt: int, policy: HttpConfig) -> float:
    """Exponential backoff with 'equal jitter': half fixed, half random, capped."""
    ceiling = min(policy.backoff_max, policy.backoff_base * (2.0**attempt))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
