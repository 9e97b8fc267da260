"""A scripted SMTP server on 127.0.0.1 that misbehaves at one chosen moment: it stalls
(before its greeting, at AUTH, at the final '.'), answers the final '.' late, or answers
QUIT with 500. It counts the messages it took (a '250' sent after the final '.')."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Script:
    stall_at: str | None = None
    """'greeting', 'auth' or 'dot': never answer there (until the client gives up)."""
    dot_delay: float = 0.0
    """Seconds to wait before answering 250 to the final '.'."""
    quit_reply: bytes = b"221 bye"
    reached: threading.Event = field(default_factory=threading.Event)
    """Set when the stall (or the delay) begins."""
    delivered: list[bytes] = field(default_factory=list)


class HostileSmtp:
    def __init__(self, script: Script) -> None:
        self.script = script
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> HostileSmtp:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        self._listener.close()

    def _accept(self) -> None:
        while not self._done.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _stall(self) -> None:
        self.script.reached.set()
        self._done.wait(30)

    def _serve(self, conn: socket.socket) -> None:
        script = self.script
        reader = conn.makefile("rb")
        try:
            if script.stall_at == "greeting":
                return self._stall()
            conn.sendall(b"220 hostile ESMTP\r\n")
            while line := reader.readline():
                verb = line.split(b" ", 1)[0].strip().upper()
                if verb == b"EHLO":
                    conn.sendall(b"250-hostile\r\n250 AUTH PLAIN LOGIN\r\n")
                elif verb == b"AUTH":
                    if script.stall_at == "auth":
                        return self._stall()
                    conn.sendall(b"235 ok\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go on\r\n")
                    body = b""
                    while (part := reader.readline()) and part != b".\r\n":
                        body += part
                    if script.stall_at == "dot":
                        return self._stall()
                    if script.dot_delay:
                        script.reached.set()
                        time.sleep(script.dot_delay)
                    script.delivered.append(body)
                    conn.sendall(b"250 queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(script.quit_reply + b"\r\n")
                    return None
                else:
                    conn.sendall(b"250 ok\r\n")
        except OSError:
            return None
        finally:
            reader.close()
            conn.close()
        return None
