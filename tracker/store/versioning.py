"""Save fetched records of any kind: upsert, a new version only when the parsed content
changed, one change event per changed material field. The caller owns the transaction,
so a page is stored whole or not at all.

The current payload (parsed `data` and compressed `raw`) lives on the record's row; a
version row gets its own copy only once it is superseded, so each payload is written once.
Writes go through the driver's executemany (tracker.store.bulk): ORM objects per row would
cost more than parsing the page did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection, Table, func, select

from tracker.records.changes import FieldChange
from tracker.store.bulk import insert_rows, update_rows
from tracker.store.incoming import Incoming as Incoming
from tracker.store.models import ChangeEvent
from tracker.store.payload import pack, unpack

EVENTS: Table = ChangeEvent.__table__  # type: ignore[attr-defined]
_ENCODER = msgspec.json.Encoder()

Differ = Callable[[str, Any], tuple[list[FieldChange], list[str]]]
"""(old canonical JSON, new parsed record) -> (material changes, names of changed fields)."""


@dataclass(frozen=True, slots=True)
class Kind:
    """How one kind of record is stored."""

    source: str
    table: Table
    versions: Table
    key: str
    """The id column of `table` (its primary key)."""
    diff: Differ
    version_key: str = ""
    """The column of `versions` that refers to the record (default: the same name as `key`)."""
    decode: Callable[[bytes], Any] | None = None
    """Canonical JSON -> parsed record, for records that arrive already encoded
    (`Incoming.data` without `record`)."""

    @property
    def vkey(self) -> str:
        return self.version_key or self.key


@dataclass
class PageOutcome:
    new_records: int = 0
    new_versions: int = 0
    unchanged: int = 0
    events: int = 0
    parse_errors: list[str] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)

    def add(self, other: PageOutcome) -> None:
        """Fold the outcome of another chunk of the same page into this one."""
        self.new_records += other.new_records
        self.new_versions += other.new_versions
        self.unchanged += other.unchanged
        self.events += other.events
        self.parse_errors += other.parse_errors
        self.new_ids += other.new_ids
        self.changed_ids += other.changed_ids


def content_hash(payload: bytes) -> str:
    return hashlib.sha1(payload, usedforsecurity=False).hexdigest()


def save_records(
    conn: Connection,
    kind: Kind,
    items: Sequence[Incoming],
    *,
    seen_at: datetime,
    run_id: int | None,
) -> PageOutcome:
    """Upsert one page of records; returns what it did. A value too long for its column
    makes its record unparsed (tracker.store.fit), on every backend alike."""
    from tracker.store.fit import fitted

    outcome = PageOutcome()
    latest: dict[str, Incoming] = {}
    for given in items:
        item = fitted(kind.table, kind.versions, kind.key, given)
        if not item.id:
            outcome.parse_errors.append(f"a record without an id could not be stored: {item.error}")
            continue
        if item.error:
            outcome.parse_errors.append(f"{item.id}: stored unparsed: {item.error}")
        latest[item.id] = item  # a record repeated within a page is one record
    current = {
        rid: (digest, version)
        for rid, digest, version in _rows(conn, kind, ("content_hash", "version"), list(latest))
    }
    plan = _Plan(kind, seen_at=seen_at, run_id=run_id)
    for rid, item in latest.items():
        plan.add(item, current.get(rid), outcome)
    old = {
        rid: (data, raw) for rid, data, raw in _rows(conn, kind, ("data", "raw"), plan.changed_ids)
    }
    plan.write(conn, old)
    outcome.events = plan.event_count
    outcome.changed_ids = plan.changed_ids
    return outcome


def version_payload(
    conn: Connection, kind: Kind, rid: str, version: int
) -> tuple[str, bytes] | None:
    """(data, raw) of any version: its own columns, or the record's if it is the current one.

    `raw` comes back decompressed: the registry's bytes exactly."""
    t, v = kind.table, kind.versions
    query = (
        select(func.coalesce(v.c.data, t.c.data), func.coalesce(v.c.raw, t.c.raw))
        .join(t, t.c[kind.key] == v.c[kind.vkey])
        .where(v.c[kind.vkey] == rid, v.c.version == version)
    )
    row = conn.execute(query).first()
    return (row[0], unpack(row[1])) if row else None


def _rows(conn: Connection, kind: Kind, columns: Sequence[str], ids: list[str]) -> Iterable[Any]:
    """(id, *columns) of the stored records among `ids`, in chunks the drivers accept."""
    table = kind.table
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(table.c[kind.key], *(table.c[c] for c in columns)).where(
            table.c[kind.key].in_(chunk)
        )
        yield from conn.execute(query)


class _Plan:
    """The rows one page will write, gathered first so each table gets one executemany."""

    def __init__(self, kind: Kind, *, seen_at: datetime, run_id: int | None) -> None:
        self.kind = kind
        self.seen_at = seen_at
        self.run_id = run_id
        self.inserts: list[tuple[dict[str, Any], Incoming]] = []
        self.touches: list[dict[str, Any]] = []
        self.changed: list[tuple[Incoming, str, bytes, int]] = []
        self.event_count = 0

    @property
    def changed_ids(self) -> list[str]:
        return [item.id for item, *_ in self.changed]

    def add(self, item: Incoming, row: tuple[str, int] | None, outcome: PageOutcome) -> None:
        if item.data is not None:
            data = item.data
        else:
            data = _ENCODER.encode(item.record) if item.record is not None else b"{}"
        digest = content_hash(data if item.parsed else b"raw:" + bytes(item.raw))
        if row is None:
            self.inserts.append((self._row(item, data, digest, 1, new=True), item))
            outcome.new_records += 1
            outcome.new_versions += 1
            outcome.new_ids.append(item.id)
        elif row[0] == digest:
            self.touches.append(
                {"last_seen_at": self.seen_at, **item.touch, self.kind.key: item.id}
            )
            outcome.unchanged += 1
        else:
            self.changed.append((item, digest, data, row[1] + 1))
            outcome.new_versions += 1

    def write(self, conn: Connection, old: dict[str, tuple[str, bytes]]) -> None:
        kind, key = self.kind, self.kind.key
        versions = [self._version(row, item, []) for row, item in self.inserts]
        updates: list[dict[str, Any]] = []
        archived: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for item, digest, data, version in self.changed:
            row = self._row(item, data, digest, version, new=False)
            old_data, old_raw = old[item.id]
            fields = self._diff(item, old_data, version, events)
            versions.append(self._version(row, item, fields))
            updates.append(row)
            # The replaced payload moves from the record's row into its own version row.
            archived.append(
                {"data": old_data, "raw": old_raw, kind.vkey: item.id, "version": version - 1}
            )
        insert_rows(conn, kind.table, [row for row, _ in self.inserts])
        update_rows(conn, kind.versions, archived, keys=(kind.vkey, "version"))
        update_rows(conn, kind.table, updates, keys=(key,))
        update_rows(conn, kind.table, self.touches, keys=(key,))
        insert_rows(conn, kind.versions, versions)
        insert_rows(conn, EVENTS, events)
        self.event_count = len(events)

    def _diff(
        self, item: Incoming, old_json: str, version: int, events: list[dict[str, Any]]
    ) -> list[str]:
        if not item.parsed or not old_json or old_json == "{}":
            return ["(unparsed)"]
        record = item.record
        if record is None:
            assert self.kind.decode is not None and item.data is not None
            record = self.kind.decode(item.data)
        changes, fields = self.kind.diff(old_json, record)
        events.extend(
            {
                "record_id": item.id,
                "source": self.kind.source,
                "field": change.field,
                "old": change.old,
                "new": change.new,
                "at": self.seen_at,
                "version": version,
                "run_id": self.run_id,
            }
            for change in changes
        )
        return fields

    def _row(
        self, item: Incoming, data: bytes, digest: str, version: int, *, new: bool
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            self.kind.key: item.id,
            **item.columns,
            **item.touch,
            "version": version,
            "content_hash": digest,
            "last_seen_at": self.seen_at,
            "last_changed_at": self.seen_at,
            "parse_error": item.error,
            "data": data.decode(),
            "raw": item.packed if item.packed is not None else pack(item.raw),
        }
        if new:
            row["first_seen_at"] = self.seen_at
        return row

    def _version(self, row: dict[str, Any], item: Incoming, fields: list[str]) -> dict[str, Any]:
        return {
            self.kind.vkey: row[self.kind.key],
            "version": row["version"],
            "content_hash": row["content_hash"],
            "seen_at": row["last_seen_at"],
            **item.version_columns,
            "changed_fields": json.dumps(fields) if fields else "[]",  # most rows: new records
            "data": None,  # the current payload lives on the record's row
            "raw": None,
        }
