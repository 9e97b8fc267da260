"""SIGTERM and SIGINT as a request to stop cleanly (tracker.runtime.interrupt.request_stop).

The first signal asks the sync in flight to stop: a page being stored is committed first,
a request in flight or a back-off wait ends at once (tracker.http.netwatch), within a second.
A second Ctrl-C gets the default behaviour back (twice still kills a stuck process); a
repeated SIGTERM changes nothing, because systemd may send one to the scheduler's job as
well as the scheduler forwarding its own (use SIGKILL, or systemd's TimeoutStopSec, to force)."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from tracker.runtime.interrupt import clear_stop, request_stop, stop_requested

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def stop_on_signals(then: Callable[[], None] | None = None) -> Iterator[None]:
    """Within the block, SIGTERM/SIGINT request a clean stop and call `then` (if given)."""
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}

    def handler(signum: int, _frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, previous[signal.SIGINT])
        if stop_requested():
            return  # already stopping
        log.warning("%s received: stopping", signal.Signals(signum).name)
        request_stop()
        if then is not None:
            then()

    clear_stop()
    for sig in SIGNALS:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        clear_stop()  # the request was for this block; a caller in the same process goes on
