"""The simulator's HTTP transport: a threaded server on 127.0.0.1 with keep-alive, and the
handler that logs each request, applies the E-utilities rate limit and the injected faults,
routes it to the registry it names and sends the reply (gzip-compressed when asked)."""

from __future__ import annotations

import gzip
import socket
import socketserver
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .ctgov_api import fault_reply
from .ctgov_api import route as ctgov_route
from .europepmc_api import EUROPEPMC
from .europepmc_api import route as europepmc_route
from .eutils_api import EUTILS
from .eutils_api import route as eutils_route
from .eutils_limits import fault_reply as eutils_fault_reply
from .eutils_limits import throttle
from .faults import REQUEST_KINDS, STATUS_KINDS, Fault
from .reply import Reply, plain
from .request_log import LoggedRequest

if TYPE_CHECKING:
    from .server import RegistrySimulator


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so an httpx client reuses its connection
    disable_nagle_algorithm = True  # headers and body are two writes; Nagle would delay the body
    timeout = 60  # an idle keep-alive connection frees its thread eventually
    server: Server

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


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler inside a "timeout" fault must not block interpreter exit

    def __init__(self, simulator: RegistrySimulator) -> None:
        self.simulator = simulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)

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
