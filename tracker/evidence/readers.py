"""Read the records to judge on the machine's other cores.

Reading a record (decoding it and finding its signals: the vocabularies run over every
field) is most of a large pass's time and pure-Python work under the GIL, so parts of
the stored records go to worker processes (tracker.runtime.workers) while the main process
fetches the next parts from the database. Any failure of a worker leaves its part to the
main process, which reads it by the same function.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from sqlalchemy.orm import Session

from tracker.config import ClaimConfig
from tracker.evidence.load import decode, load_raw
from tracker.evidence.rules.assess import read_records
from tracker.evidence.rules.signals import Signals
from tracker.evidence.signal_rows import slim
from tracker.ids import Source
from tracker.runtime.workers import WorkerFailed, WorkerPool

PART = 100
"""Records a worker reads at a time: small enough that both cores start at once and the
parts in flight (a CT.gov study can be 30 KB of JSON) stay small in memory."""
AHEAD = 4
"""Parts in flight: one being read by each worker, the next ones queued."""

Read = dict[str, tuple[Signals, bool]]
Part = tuple[str, list[tuple[Source, str, str]]]
"""(the claim as JSON, [(source, id, stored JSON)])."""
Failures = dict[str, str]
"""Record id -> why the rules could not read it."""


def read_part(part: Part) -> tuple[Read, Failures]:
    """Signals and relevance of a part's records (in a worker, or in the main process),
    and why any could not be read. An excluded record's matching context is let go: only
    relevant trials are matched."""
    claim = ClaimConfig.model_validate_json(part[0])
    records = [decode(source, data) for source, _rid, data in part[1]]
    failures: Failures = {}
    read = read_records(records, claim, failures=failures)
    return {rid: (slim(s, relevant), relevant) for rid, (s, relevant) in read.items()}, failures


def read_stored(
    session: Session, claim: ClaimConfig, wanted: dict[str, Source], pool: WorkerPool
) -> Iterator[tuple[Read, Failures]]:
    """Read the records in `wanted` (id -> source), a part at a time, on the workers where
    there are two or more (with one, the main process would only wait for it)."""
    claim_json = claim.model_dump_json()
    ids = sorted(wanted)
    pending: deque[tuple[Part, Iterator[tuple[Read, Failures]] | None]] = deque()
    for i in range(0, len(ids), PART):
        part = (claim_json, load_raw(session, {rid: wanted[rid] for rid in ids[i : i + PART]}))
        pending.append((part, pool.run(read_part, [part]) if pool.workers > 1 else None))
        if len(pending) >= AHEAD:
            yield _take(*pending.popleft())
    while pending:
        yield _take(*pending.popleft())


def _take(part: Part, result: Iterator[tuple[Read, Failures]] | None) -> tuple[Read, Failures]:
    if result is not None:
        try:
            return next(result)
        except WorkerFailed:
            pass  # read here instead
    return read_part(part)
