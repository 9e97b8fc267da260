"""Human verdicts (`tracker judge`): stored with their time, never overwritten by a run.

This module is the one home of the rule that says which human verdict is in force: the
newest active human verdict on any record of a study is the study's verdict
(`study_overrides`). Every report, export and the engine's change events read it from here.

A record holds at most one active human verdict: judging it again closes the previous one
(`cleared_at` is set and the row is kept), as clearing does, so the history of human
judgement stays. A change of the effective verdict is a ChangeEvent, as for an automatic
change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.errors import NotFoundError, UsageError
from tracker.evidence.rules.terms import VERDICTS
from tracker.ids import normalise_id, source_of
from tracker.store.models import Article, Assessment, ChangeEvent, Override, Trial


def study_overrides(
    overrides: Iterable[Override], study_of: Mapping[str, str]
) -> dict[str, Override]:
    """Study -> the newest active override on any of its records (by time, then row id).

    `overrides` may hold cleared rows; they are ignored. A record missing from `study_of`
    is its own study."""
    out: dict[str, Override] = {}
    active = (o for o in overrides if o.cleared_at is None)
    for o in sorted(active, key=lambda o: (o.at, o.id or 0)):
        out[study_of.get(o.record_id, o.record_id)] = o
    return out


def override_for(
    overrides: Mapping[str, Override], *, record_id: str, study: str | None, relevant: bool | None
) -> Override | None:
    """The human verdict standing over one record: its study's, except that a record the
    engine found not relevant, though linked into a relevant study, keeps its own."""
    o = overrides.get(study or record_id)
    if o is not None and not relevant and o.record_id != record_id:
        return None
    return o


def active_overrides(session: Session) -> dict[str, Override]:
    """Record id -> its active override (the newest row not cleared)."""
    stmt = (
        select(Override)
        .where(col(Override.cleared_at).is_(None))
        .order_by(col(Override.at), col(Override.id))
    )
    return {o.record_id: o for o in session.scalars(stmt)}


def stored_study_overrides(session: Session) -> dict[str, Override]:
    """`study_overrides` over the studies stored in the assessments."""
    rows = session.execute(
        select(Override, col(Assessment.study))
        .join(Assessment, col(Assessment.record_id) == col(Override.record_id), isouter=True)
        .where(col(Override.cleared_at).is_(None))
    ).all()
    study_of = {o.record_id: study for o, study in rows if study}
    return study_overrides((o for o, _study in rows), study_of)


def judge(
    session: Session, record_id: str, verdict: str, note: str, *, by: str | None, now: datetime
) -> Override:
    """Store a human verdict on a stored record; returns the new override. An active human
    verdict already on the record is closed (kept, with `cleared_at` = now)."""
    if verdict not in VERDICTS:
        raise UsageError(f"--verdict {verdict!r}: expected one of {', '.join(VERDICTS)}")
    if not note.strip():
        raise UsageError("--note must say why (it is shown beside the verdict)")
    rid = _stored(session, record_id)
    before = effective_verdict(session, rid)
    for row in _active_rows(session, rid):
        row.cleared_at = now
    override = Override(record_id=rid, verdict=verdict, note=note.strip(), by=by, at=now)
    session.add(override)
    session.flush()
    _event(session, rid, before, effective_verdict(session, rid), now)
    return override


def clear(session: Session, record_id: str, *, now: datetime) -> int:
    """Clear the record's active override(s); returns how many were cleared."""
    rid = _stored(session, record_id)
    before = effective_verdict(session, rid)
    rows = _active_rows(session, rid)
    for row in rows:
        row.cleared_at = now
    session.flush()
    _event(session, rid, before, effective_verdict(session, rid), now)
    return len(rows)


def effective_verdict(session: Session, rid: str) -> str | None:
    """The human verdict in force over the record, else its automatic verdict."""
    assessment = session.get(Assessment, rid)
    study = assessment.study if assessment else rid
    members = [rid]
    if assessment is not None:
        members = list(
            session.scalars(select(col(Assessment.record_id)).where(col(Assessment.study) == study))
        )
    rows = session.scalars(
        select(Override).where(
            col(Override.record_id).in_(members), col(Override.cleared_at).is_(None)
        )
    )
    override = override_for(
        study_overrides(rows, dict.fromkeys(members, study)),
        record_id=rid,
        study=study,
        relevant=assessment.relevant if assessment else True,
    )
    if override is not None:
        return override.verdict
    return assessment.verdict if assessment else None


def _active_rows(session: Session, rid: str) -> list[Override]:
    stmt = select(Override).where(
        col(Override.record_id) == rid, col(Override.cleared_at).is_(None)
    )
    return list(session.scalars(stmt))


def _stored(session: Session, record_id: str) -> str:
    rid = normalise_id(record_id)
    if session.get(Trial, rid) is None and session.get(Article, rid) is None:
        raise NotFoundError(f"{record_id}: no such record is stored (try `tracker sync` first)")
    return rid


def _event(session: Session, rid: str, old: str | None, new: str | None, now: datetime) -> None:
    if old != new:
        session.add(
            ChangeEvent(
                record_id=rid, source=source_of(rid), field="verdict", old=old, new=new, at=now
            )
        )
