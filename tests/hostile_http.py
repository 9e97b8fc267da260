"""Small hostile HTTP servers on 127.0.0.1, one behaviour each, for the HTTP layer's tests:
a body that never ends, a gzip bomb, a server that drips a byte at a time."""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Behaviour = Callable[[socket.socket], None]


@contextmanager
def serving(behave: Behaviour) -> Iterator[str]:
    """Serve every connection with `behave` in its own thread; yields the base URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_serve, args=(conn,), daemon=True).start()

    def _serve(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)  # the request; its content does not matter here
                behave(conn)
            except OSError:
                pass  # the client hung up: what these tests want

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        done.set()
        listener.close()
        thread.join()


def endless(sent: list[int], chunk: int = 1 << 16, limit: int = 1 << 30) -> Behaviour:
    """200 with a chunked body of up to `limit` bytes (1 GiB); counts what it sent."""

    def behave(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        conn.sendall(b"Transfer-Encoding: chunked\r\n\r\n")
        block = b"[" + b"0," * (chunk // 2 - 1) + b"0"
        while sum(sent) < limit:
            conn.sendall(b"%x\r\n%s\r\n" % (len(block), block))
            sent.append(len(block))
        conn.sendall(b"0\r\n\r\n")

    return behave


def bomb_body(inflated: int = 1 << 30) -> bytes:
    """A gzip body of about 1 MiB that inflates to `inflated` zero bytes (1 GiB), made in
    well under a second: after two flushed blocks of a megabyte of zeros, every further
    block compresses to the same bytes, so one is repeated instead of compressed again."""
    megabytes = inflated >> 20
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(1 << 20)
    first = packer.compress(zeros) + packer.flush(zlib.Z_SYNC_FLUSH)
    block = packer.compress(zeros) + packer.flush(zlib.Z_SYNC_FLUSH)
    assert packer.compress(zeros) + packer.flush(zlib.Z_SYNC_FLUSH) == block
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    deflated = first + block * (megabytes - 1) + packer.flush()
    return header + deflated + struct.pack("<II", crc, inflated & 0xFFFFFFFF)


def gzip_bomb(inflated: int = 1 << 30) -> Behaviour:
    """200 with a gzip body of about 1 MiB that inflates to `inflated` bytes (1 GiB)."""
    body = bomb_body(inflated)

    def behave(conn: socket.socket) -> None:
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        conn.sendall(head + body)

    return behave


def drip(every: float, *, head_first: bool) -> Behaviour:
    """A byte every `every` seconds, for ever: after complete headers (`head_first`), or
    from the status line on."""

    def behave(conn: socket.socket) -> None:
        if head_first:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            payload = b"x"
        else:
            payload = b"H"
        while True:
            conn.sendall(payload)
            time.sleep(every)

    return behave


def status(code: int, *, retry_after: str | None = None) -> Behaviour:
    def behave(conn: socket.socket) -> None:
        extra = f"Retry-After: {retry_after}\r\n" if retry_after else ""
        head = f"HTTP/1.1 {code} Busy\r\nContent-Length: 4\r\n{extra}Connection: close\r\n"
        conn.sendall(head.encode() + b"\r\nbusy")

    return behave


def closed_port() -> int:
    """A local port with nothing listening (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
