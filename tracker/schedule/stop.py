"""SIGTERM and SIGINT as a request to stop cleanly (tracker.runs.request_stop).

The first signal asks the sync in flight to stop after its page; a second one gets the
default behaviour back (Ctrl-C twice still kills a stuck process)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from tracker.runs import clear_stop, request_stop

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)

SIGNALLED = threading.Event()
"""Set once a signal asked this process to stop (as opposed to a lost lock)."""


@contextmanager
def stop_on_signals(then: Callable[[], None] | None = None) -> Iterator[None]:
    """Within the block, SIGTERM/SIGINT request a clean stop and call `then` (if given)."""
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.warning("%s received: stopping after the page in flight", signal.Signals(signum).name)
        for sig, old in previous.items():
            signal.signal(sig, old)
        SIGNALLED.set()
        request_stop()
        if then is not None:
            then()

    clear_stop()
    SIGNALLED.clear()
    for sig in SIGNALS:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
