"""What `tracker show ID` says about a record's judgement: relevance, role, verdict, the
signals read, the study it belongs to, and every human verdict (cleared ones too)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.evidence.overrides import effective_verdict
from tracker.store.models import Assessment, Override


@dataclass(frozen=True, slots=True)
class OverrideRow:
    verdict: str
    note: str
    by: str | None
    at: datetime
    cleared_at: datetime | None


@dataclass(frozen=True, slots=True)
class Explanation:
    relevant: bool
    exclusion: str | None
    relevance_reason: str
    relevance_evidence: list[str]
    role: str
    role_reason: str
    verdict: str
    """Effective: a human verdict on the study wins over the automatic one."""
    automatic: str
    rule: str
    reason: str
    evidence: list[str]
    strength: str | None
    own: dict[str, Any]
    """The record's own reading, before its study was considered."""
    study: str
    study_records: list[str]
    participants: int | None
    signals: dict[str, Any]
    overrides: list[OverrideRow]
    assessed_at: datetime


def explain(session: Session, record_id: str) -> Explanation | None:
    """None when the record has not been assessed yet."""
    a = session.get(Assessment, record_id)
    if a is None:
        return None
    signals = json.loads(a.signals)
    members = session.scalars(
        select(col(Assessment.record_id))
        .where(col(Assessment.study) == a.study)
        .order_by(col(Assessment.record_id))
    )
    rows = session.scalars(
        select(Override).where(col(Override.record_id) == record_id).order_by(col(Override.at))
    )
    relevance = signals.pop("relevance", {})
    return Explanation(
        relevant=a.relevant,
        exclusion=a.exclusion,
        relevance_reason=relevance.get("reason", ""),
        relevance_evidence=relevance.get("evidence", []),
        role=a.role,
        role_reason=signals.pop("role_reason", ""),
        verdict=effective_verdict(session, record_id) or a.verdict,
        automatic=a.verdict,
        rule=a.rule,
        reason=a.reason,
        evidence=json.loads(a.evidence),
        strength=a.strength,
        own=signals.pop("own", {}),
        study=a.study,
        study_records=list(members),
        participants=a.participants,
        signals=signals,
        overrides=[OverrideRow(o.verdict, o.note, o.by, o.at, o.cleared_at) for o in rows],
        assessed_at=a.assessed_at,
    )
