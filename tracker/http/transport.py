"""The wrapping transport every request goes through: requests to one host spaced by its
rate, retries by tenacity (what is retried and how long to wait: tracker.http.retry), each
attempt watched for its deadline and for a stop request, and the whole body read inside the
retry loop so that a truncated one is retried too."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx
import tenacity

from tracker.config import HttpConfig
from tracker.http.bodies import DEFAULT_MAX_BODY, ResponseTooLarge, decoded, shown
from tracker.http.netwatch import Streams, Watch
from tracker.http.retry import (
    MAX_RETRY_AFTER,
    RETRYABLE_STATUS,
    RetryableStatus,
    backoff_delay,
    parse_retry_after,
    retryable,
)
from tracker.runtime import interrupt
from tracker.runtime.interrupt import Interrupted

# The name users filter their logs by: the module's name before http became a package.
log = logging.getLogger("tracker.http")


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


class DeadlineExceeded(httpx.TimeoutException):
    """No complete answer within the request's total deadline: retried like any timeout."""


class ThrottledTransport(httpx.BaseTransport):
    """Pace per host and retry what is worth retrying; reads bodies fully to catch truncation."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        rps_by_host: Mapping[str, float],
        policy: HttpConfig,
        stats: HttpStats | None = None,
        sleep: Callable[[float], None] = interrupt.pause,
        clock: Callable[[], float] = time.monotonic,
        max_body_by_host: Mapping[str, int] | None = None,
        streams: Streams | None = None,
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._sleep = sleep
        self._caps = dict(max_body_by_host or {})
        self._streams = streams
        self.stats = stats if stats is not None else HttpStats()
        self._pacers = {host: _Pacer(rps, clock, sleep) for host, rps in rps_by_host.items()}
        self._default_pacer = _Pacer(0, clock, sleep)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self._policy.retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception(retryable),
            sleep=self._sleep,
            before_sleep=self._note_retry,
            reraise=True,
        )
        try:
            return retrying(self._attempt, request)
        except RetryableStatus as exc:
            return exc.response  # out of retries: the caller sees the last real answer

    def _attempt(self, request: httpx.Request) -> httpx.Response:
        interrupt.check()  # between retries too: a stop request ends the loop here
        self._pacers.get(request.url.host, self._default_pacer).wait_turn()
        self.stats.requests += 1
        watch = Watch(self._streams, self._policy.deadline)
        try:
            response = self._exchange(request, watch)
        except httpx.TransportError as exc:
            # A socket the watch shut down fails with some read or protocol error: say why.
            if watch.fired == "stop":
                raise Interrupted("stopped on request during a request") from None
            if watch.fired == "deadline":
                raise self._late(request) from exc
            raise
        finally:
            watch.close()
        if response.status_code in RETRYABLE_STATUS:
            raise RetryableStatus(response)
        return response

    def _exchange(self, request: httpx.Request, watch: Watch) -> httpx.Response:
        """Send, and read the whole body here, inside the retry loop: a truncated body
        becomes a retryable RemoteProtocolError instead of a failure in the caller. The
        body is read in chunks and counted after decompression, so neither a huge body
        nor a small one that inflates (a gzip bomb) is ever held past the source's cap."""
        cap = self._caps.get(request.url.host, DEFAULT_MAX_BODY)
        response = self._inner.handle_request(request)
        # Gathered in one growing buffer, not a list joined at the end: the join held the
        # body twice for a moment (a CT.gov page: 30 MB more at the sync's peak), while
        # BytesIO grows in place and hands its buffer over without a copy.
        body = io.BytesIO()
        size = 0
        try:
            for chunk in decoded(response):
                size += len(chunk)
                if size > cap:
                    raise ResponseTooLarge(
                        f"the answer from {shown(request.url)} is larger than "
                        f"{cap / 2**20:g} MiB, this source's max_body_mb: not read further",
                        request=request,
                    )
                body.write(chunk)
                if watch.fired == "stop" or interrupt.stop_requested():
                    raise Interrupted("stopped on request during a request")
                if watch.expired():
                    raise self._late(request)
        finally:
            response.close()
        # The body is decoded already: the answer handed on must not claim an encoding.
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        extensions = {k: v for k, v in response.extensions.items() if k != "network_stream"}
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=body.getvalue(),
            request=request,
            extensions=extensions,
        )

    def _late(self, request: httpx.Request) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"no complete answer from {shown(request.url)} within "
            f"{self._policy.deadline:g} s (http.deadline)",
            request=request,
        )

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableStatus):
            retry_after = parse_retry_after(exc.response.headers.get("Retry-After"))
            if retry_after is not None:
                return float(min(retry_after, MAX_RETRY_AFTER))
        return backoff_delay(state.attempt_number - 1, self._policy)

    def _note_retry(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        reason = str(exc) if isinstance(exc, RetryableStatus) else type(exc).__name__
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
