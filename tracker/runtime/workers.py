"""Parse on the machine's other cores: a small pool of worker processes whose results
come back in order.

Parsing registry records is pure-Python work under the GIL, so a sync that parsed in its
own thread would leave the second core idle while it stores. Each source cuts what it
fetched into self-contained parts (tracker.ingest.ctgov_workers,
tracker.ingest.pubmed_workers); the workers parse the parts while the main process stores
the parts before them. A source always keeps a way to parse a part itself: any failure in
a worker, whatever its cause, leaves the rest of the work to the main process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.process import BaseProcess
from typing import Any, Self, TypeVar, cast

P = TypeVar("P")
R = TypeVar("R")
T = TypeVar("T")

# The name from before the layout moves (tracker/workers.py, then tracker/runtime/): users
# filter their logs by it.
log = logging.getLogger("tracker.workers")


def worker_count() -> int:
    """Worker processes worth starting: one per core the process may run on, at most 2
    (the main process stores meanwhile, and memory grows with every worker)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(cores, 2)


class WorkerFailed(Exception):
    """A part could not be parsed in a worker (the caller parses the rest itself)."""


class WorkerPool:
    """Worker processes, started on first use; `close` stops them. With no workers there is
    no pool: `run` returns None and the caller works alone."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = worker_count() if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self.done_here = 0
        """Parts the caller did itself while it waited for a worker (see _results)."""

    def run(self, fn: Callable[[P], R], parts: Sequence[P]) -> Iterator[R] | None:
        """Start `fn` on every part. Returns the results in order, each as soon as it and
        those before it are done (raising WorkerFailed where a part failed); None when
        there are no workers: the caller runs `fn` itself. While the caller waits for the
        next result, it does a part no worker has started yet itself (see _results)."""
        if self.workers < 1:
            return None
        try:
            if self._pool is None:
                # spawn, not fork: the sync has threads (prefetch, HTTP pool) whose locks a
                # forked child would inherit held.
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=context, initializer=_start_worker
                )
            futures = [self._pool.submit(fn, part) for part in parts]
        except Exception:  # noqa: BLE001 - e.g. a broken pool: work in this process from now on
            log.warning("parse workers unavailable; parsing in the main process")
            self.close()
            self.workers = 1
            return None
        return _results(futures, fn, parts, self)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _start_worker() -> None:
    """Ctrl-C reaches the whole process group; the main process decides what it stops
    (tracker.ingest.runs: after the page in flight), so a worker must not die of it first.
    A worker does die with its parent, though: see _follow_parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(
            target=_follow_parent, args=(parent,), name="tracker-parent-watch", daemon=True
        ).start()


def _follow_parent(parent: BaseProcess) -> None:
    """End this worker as soon as its parent is gone. A `tracker sync` killed with SIGKILL
    runs no cleanup: its workers would wait for work for ever, and multiprocessing's
    resource tracker with them (it ends once every process holding its pipe has).

    The parent's sentinel is a pipe whose other end only the parent holds, so it reads as
    ready the moment the parent dies, whenever that is (even before this thread started;
    a watch of os.getppid() would miss that). prctl(PR_SET_PDEATHSIG) is no substitute:
    it fires when the *thread* that started the worker ends, and workers are started from
    the short-lived prefetch threads (tracker.ingest.ctgov)."""
    parent.join()
    os._exit(1)


def _results(
    futures: list[Future[R]], fn: Callable[[P], R], parts: Sequence[P], pool: WorkerPool
) -> Iterator[R]:
    """The results in order. Whenever the next one is not ready, the caller would sit idle
    (measured: 2 s of a 10,000-study sync, while the worker was behind, and all of the
    worker's start-up on the first page): it takes the last part that no worker has started
    instead (a pending future can still be cancelled), does it itself, and keeps the result
    until its turn. The worker goes on with the parts in order. A part that fails here
    fails at its turn, as WorkerFailed, after the results before it, as from a worker."""
    # Each part's slot is emptied once it is done, here or there, so that it is not held.
    waiting: list[P | None] = list(parts)
    del parts
    here: dict[int, R | Exception] = {}
    last = len(futures) - 1
    try:
        for index, future in enumerate(futures):
            while index not in here and not future.done() and last > index:
                if not futures[last].cancel():
                    last = index  # every part before a started one has started too
                    break
                part, waiting[last] = cast(P, waiting[last]), None
                try:
                    here[last] = fn(part)
                except Exception as exc:  # noqa: BLE001 - raised at its turn, below
                    here[last] = exc
                pool.done_here += 1
                last -= 1
            waiting[index] = None
            if index not in here:
                _settle(future, index, here)
            outcome = here.pop(index)
            futures[index] = _DONE  # dropped once taken, and its result with it
            del future
            if isinstance(outcome, Exception):
                raise WorkerFailed(str(outcome)) from outcome
            yield outcome
    finally:
        for future in futures:
            future.cancel()


_DONE: Future[Any] = Future()
"""Stands in for a future whose result was taken (never waited on)."""


def _settle(future: Future[T], index: int, into: dict[int, T | Exception]) -> None:
    """Wait for a worker's result, or its exception, into `into`."""
    try:
        into[index] = future.result()
    except Exception as exc:  # noqa: BLE001 - the caller's WorkerFailed carries it
        into[index] = exc
