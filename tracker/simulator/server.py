"""RegistrySimulator: a real HTTP server on 127.0.0.1 that answers like ClinicalTrials.gov v2,
PubMed's E-utilities and Europe PMC's REST API.

End-to-end tests point the tracker's base URLs at `sim.ctgov_url`, `sim.pubmed_url` and
`sim.europepmc_url`, so the whole client stack (httpx transport, keep-alive, timeouts,
retries) runs over real sockets. What each endpoint answers lives in ctgov_api.py,
eutils_api.py and europepmc_api.py; this module is the transport, the E-utilities rate
limit and fault delivery.
"""

from __future__ import annotations

import gzip
import socket
import socketserver
import sys
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qsl, urlsplit

from .ctgov_api import fault_reply
from .ctgov_api import route as ctgov_route
from .ctgov_world import CtgovWorld
from .europepmc_api import EUROPEPMC
from .europepmc_api import route as europepmc_route
from .europepmc_world import EuropepmcWorld
from .eutils_api import EUTILS
from .eutils_api import route as eutils_route
from .eutils_limits import RateLimiter, throttle
from .eutils_limits import fault_reply as eutils_fault_reply
from .faults import REQUEST_KINDS, STATUS_KINDS, Fault, FaultQueue
from .pubmed_world import PubmedWorld
from .reply import Reply, plain


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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so an httpx client reuses its connection
    disable_nagle_algorithm = True  # headers and body are two writes; Nagle would delay the body
    timeout = 60  # an idle keep-alive connection frees its thread eventually
    server: _Server

    def do_GET(self) -> None:
        self._serve([])

    def do_POST(self) -> None:
        """A form POST (E-utilities accept them; hawc sends efetch and esearch that way)."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        form = []
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        self._serve(form)

    def _serve(self, form: list[tuple[str, str]]) -> None:
        url = urlsplit(self.path)
        pairs = [*parse_qsl(url.query, keep_blank_values=True), *form]
        sim = self.server.simulator
        sim.requests.append(LoggedRequest(self.command, url.path, _flatten(pairs)))
        client = self.client_address[0]
        extra: tuple[tuple[str, str], ...] = ()
        if url.path.startswith(EUTILS + "/"):
            limited, extra = throttle(sim.eutils_limiter, pairs, client, sim.eutils_rate_limit)
            if limited is not None:
                self._send(limited)
                return
        fault = sim.faults.take(url.path, REQUEST_KINDS)
        if fault is not None and fault.kind in STATUS_KINDS:
            self._send(_status_fault(url.path, fault, pairs, client))
            return
        if fault is not None and fault.kind == "timeout":
            sim.stopping.wait(fault.delay)  # stop() cuts the wait short
        try:
            reply = _route(sim, self.command, url.path, pairs)
        except Exception as exc:  # a simulator bug: say so loudly instead of dropping the socket
            traceback.print_exc()
            reply = plain(500, f"registry simulator error: {exc!r}")
        if extra:
            reply = reply._replace(headers=(*reply.headers, *extra))
        if self.server.simulator.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            reply = reply._replace(
                body=gzip.compress(reply.body, compresslevel=1),
                headers=(*reply.headers, ("Content-Encoding", "gzip")),
            )
        if fault is not None and fault.kind == "malformed" and reply.status == 200:
            # A strict prefix of a JSON object or an XML document is never well-formed.
            reply = reply._replace(body=reply.body[: len(reply.body) // 2])
        self._send(reply, truncate=fault is not None and fault.kind == "truncate")

    def _send(self, reply: Reply, *, truncate: bool = False) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            # One write for the whole body; "truncate" promises the full length, sends half.
            self.wfile.write(reply.body[: len(reply.body) // 2] if truncate else reply.body)
        except (ConnectionError, TimeoutError):  # the client gave up (e.g. its read timeout)
            self.close_connection = True
        if truncate:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the RequestLog is the record; stderr noise would drown test output


def _flatten(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Parameters for the request log; a repeated one (id=1&id=2) is joined with commas."""
    params: dict[str, str] = {}
    for key, value in pairs:
        params[key] = f"{params[key]},{value}" if key in params else value
    return params


def _route(sim: RegistrySimulator, method: str, path: str, pairs: list[tuple[str, str]]) -> Reply:
    if path.startswith(EUTILS + "/"):
        return eutils_route(sim.pubmed, path, pairs)
    if method != "GET":
        return plain(405, f"registry simulator: {method} is not supported at {path}")
    if path.startswith(EUROPEPMC + "/"):
        return europepmc_route(sim.europepmc, path, dict(pairs))
    return ctgov_route(sim.ctgov, sim.faults, path, dict(pairs))


def _status_fault(path: str, fault: Fault, pairs: list[tuple[str, str]], client: str) -> Reply:
    """An injected 429 on an E-utilities path carries NCBI's JSON throttle body."""
    reply = fault_reply(fault)
    if path.startswith(EUTILS + "/") and (ncbi := eutils_fault_reply(fault, pairs, client)):
        reply = ncbi._replace(headers=reply.headers)
    return reply


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler inside a "timeout" fault must not block interpreter exit

    def __init__(self, simulator: RegistrySimulator) -> None:
        self.simulator = simulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn, a reverse DNS lookup that can stall.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
            self.simulator.connections_accepted += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake handlers blocked on idle keep-alive connections so they finish now."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # clients leaving early are routine


class RegistrySimulator:
    """The loopback registry: `ctgov`, `pubmed` and `europepmc` are the worlds it serves,
    `faults` what goes wrong next, `requests` what it was asked. Use as a context manager or
    call start()/stop(). `eutils_rate_limit = True` enforces NCBI's 3/s (10/s with api_key)."""

    def __init__(
        self,
        *,
        ctgov: CtgovWorld | None = None,
        pubmed: PubmedWorld | None = None,
        europepmc: EuropepmcWorld | None = None,
        gzip: bool = False,
    ) -> None:
        self.ctgov = ctgov if ctgov is not None else CtgovWorld()
        self.pubmed = pubmed if pubmed is not None else PubmedWorld()
        self.europepmc = europepmc if europepmc is not None else EuropepmcWorld()
        self.eutils_rate_limit = False
        self.eutils_limiter = RateLimiter()
        # Off by default (compressing 30 MB pages costs time in benchmarks); on, every reply
        # to a client that accepts gzip is compressed, so decoding paths get exercised.
        self.gzip = gzip
        self.faults = FaultQueue()
        self.requests = RequestLog()
        self.stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        # TCP connections accepted so far, so tests can check that a client reuses one.
        self.connections_accepted = 0

    @property
    def base_url(self) -> str:
        if not self._port:
            raise RuntimeError("the simulator has not been started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def ctgov_url(self) -> str:
        """What the tracker's TRACKER_CTGOV_URL should be set to."""
        return f"{self.base_url}/api/v2"

    @property
    def pubmed_url(self) -> str:
        """The E-utilities base: append /esearch.fcgi, /efetch.fcgi, /elink.fcgi."""
        return f"{self.base_url}{EUTILS}"

    @property
    def europepmc_url(self) -> str:
        """The Europe PMC REST base: append /search or /MED/{id}/citations."""
        return f"{self.base_url}{EUROPEPMC}"

    def start(self) -> Self:
        if self._server is None:
            self.stopping.clear()
            self._server = _Server(self)
            self._port = self._server.server_address[1]
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                daemon=True,
                name=f"registry-simulator-{self._port}",
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()  # handlers sleeping in a "timeout" fault answer now
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
