"""Store judgements: one Assessment row per record, written only where it differs.

Rows go in by bulk INSERT/UPDATE statements rather than ORM objects (the ORM's unit of
work cost a fifth of a large pass), and a judgement equal to the stored one is not written
at all, so that a pass that changes nothing writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import fields
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import bindparam, delete, insert, select, tuple_, update
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.evidence.rules.assess import Judgement
from tracker.evidence.rules.signals import Design, Signals
from tracker.store.models import Assessment, ChangeEvent, Link

_TABLE = Assessment.__table__  # type: ignore[attr-defined]
_COMPARED = (
    "source",
    "study",
    "relevant",
    "role",
    "exclusion",
    "verdict",
    "rule",
    "reason",
    "evidence",
    "strength",
    "participants",
    "signals",
    "record_version",
    "rules_hash",
    "members",
    "recheck_on",
)
"""Every column a judgement sets, its times aside."""
CHUNK = 500


def row_values(
    j: Judgement,
    *,
    version: int,
    rules_hash: str,
    members: str,
    recheck_on: date | None,
) -> dict[str, Any]:
    signals = signals_dict(j.signals)
    signals["relevance"] = {"reason": j.relevance.reason, "evidence": j.relevance.evidence}
    signals["role_reason"] = j.role.reason
    signals["own"] = {
        "verdict": j.own.verdict,
        "rule": j.own.rule,
        "reason": j.own.reason,
        "evidence": j.own.evidence,
        "strength": j.own.strength,
    }
    signals["inferred"] = j.inferred
    return {
        "source": j.source,
        "study": j.study,
        "relevant": j.relevance.relevant,
        "role": j.role.role,
        "exclusion": j.relevance.exclusion,
        "verdict": j.verdict.verdict,
        "rule": j.verdict.rule,
        "reason": j.verdict.reason,
        "evidence": _json(j.verdict.evidence),
        "strength": j.verdict.strength,
        "participants": j.participants,
        "signals": _json(signals),
        "record_version": version,
        "rules_hash": rules_hash,
        "members": members,
        "recheck_on": recheck_on,
    }


_STORED = tuple(f.name for f in fields(Signals) if f.name != "context")
_DESIGN = tuple(f.name for f in fields(Design))


def signals_dict(s: Signals) -> dict[str, Any]:
    """`Signals.to_json`, five times faster: over field names listed once, and a shallow
    dict of the design (it holds scalars only) where asdict deep-copies. Written here, not
    in the rules, so that the rules' source, and so every stored judgement's rules hash,
    stays as it was."""
    out = {name: getattr(s, name) for name in _STORED}
    design = s.design
    out["design"] = {name: getattr(design, name) for name in _DESIGN}
    return out


def _json(value: object) -> str:
    return msgspec.json.encode(value).decode()


def write_rows(session: Session, rows: dict[str, dict[str, Any]], now: datetime) -> int:
    """Insert or update the rows (record id -> row_values) that differ from the stored
    ones; returns how many were written. `changed_at` moves only with the verdict."""
    stored = _stored(session, list(rows))
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for rid, values in rows.items():
        old = stored.get(rid)
        if old is None:
            inserts.append({"record_id": rid, **values, "assessed_at": now, "changed_at": now})
        elif any(old[c] != values[c] for c in _COMPARED):
            changed = now if old["verdict"] != values["verdict"] else old["changed_at"]
            updates.append({"b_id": rid, **values, "assessed_at": now, "changed_at": changed})
    if inserts:
        session.execute(insert(_TABLE), inserts)
    if updates:
        stmt = update(_TABLE).where(_TABLE.c.record_id == bindparam("b_id"))
        session.execute(stmt, updates)
    return len(inserts) + len(updates)


def _stored(session: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    columns = [_TABLE.c.record_id, *(_TABLE.c[c] for c in _COMPARED), _TABLE.c.changed_at]
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(select(*columns).where(_TABLE.c.record_id.in_(chunk)))
        out.update((row.record_id, dict(row._mapping)) for row in rows)
    return out


def write_events(session: Session, events: list[dict[str, Any]]) -> None:
    if events:
        session.execute(insert(ChangeEvent.__table__), events)  # type: ignore[attr-defined]


def save_inferred(session: Session, wanted: set[tuple[str, str]], now: datetime) -> int:
    """Keep the engine's inferred links (provenance 'inferred') equal to today's matches;
    a match that still holds keeps the date it was first made. Returns rows written."""
    stored = {
        (a, t)
        for a, t in session.execute(
            select(col(Link.article_id), col(Link.trial_id)).where(
                col(Link.provenance) == "inferred"
            )
        )
    }
    gone = sorted(stored - wanted)
    table = Link.__table__  # type: ignore[attr-defined]
    for chunk in _chunks(gone):
        session.execute(
            delete(table).where(
                table.c.provenance == "inferred",
                tuple_(table.c.article_id, table.c.trial_id).in_(chunk),
            )
        )
    new = sorted(wanted - stored)
    if new:
        rows = [
            {"article_id": a, "trial_id": t, "provenance": "inferred", "first_seen_at": now}
            for a, t in new
        ]
        session.execute(insert(table), rows)
    return len(gone) + len(new)


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]
