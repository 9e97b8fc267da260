"""The process-wide request to stop (SIGTERM, Ctrl-C, a lost writer lock), in one place
every layer may read: the HTTP transport checks it between retries, during back-off and
while a request is in flight; a sync checks it after each stored page."""

from __future__ import annotations

import threading


class Interrupted(Exception):
    """A stop was requested (SIGTERM, SIGINT), and the work in hand ended cleanly.

    The run is recorded as 'interrupted'; the watermark does not move, so the next sync
    asks again for whatever this one did not reach."""


_STOP = threading.Event()


def request_stop() -> None:
    """Ask every sync in this process to stop as soon as it safely can (signal-safe)."""
    _STOP.set()


def stop_requested() -> bool:
    return _STOP.is_set()


def clear_stop() -> None:
    _STOP.clear()


def pause(seconds: float) -> None:
    """Sleep, but end at once with Interrupted when a stop is requested (back-off waits
    of minutes must not outlast a Ctrl-C)."""
    if _STOP.wait(seconds) or _STOP.is_set():
        raise Interrupted("stopped on request while waiting to retry")


def check() -> None:
    """Raise Interrupted if a stop has been requested."""
    if _STOP.is_set():
        raise Interrupted("stopped on request")
