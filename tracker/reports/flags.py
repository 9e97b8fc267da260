"""Flags and registrations as reports show them: per study, with the verdict's strength
lowered by the flags (the stored verdict and strength are the engine's own)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.evidence.rules.flags import Flag, weaken
from tracker.evidence.summary import studies_needing_check
from tracker.store.flags import FlagView, stored_flags
from tracker.store.models import Assessment
from tracker.store.registrations import registrations_by_record


@dataclass(frozen=True, slots=True)
class StudyFlags:
    by_study: dict[str, list[FlagView]]
    by_record: dict[str, list[FlagView]]
    regs_by_study: dict[str, list[str]]
    regs_by_record: dict[str, list[str]]

    def flags(self, a: Assessment) -> list[FlagView]:
        if a.relevant:
            return self.by_study.get(a.study, [])
        return self.by_record.get(a.record_id, [])

    def registrations(self, a: Assessment) -> list[str]:
        if a.relevant:
            return self.regs_by_study.get(a.study, [])
        return self.regs_by_record.get(a.record_id, [])

    def strength(self, a: Assessment) -> str | None:
        views = self.flags(a)
        return weaken(a.strength, [Flag(v.rule, v.severity, v.summary) for v in views])


def study_flags(session: Session, rows: Sequence[Assessment]) -> StudyFlags:
    flags = stored_flags(session)
    by_study: dict[str, list[FlagView]] = {}
    by_record: dict[str, list[FlagView]] = {}
    for f in flags:
        by_study.setdefault(f.study, []).append(f)
        by_record.setdefault(f.record_id, []).append(f)
    declared = registrations_by_record(session)
    regs_by_record = {
        a.record_id: own_registrations(a.record_id, declared.get(a.record_id, [])) for a in rows
    }
    regs_by_study: dict[str, list[str]] = {}
    for a in rows:
        if a.relevant:
            regs_by_study.setdefault(a.study, []).extend(regs_by_record[a.record_id])
    return StudyFlags(
        by_study,
        by_record,
        {k: sorted(set(v)) for k, v in regs_by_study.items()},
        regs_by_record,
    )


def own_registrations(record_id: str, declared: Sequence[tuple[str, str]]) -> list[str]:
    """A record's registrations: its own NCT id for a trial, and the numbers it declares."""
    own = [record_id] if record_id.startswith("NCT") else []
    return sorted(set(own + [reg for reg, _ in declared]))


@dataclass(frozen=True, slots=True)
class Consistency:
    """One record's flags (its study's, when it is relevant) and registrations."""

    flags: list[FlagView]
    own_registrations: list[tuple[str, str]]
    """(number, provenance) the record itself declares."""
    study_registrations: list[str]
    needs_check: bool


def consistency(session: Session, record_id: str) -> Consistency:
    a = session.get(Assessment, record_id)
    declared = registrations_by_record(session)
    own = declared.get(record_id, [])
    if a is None or not a.relevant:
        return Consistency(
            stored_flags(session, [record_id]),
            own,
            own_registrations(record_id, own),
            False,
        )
    members = [
        rid
        for (rid,) in session.execute(
            select(col(Assessment.record_id)).where(col(Assessment.study) == a.study)
        )
    ]
    flags = [f for f in stored_flags(session, members) if f.study == a.study]
    regs = sorted({r for m in members for r in own_registrations(m, declared.get(m, []))})
    return Consistency(flags, own, regs, a.study in studies_needing_check(session))
