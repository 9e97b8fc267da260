"""Run a page generator one step ahead in a background thread.

While the main thread parses and stores page N, page N+1 is being fetched: waiting for
the registry (and compressing, in C) releases the GIL, so the two overlap. The worker
hands each item over and waits until it is taken before producing the next, so at most
one item is ready beside the one being consumed: memory stays at two pages, whatever the
number of pages. The generator's own errors reach the consumer in order, after the items
before them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = "item", "end", "error"


def prefetched(items: Iterator[T]) -> Iterator[T]:
    """Yield what `items` yields, produced one item ahead in a thread."""
    slots: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=1)
    taken = threading.Semaphore(0)
    stop = threading.Event()

    def put(kind: str, value: object) -> bool:
        """Hand one item over and wait until the consumer has taken it (or gave up)."""
        slots.put((kind, value))
        while not stop.is_set():
            if taken.acquire(timeout=0.1):
                return True
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(_ITEM, item):
                    return
                del item  # hold nothing while the next item is produced
            put(_END, None)
        except BaseException as exc:  # handed to the consumer, who decides
            put(_ERROR, exc)

    worker = threading.Thread(target=work, name="tracker-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = slots.get()
            taken.release()
            if kind == _ITEM:
                yield value  # type: ignore[misc]
                del value  # hold nothing while waiting for the next item
            elif kind == _END:
                return
            else:
                assert isinstance(value, BaseException)
                raise value
    finally:
        stop.set()
        worker.join(timeout=5)
