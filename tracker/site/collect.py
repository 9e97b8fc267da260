"""The relevant studies for the website: records read again where they changed
(tracker.site.state, tracker.site.records), the rest from the previous build, gathered
into one StudyRow per study with its human verdict and consistency flags.

The human verdicts and flags are read afresh on every build (two small tables): which
human verdict is in force is decided in tracker.evidence.overrides, as for every report.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from dataclasses import dataclass

import msgspec
from sqlalchemy.orm import Session

from tracker.config import ClaimConfig
from tracker.evidence.overrides import stored_study_overrides
from tracker.evidence.summary import studies_needing_check
from tracker.ids import Source
from tracker.site.effects import Estimate
from tracker.site.model import FlagLine, HumanVerdict, RecordRow, StudyRow, study_slug
from tracker.site.records import Outcomes, RecordInfo, read_records
from tracker.site.state import Previous, Reading, studies_of, what_changed
from tracker.store.flags import stored_flags

_ROLES = ("index", "follow_up", "review", "prior")


@dataclass(frozen=True)
class Collected:
    studies: list[StudyRow]
    """Every relevant study, ordered by key."""
    records: dict[str, tuple[str, RecordInfo]]
    """Record id -> (key, info): the next build's cache."""
    digests: dict[str, str]
    """Study key -> a hash of what its page shows."""
    estimates: list[Estimate]
    reading: Reading


def collect_studies(session: Session, claim: ClaimConfig, previous: Previous) -> Collected:
    reading = what_changed(session, previous)
    fresh = read_records(session, sorted(reading.stale), Outcomes.of(claim))
    records: dict[str, tuple[str, RecordInfo]] = {}
    for rid, key in reading.keys.items():
        info = fresh.get(rid) if rid in reading.stale else previous.records[rid].info
        if info is not None:  # gone between the two reads: left for the next build
            records[rid] = (key, info)
    humans = {
        study: HumanVerdict(o.verdict, o.note, o.by, o.at)
        for study, o in stored_study_overrides(session).items()
    }
    flags: dict[str, list[FlagLine]] = defaultdict(list)
    for f in stored_flags(session):
        flags[f.study].append(FlagLine(f.severity, f.rule, f.summary, tuple(f.evidence)))
    checks = studies_needing_check(session)
    studies: list[StudyRow] = []
    digests: dict[str, str] = {}
    estimates: list[Estimate] = []
    grouped = studies_of((rid, info) for rid, (_key, info) in records.items())
    for key in sorted(grouped):
        members = [info for _rid, info in grouped[key]]
        study = _study(key, members, humans.get(key), tuple(flags.get(key, [])), key in checks)
        studies.append(study)
        own = repr(dataclasses.replace(study, records=())) + "".join(m.digest for m in members)
        digests[key] = hashlib.sha256(own.encode()).hexdigest()
        estimates.extend(study.estimates)
    return Collected(studies, records, digests, estimates, reading)


def _study(
    key: str,
    members: list[RecordInfo],
    human: HumanVerdict | None,
    flags: tuple[FlagLine, ...],
    needs_check: bool,
) -> StudyRow:
    records = tuple(m.row for m in members)
    automatic = max(r.verdict for r in records)  # as the ledger's counts: the shared verdict
    lead = next(m for m in members if m.row.verdict == automatic)
    trial = next((m for m in members if m.row.kind == "registry entry"), None)
    dates = sorted(r.date for r in records if r.date)
    roles = {r.role for r in records}
    registrations = {r.id for r in records if r.id.startswith("NCT")}
    for m in members:
        registrations.update(m.registrations)
    return StudyRow(
        key=key,
        slug=study_slug(key),
        title=next((r.title for r in records if r.source == Source.CTGOV), records[0].title),
        verdict=human.verdict if human else automatic,
        automatic=automatic,
        human=human,
        role=next((r for r in _ROLES if r in roles), lead.row.role),
        reason=lead.row.reason,
        evidence=lead.row.evidence,
        strength=lead.strength,
        participants=max((m.participants for m in members if m.participants), default=None),
        design=_design(trial, records),
        status=_status(trial, records),
        date=dates[0] if dates else None,
        records=records,
        events=(sum(m.events[0] for m in members), max(m.events[1] for m in members)),
        registrations=tuple(sorted(registrations)),
        flags=flags,
        needs_check=needs_check,
        estimates=tuple(
            msgspec.structs.replace(e, study=key) for m in members for e in m.estimates
        ),
    )


def _design(trial: RecordInfo | None, records: tuple[RecordRow, ...]) -> str:
    if trial is not None and trial.design is not None:
        return trial.design
    kinds = [r.where.split("; ")[-1] for r in records if r.where and "; " in r.where]
    return kinds[0] if kinds else "–"


def _status(trial: RecordInfo | None, records: tuple[RecordRow, ...]) -> str:
    if trial is not None:
        return trial.row.status or "–"
    if any(r.retracted for r in records):
        return "retracted"
    return "published" if records else "–"
