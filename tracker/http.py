"""The one HTTP client: per-host pacing and retries live here, in a wrapping transport.

Sources call `client.get(...)` and never sleep. Everything that makes a registry client
polite and robust (spacing requests, backing off on 429/403/5xx, retrying timeouts,
dropped connections and truncated bodies, honouring Retry-After) is written once, below.
The retry loop itself is tenacity's; this module only says *what* is retryable and
*how long* to wait.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import tenacity

from tracker import __version__
from tracker.config import Config, HttpConfig

log = logging.getLogger("tracker.http")

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


@dataclass
class HttpStats:
    """Counters a sync run records: how hard the registries made us work."""

    requests: int = 0
    retries: int = 0
    retry_reasons: list[str] = field(default_factory=list)


class _Pacer:
    """Spaces requests to one host at least 1/rps seconds apart (thread-safe)."""

    def __init__(self, rps: float, clock: Callable[[], float], sleep: Callable[[float], None]):
        self._interval = 1.0 / rps if rps > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def wait_turn(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = self._clock()
            wait = self._next - now
            self._next = max(now, self._next) + self._interval
        if wait > 0:
            self._sleep(wait)


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class ThrottledTransport(httpx.BaseTransport):
    """Pace per host and retry what is worth retrying; reads bodies fully to catch truncation."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        rps_by_host: Mapping[str, float],
        policy: HttpConfig,
        stats: HttpStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._sleep = sleep
        self.stats = stats if stats is not None else HttpStats()
        self._pacers = {host: _Pacer(rps, clock, sleep) for host, rps in rps_by_host.items()}
        self._default_pacer = _Pacer(0, clock, sleep)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self._policy.retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type((_RetryableStatus, *RETRYABLE_ERRORS)),
            sleep=self._sleep,
            before_sleep=self._note_retry,
            reraise=True,
        )
        try:
            return retrying(self._attempt, request)
        except _RetryableStatus as exc:
            return exc.response  # out of retries: the caller sees the last real answer

    def _attempt(self, request: httpx.Request) -> httpx.Response:
        self._pacers.get(request.url.host, self._default_pacer).wait_turn()
        self.stats.requests += 1
        response = self._inner.handle_request(request)
        try:
            # Reading here, inside the retry loop, turns a truncated body into a
            # retryable RemoteProtocolError instead of a failure in the caller.
            response.read()
        finally:
            response.close()
        if response.status_code in RETRYABLE_STATUS:
            raise _RetryableStatus(response)
        return response

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus):
            retry_after = parse_retry_after(exc.response.headers.get("Retry-After"))
            if retry_after is not None:
                return float(min(retry_after, MAX_RETRY_AFTER))
        return backoff_delay(state.attempt_number - 1, self._policy)

    def _note_retry(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        reason = str(exc) if isinstance(exc, _RetryableStatus) else type(exc).__name__
        self.stats.retries += 1
        self.stats.retry_reasons.append(reason)
        wait = state.next_action.sleep if state.next_action else 0.0
        request = state.args[0] if state.args else None
        where = (
            f"{request.url.host}{request.url.path}" if isinstance(request, httpx.Request) else "?"
        )
        log.warning("%s: %s; retry %d in %.1fs", where, reason, state.attempt_number, wait)

    def close(self) -> None:
        self._inner.close()


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


def user_agent(cfg: Config) -> str:
    """A descriptive User-Agent with the operator's contact, as registries ask."""
    contact = cfg.operator.contact
    return f"{cfg.operator.name}/{__version__} (living-evidence tracker; mailto:{contact})"


def make_client(
    cfg: Config,
    *,
    rps_by_host: Mapping[str, float],
    transport: httpx.BaseTransport | None = None,
    stats: HttpStats | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Client:
    """The one client of a run; tests inject a MockTransport or a fake sleep."""
    inner = transport or httpx.HTTPTransport()
    throttled = ThrottledTransport(
        inner, rps_by_host=rps_by_host, policy=cfg.http, stats=stats, sleep=sleep
    )
    timeout = httpx.Timeout(cfg.http.timeout, connect=cfg.http.connect_timeout)
    return httpx.Client(
        transport=throttled,
        timeout=timeout,
        headers={"User-Agent": user_agent(cfg)},
        follow_redirects=True,  # CT.gov answers an NCTId alias with a 301 to the real study
    )
