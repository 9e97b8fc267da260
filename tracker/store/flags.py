"""Read back the consistency flags the evidence pass stored (for show, evidence, exports)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.store.models import Flag


@dataclass(frozen=True, slots=True)
class FlagView:
    record_id: str
    study: str
    rule: str
    severity: str
    summary: str
    evidence: list[str]
    first_seen_at: datetime

    def to_json(self) -> dict[str, object]:
        """The shape `tracker evidence --format json` gives each flag."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "summary": self.summary,
            "evidence": self.evidence,
            "record": self.record_id,
        }


_ORDER = {"major": 0, "minor": 1, "info": 2}


def stored_flags(session: Session, ids: Iterable[str] | None = None) -> list[FlagView]:
    """Flags, most severe first, then by record and rule."""
    query = select(Flag)
    if ids is not None:
        query = query.where(col(Flag.record_id).in_(sorted(set(ids))))
    views = [
        FlagView(
            f.record_id,
            f.study,
            f.rule,
            f.severity,
            f.summary,
            json.loads(f.evidence),
            f.first_seen_at,
        )
        for f in session.scalars(query)
    ]
    return sorted(views, key=lambda v: (_ORDER.get(v.severity, 3), v.record_id, v.rule, v.summary))


def flags_by_study(session: Session) -> dict[str, list[FlagView]]:
    out: dict[str, list[FlagView]] = {}
    for f in stored_flags(session):
        out.setdefault(f.study, []).append(f)
    return out
