"""Ending a request that is stuck inside a socket call: on a stop request or when its
deadline passes.

httpx's timeouts apply to each socket read, so a server that drips a byte every few
seconds keeps one request alive for as long as it likes, and a blocked read outlasts a
Ctrl-C. Here every connection the client opens is wrapped so that the socket a thread
is reading or writing is known; a watcher beside each request attempt shuts that socket
down when the deadline passes or a stop is requested, and the blocked call returns at once.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from tracker.runtime.interrupt import stop_requested

POLL = 0.1
"""How often a watcher looks at the clock and the stop flag (seconds)."""


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, registry: Streams) -> None:
        self._inner = inner
        self._registry = registry

    def _mine(self) -> None:
        self._registry.active[threading.get_ident()] = self

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._mine()
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._mine()
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        self._mine()
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, timeout), self._registry)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

    def abort(self) -> None:
        """Wake a thread blocked on this socket: shutting it down (not closing it, which
        would free the descriptor under the reader) makes its read return at once."""
        sock = self._inner.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            try:
                # The plain socket's method: an SSLSocket's own shutdown would tear down
                # its TLS state under the reading thread.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed: nothing to wake


class Streams(httpcore.NetworkBackend):
    """httpcore's network backend, remembering which connection each thread last used."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner
        self.active: dict[int, _Stream] = {}

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _Stream(
            self._inner.connect_tcp(host, port, timeout, local_address, socket_options), self
        )
        stream._mine()
        return stream

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, timeout, socket_options), self)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)

    def abort(self, thread: int) -> None:
        stream = self.active.get(thread)
        if stream is not None:
            stream.abort()


def watched_transport(**kwargs: Any) -> tuple[httpx.HTTPTransport, Streams]:
    """httpx's own transport with its connections wrapped (httpx has no public hook for
    the network backend, so it is set on the pool it made)."""
    transport = httpx.HTTPTransport(**kwargs)
    pool = transport._pool
    streams = Streams(pool._network_backend)
    pool._network_backend = streams
    return transport, streams


class Watch:
    """Beside one request attempt in the current thread: after `deadline` seconds, or on a
    stop request, the attempt's socket is shut down and `fired` says why."""

    def __init__(self, streams: Streams | None, deadline: float) -> None:
        self.fired: str | None = None
        self._streams = streams
        self._thread = threading.get_ident()
        self._end = time.monotonic() + deadline
        self._done = threading.Event()
        self._watcher = threading.Thread(target=self._run, name="tracker-watch", daemon=True)
        self._watcher.start()

    def expired(self) -> bool:
        return time.monotonic() > self._end

    def _run(self) -> None:
        while not self._done.wait(POLL):
            if stop_requested():
                self.fired = "stop"
            elif self.expired():
                self.fired = "deadline"
            else:
                continue
            if self._streams is not None:
                self._streams.abort(self._thread)
            return

    def close(self) -> None:
        self._done.set()
        self._watcher.join()
        if self._streams is not None:
            self._streams.active.pop(self._thread, None)
