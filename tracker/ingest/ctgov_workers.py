"""Parse large CT.gov pages on the machine's other core (tracker.runtime.workers).

Decoding a page's studies and mapping them to TrialData costs about as much as storing
them, so the storing process hands it off. A page is cut into parts of a few hundred
studies, each study still its exact bytes as received. A worker parses each study and does
the rest of the per-study work that needs no database: the canonical JSON, the compressed
payload, the summary columns and the trial links (tracker.store.trial_rows). The main process
stores parts as they come back, in order, while the worker is on the next ones. A part the
worker could not do, the main process does itself with the same function, so the stored
result is the same either way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial

import msgspec

from tracker.ids import Source
from tracker.runtime.workers import WorkerFailed, WorkerPool, worker_count
from tracker.sources.ctgov_parse import read_study
from tracker.store.payload import pack_all
from tracker.store.readings import SignalReader, read_signals
from tracker.store.trial_rows import PreparedStudy, prepare_study

__all__ = [
    "MIN_PARALLEL_BYTES",
    "PART_STUDIES",
    "WorkerFailed",
    "pool",
    "prepare",
    "split_page",
    "submit",
]

MIN_PARALLEL_BYTES = 2_000_000
"""Smaller pages (an incremental sync's few changed studies) are parsed in the main
process: starting a worker (about half a second) would cost more than it saves."""

PART_STUDIES = 125
"""Studies per part: storing starts soon after a page arrives, a part (4 MB of studies
with results) is shipped to a worker in a few milliseconds, and while it waits for the
worker the main process does a whole part itself (tracker.runtime.workers). Measured on the
10,000-study benchmark, two runs each: 125 synced in 4.29-4.43 s at a 216-221 MiB peak,
250 in 4.48-4.59 s at 234 MiB, 500 in 4.74-4.76 s at 289-293 MiB; 50 and 80 were no
faster than 125, a little smaller."""


def pool() -> WorkerPool:
    """One worker, on a machine with a core to spare: storing a page in the main process
    takes about as long as parsing it, so a second worker would only compete with the two
    for the cores (measured: no faster, and 40 MiB more)."""
    return WorkerPool(1 if worker_count() > 1 else 0)


def split_page(studies: list[msgspec.Raw], size: int) -> list[list[msgspec.Raw]]:
    """The studies in parts of `size`, in order."""
    return [studies[start : start + size] for start in range(0, len(studies), size)]


def prepare(part: Sequence[msgspec.Raw], reader: SignalReader | None = None) -> list[PreparedStudy]:
    """Parse one part (in a worker, or in the main process when there is none), and read
    each study's evidence signals with `reader` while it is parsed. A part travels to a
    worker as its studies' exact bytes: a msgspec.Raw pickles as a copy of its own slice of
    the page, made when a worker is ready for the part."""
    packed = pack_all(part)
    fetched = [read_study(raw, blob) for raw, blob in zip(part, packed, strict=True)]
    rows = read_signals(reader, [(Source.CTGOV, f.trial) for f in fetched if f.trial is not None])
    return [prepare_study(f)._replace(signals=rows.get(f.nct_id)) for f in fetched]


def submit(
    pool: WorkerPool, parts: list[list[msgspec.Raw]], reader: SignalReader | None = None
) -> Iterator[list[PreparedStudy]] | None:
    """Start the parts on the workers when they are worth it; None: parse them here."""
    if sum(len(raw) for part in parts for raw in part) < MIN_PARALLEL_BYTES:
        return None
    return pool.run(partial(prepare, reader=reader), parts)
