"""Human verdicts (`tracker judge`): stored with their time, never overwritten by a run.

Clearing sets `cleared_at` and keeps the row, so the history of human judgement stays. A
change of the effective verdict is a ChangeEvent, as for an automatic change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.errors import NotFoundError, UsageError
from tracker.evidence.load import active_overrides, study_overrides
from tracker.evidence.rules.terms import VERDICTS
from tracker.ids import normalise_id, source_of
from tracker.store.models import Article, Assessment, ChangeEvent, Override, Trial


def judge(
    session: Session, record_id: str, verdict: str, note: str, *, by: str | None, now: datetime
) -> Override:
    """Store a human verdict on a stored record; returns the new override."""
    if verdict not in VERDICTS:
        raise UsageError(f"--verdict {verdict!r}: expected one of {', '.join(VERDICTS)}")
    if not note.strip():
        raise UsageError("--note must say why (it is shown beside the verdict)")
    rid = _stored(session, record_id)
    before = effective_verdict(session, rid)
    override = Override(record_id=rid, verdict=verdict, note=note.strip(), by=by, at=now)
    session.add(override)
    session.flush()
    _event(session, rid, before, effective_verdict(session, rid), now)
    return override


def clear(session: Session, record_id: str, *, now: datetime) -> int:
    """Clear the record's active override(s); returns how many were cleared."""
    rid = _stored(session, record_id)
    before = effective_verdict(session, rid)
    rows = list(
        session.scalars(
            select(Override).where(
                col(Override.record_id) == rid, col(Override.cleared_at).is_(None)
            )
        )
    )
    for row in rows:
        row.cleared_at = now
    session.flush()
    _event(session, rid, before, effective_verdict(session, rid), now)
    return len(rows)


def effective_verdict(session: Session, rid: str) -> str | None:
    """The active override of the record's study, else its automatic verdict."""
    assessment = session.get(Assessment, rid)
    study = assessment.study if assessment else rid
    members = [rid]
    if assessment is not None:
        members = list(
            session.scalars(select(col(Assessment.record_id)).where(col(Assessment.study) == study))
        )
    overrides = {r: o for r, o in active_overrides(session).items() if r in members}
    override = study_overrides(overrides, dict.fromkeys(members, study)).get(study)
    if override is not None:
        return override.verdict
    return assessment.verdict if assessment else None


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
