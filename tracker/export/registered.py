"""Registrations and consistency flags for the export rows: read once per export (both
tables are small), then added to each row by its study."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import Session, col

from tracker.store.flags import stored_flags
from tracker.store.models import Assessment
from tracker.store.registrations import registrations_by_record

if TYPE_CHECKING:
    from tracker.export.rows import ExportRow


@dataclass(frozen=True, slots=True)
class Extra:
    study_of: dict[str, tuple[str, bool]]
    regs_by_record: dict[str, list[str]]
    regs_by_study: dict[str, list[str]]
    flags_by_study: dict[str, list[str]]
    flags_by_record: dict[str, list[str]]

    def add(self, row: ExportRow) -> ExportRow:
        rid = row.id
        study, relevant = self.study_of.get(rid, (rid, False))
        own = self.regs_by_record.get(rid) or ([rid] if rid.startswith("NCT") else [])
        regs = self.regs_by_study.get(study, own) if relevant else own
        flags = (self.flags_by_study if relevant else self.flags_by_record).get(
            study if relevant else rid, []
        )
        return dataclasses.replace(row, registrations=regs, flags=flags)


def registered_and_flagged(session: Session) -> Extra:
    study_of = {
        rid: (study, bool(relevant))
        for rid, study, relevant in session.execute(
            select(col(Assessment.record_id), col(Assessment.study), col(Assessment.relevant))
        )
    }
    declared = registrations_by_record(session)
    regs_by_record = {
        rid: sorted({reg for reg, _ in regs} | ({rid} if rid.startswith("NCT") else set()))
        for rid, regs in declared.items()
    }
    regs_by_study: dict[str, set[str]] = {}
    for rid, (study, relevant) in study_of.items():
        if relevant:
            mine = regs_by_record.get(rid) or ([rid] if rid.startswith("NCT") else [])
            regs_by_study.setdefault(study, set()).update(mine)
    by_study: dict[str, list[str]] = {}
    by_record: dict[str, list[str]] = {}
    for f in stored_flags(session):
        text = f"{f.severity} {f.rule}: {f.summary}"
        by_study.setdefault(f.study, []).append(text)
        by_record.setdefault(f.record_id, []).append(text)
    return Extra(
        study_of,
        regs_by_record,
        {k: sorted(v) for k, v in regs_by_study.items()},
        by_study,
        by_record,
    )
