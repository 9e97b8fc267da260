"""Run a page generator one step ahead in a background thread.

While the main thread parses and stores page N, the next request is already on the wire:
waiting for the registry releases the GIL, so the two overlap even on one core. The
generator's own errors reach the consumer in order, after the pages before them.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = "item", "end", "error"


def prefetched(items: Iterator[T], *, depth: int = 1) -> Iterator[T]:
    """Yield what `items` yields, produced up to `depth` items ahead in a thread."""
    slots: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, value: object) -> bool:
        while not stop.is_set():
            try:
                slots.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(_ITEM, item):
                    return
            put(_END, None)
        except BaseException as exc:  # handed to the consumer, who decides
            put(_ERROR, exc)

    worker = threading.Thread(target=work, name="tracker-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = slots.get()
            if kind == _ITEM:
                yield value  # type: ignore[misc]
            elif kind == _END:
                return
            else:
                assert isinstance(value, BaseException)
                raise value
    finally:
        stop.set()
        worker.join(timeout=5)
