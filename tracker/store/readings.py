"""A record's reading by the evidence rules, as the parse workers make it: what they
import must not pull the database layer in (SQLAlchemy and the models cost a worker 0.3 s
to start and about 20 MiB), so this is apart from tracker.store.signals, which stores it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import NamedTuple

from tracker.records.article import ArticleData
from tracker.records.trial import TrialData

log = logging.getLogger("tracker.evidence")


class SignalRow(NamedTuple):
    """One record's reading, before it is stored against the record's version."""

    record_id: str
    rules_hash: str
    relevant: bool | None
    signals: str | None
    """JSON of the signals; None when the rules could not read the record."""
    error: str | None = None


SignalReader = Callable[[Sequence[tuple[str, TrialData | ArticleData]]], list[SignalRow]]
"""(source, parsed record) pairs -> their readings. Must pickle: it runs in the parse
workers."""


def read_signals(
    reader: SignalReader | None, records: Sequence[tuple[str, TrialData | ArticleData]]
) -> dict[str, SignalRow]:
    """Record id -> its reading; nothing when there is no reader or it failed as a whole
    (the judging then reads the records itself: evidence never fails a sync)."""
    if reader is None or not records:
        return {}
    try:
        return {row.record_id: row for row in reader(records)}
    except Exception:  # noqa: BLE001 - whatever it was, the judging reads these records again
        log.exception("the evidence signals of a part could not be read; judging reads them")
        return {}
