"""The one HTTP client: per-host pacing and retries live here, in a wrapping transport.

Sources call `client.get(...)` and never sleep. Everything that makes a registry client
polite and robust (spacing requests, backing off on 429/403/5xx, retrying timeouts,
dropped connections and truncated bodies, honouring Retry-After) is written once, below.
The retry loop itself is tenacity's; this module only says *what* is retryable and
*how long* to wait.
"""

from __future__ import annotations

import email.utils
import errno
import logging
import random
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import tenacity

from tracker import __version__, interrupt
from tracker.config import Config, HttpConfig
from tracker.interrupt import Interrupted
from tracker.netwatch import Streams, Watch, watched_transport

log = logging.getLogger("tracker.http")

RETRYABLE_STATUS = frozenset({403, 429, 500, 502, 503, 504})
"""403 is included because ClinicalTrials.gov answers 403 to clients it briefly blocks
(genomoncology/biomcp#87); backing off is the documented remedy."""

RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,  # includes a body shorter than its Content-Length
)

DEFAULT_MAX_BODY = 64 * 1024 * 1024
"""The cap on a decompressed body from a host no source names (each source sets its own)."""

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


class ResponseTooLarge(httpx.RequestError):
    """A body grew past its source's cap while being read: not retried (it would again)."""


class DeadlineExceeded(httpx.TimeoutException):
    """No complete answer within the request's total deadline: retried like any timeout."""


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


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, _RetryableStatus):
        return True
    if isinstance(exc, httpx.ConnectError) and unreachable(exc):
        return False  # fail the source at once, with a line saying what to check
    return isinstance(exc, RETRYABLE_ERRORS)


_PIECE = 1 << 20
"""Most bytes one decompression step may produce: a small compressed chunk can inflate a
thousandfold, and the cap is checked between steps."""


def _decoded(response: httpx.Response) -> Iterator[bytes]:
    """The body, decompressed a bounded piece at a time (httpx's own decoder inflates each
    network chunk whole: 64 KiB of a gzip bomb would become 64 MiB at once)."""
    try:
        yield response.content  # already read (a test's MockTransport answer, a replay)
        return
    except httpx.ResponseNotRead:
        pass
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("gzip", "x-gzip", "identity", ""):
        yield from response.iter_bytes()  # not offered; httpx decodes it if it can
        return
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16) if "gzip" in encoding else None
    for raw in response.iter_raw():
        if inflater is None:
            yield raw
            continue
        data = raw
        while data:
            try:
                piece = inflater.decompress(data, _PIECE)
            except zlib.error as exc:
                raise httpx.DecodingError(
                    f"bad gzip body: {exc}", request=response.request
                ) from exc
            data = inflater.unconsumed_tail
            if piece:
                yield piece
    if inflater is not None:
        yield inflater.flush()


def _shown(url: httpx.URL) -> str:
    """A request's address without its query (which may carry an API key)."""
    return str(url.copy_with(query=None, fragment=None))


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
            retry=tenacity.retry_if_exception(_retryable),
            sleep=self._sleep,
            before_sleep=self._note_retry,
            reraise=True,
        )
        try:
            return retrying(self._attempt, request)
        except _RetryableStatus as exc:
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
            raise _RetryableStatus(response)
        return response

    def _exchange(self, request: httpx.Request, watch: Watch) -> httpx.Response:
        """Send, and read the whole body here, inside the retry loop: a truncated body
        becomes a retryable RemoteProtocolError instead of a failure in the caller. The
        body is read in chunks and counted after decompression, so neither a huge body
        nor a small one that inflates (a gzip bomb) is ever held past the source's cap."""
        cap = self._caps.get(request.url.host, DEFAULT_MAX_BODY)
        response = self._inner.handle_request(request)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in _decoded(response):
                size += len(chunk)
                if size > cap:
                    raise ResponseTooLarge(
                        f"the answer from {_shown(request.url)} is larger than "
                        f"{cap / 2**20:g} MiB, this source's max_body_mb: not read further",
                        request=request,
                    )
                chunks.append(chunk)
                if watch.fired == "stop" or interrupt.stop_requested():
                    raise Interrupted("stopped on request during a request")
                if watch.expired():
                    raise self._late(request)
        finally:
            response.close()
        body = b"".join(chunks)
        del chunks
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
            content=body,
            request=request,
            extensions=extensions,
        )

    def _late(self, request: httpx.Request) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"no complete answer from {_shown(request.url)} within "
            f"{self._policy.deadline:g} s (http.deadline)",
            request=request,
        )

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


def max_body_cap(cfg: Config) -> dict[str, int]:
    """Each source's cap on a decompressed body, by host (two sources on one host, as in
    the simulator, share the larger)."""
    caps: dict[str, int] = {}
    for url, mb in (
        (cfg.ctgov.url, cfg.ctgov.max_body_mb),
        (cfg.pubmed.url, cfg.pubmed.max_body_mb),
        (cfg.europepmc.url, cfg.europepmc.max_body_mb),
    ):
        host = httpx.URL(url).host
        caps[host] = max(caps.get(host, 0), int(mb * 2**20))
    return caps


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
    sleep: Callable[[float], None] = interrupt.pause,
    max_body_by_host: Mapping[str, int] | None = None,
) -> httpx.Client:
    """The one client of a run; tests inject a MockTransport or a fake sleep."""
    streams: Streams | None = None
    if transport is None:
        transport, streams = watched_transport()
    throttled = ThrottledTransport(
        transport,
        rps_by_host=rps_by_host,
        policy=cfg.http,
        stats=stats,
        sleep=sleep,
        max_body_by_host=max_body_cap(cfg) if max_body_by_host is None else max_body_by_host,
        streams=streams,
    )
    timeout = httpx.Timeout(cfg.http.timeout, connect=cfg.http.connect_timeout)
    return httpx.Client(
        transport=throttled,
        timeout=timeout,
        # gzip only: the one encoding the transport inflates a bounded piece at a time.
        headers={"User-Agent": user_agent(cfg), "Accept-Encoding": "gzip"},
        follow_redirects=True,  # CT.gov answers an NCTId alias with a 301 to the real study
    )
