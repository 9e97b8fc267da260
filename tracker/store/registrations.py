"""Store and read back the registration numbers records declare in other registries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from tracker.records.registrations import RegTriple, registry_of
from tracker.store.bulk import insert_rows
from tracker.store.models import Registration

REGISTRATIONS: Table = Registration.__table__  # type: ignore[attr-defined]
_CHUNK = 500


def save_registrations(conn: Connection, regs: Sequence[RegTriple], *, seen_at: datetime) -> int:
    """Store the (record, number, provenance) triples not stored yet; returns how many."""
    wanted = set(regs)
    if not wanted:
        return 0
    ids = sorted({record for record, _, _ in wanted})
    existing: set[RegTriple] = set()
    c = REGISTRATIONS.c
    for start in range(0, len(ids), _CHUNK):
        query = select(c.record_id, c.reg_id, c.provenance).where(
            c.record_id.in_(ids[start : start + _CHUNK])
        )
        existing.update((r, g, p) for r, g, p in conn.execute(query))
    new = sorted(wanted - existing)
    insert_rows(
        conn,
        REGISTRATIONS,
        [
            {
                "record_id": r,
                "reg_id": g,
                "registry_name": registry_of(g) or "other",
                "provenance": p,
                "first_seen_at": seen_at,
            }
            for r, g, p in new
        ],
    )
    return len(new)


def registrations_by_record(
    session: Session, ids: Iterable[str] | None = None
) -> dict[str, list[tuple[str, str]]]:
    """Record id -> [(registration id, provenance)], each number once, in id order."""
    c = REGISTRATIONS.c
    query = select(c.record_id, c.reg_id, c.provenance).order_by(c.record_id, c.reg_id, c.id)
    wanted = set(ids) if ids is not None else None
    out: dict[str, list[tuple[str, str]]] = {}
    for record, reg, how in session.execute(query):
        if wanted is not None and record not in wanted:
            continue
        regs = out.setdefault(record, [])
        if all(reg != seen for seen, _ in regs):
            regs.append((reg, how))
    return out
