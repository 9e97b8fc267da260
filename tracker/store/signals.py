"""Store what the evidence rules read from each record version (record_signals).

The sync's parse workers read a record's signals where they parse it, on the machine's
other core (tracker.store.readings), and the sync stores them with the record; the judging
pass then takes them from here instead of parsing the record again. A record the rules
could not read is stored with the reason, so that it is not tried again on every pass: only
once its version or the rules change. The reading itself is the evidence engine's (given
to the sync as a `SignalReader`); this module only keeps its results.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from sqlalchemy import Connection, Table, delete, insert, select

from tracker.store.models import Article, RecordSignals, Trial
from tracker.store.readings import SignalRow

SIGNALS: Table = RecordSignals.__table__  # type: ignore[attr-defined]
CHUNK = 500


class StoredSignals(NamedTuple):
    version: int
    relevant: bool | None
    signals: str | None
    error: str | None


def save_signals(
    conn: Connection, rows: Sequence[SignalRow], versions: dict[str, int] | None = None
) -> int:
    """Store the rows against their records' versions (read from the records' tables where
    `versions` does not say), replacing what was stored; returns the rows written."""
    if not rows:
        return 0
    known = dict(versions or {})
    missing = [r.record_id for r in rows if r.record_id not in known]
    known.update(record_versions(conn, missing))
    values = [
        {
            "record_id": r.record_id,
            "version": known[r.record_id],
            "rules_hash": r.rules_hash,
            "relevant": r.relevant,
            "signals": r.signals,
            "error": r.error,
        }
        for r in rows
        if r.record_id in known
    ]
    for chunk in _chunks([r.record_id for r in rows if r.record_id in known]):
        conn.execute(delete(SIGNALS).where(SIGNALS.c.record_id.in_(chunk)))
    if values:
        conn.execute(insert(SIGNALS), values)
    return len(values)


def record_versions(conn: Connection, ids: Sequence[str]) -> dict[str, int]:
    """Record id -> its current version, for trials and articles alike."""
    out: dict[str, int] = {}
    trials: Table = Trial.__table__  # type: ignore[attr-defined]
    articles: Table = Article.__table__  # type: ignore[attr-defined]
    for chunk in _chunks(list(ids)):
        for table, key in ((trials, trials.c.nct_id), (articles, articles.c.id)):
            stmt = select(key, table.c.version).where(key.in_(chunk))
            out.update((rid, version) for rid, version in conn.execute(stmt))
    return out


def stored_signals(
    conn: Connection, ids: Sequence[str], rules_hash: str
) -> dict[str, StoredSignals]:
    """The stored readings of `ids` made under `rules_hash` (any version: the caller
    compares it with the record's)."""
    out: dict[str, StoredSignals] = {}
    columns = (SIGNALS.c.version, SIGNALS.c.relevant, SIGNALS.c.signals, SIGNALS.c.error)
    for chunk in _chunks(sorted(ids)):
        stmt = select(SIGNALS.c.record_id, *columns).where(
            SIGNALS.c.record_id.in_(chunk), SIGNALS.c.rules_hash == rules_hash
        )
        out.update((row[0], StoredSignals(*row[1:])) for row in conn.execute(stmt))
    return out


def unreadable(conn: Connection, rules_hash: str) -> dict[str, tuple[int, str]]:
    """Record id -> (version, reason) of the records the rules could not read under
    `rules_hash`."""
    stmt = select(SIGNALS.c.record_id, SIGNALS.c.version, SIGNALS.c.error).where(
        SIGNALS.c.error.is_not(None), SIGNALS.c.rules_hash == rules_hash
    )
    return {rid: (version, error) for rid, version, error in conn.execute(stmt)}


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]
