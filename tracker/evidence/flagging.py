"""The flag pass: after records are judged, read every relevant trial's versions and every
relevant paper against its trial, and store the consistency flags (tracker.evidence.rules
.flags*). A flag first seen is written as a change event (field 'flag') so the digest and
the email report it; a flag whose rule no longer finds it is dropped."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.config import Config
from tracker.evidence.load import load_records
from tracker.evidence.registrations import registration_joins
from tracker.evidence.rules.flags import Flag, Version
from tracker.evidence.rules.flags_publication import OutcomeGroups
from tracker.evidence.rules.flags_study import paper_flags, trial_flags
from tracker.evidence.rules.registration_joins import Ambiguous, Joins
from tracker.evidence.rules.vocab import compile_vocab
from tracker.ids import Source
from tracker.records.article import ArticleData
from tracker.records.trial import TrialData
from tracker.store.models import Assessment, ChangeEvent, Trial, TrialVersion
from tracker.store.models import Flag as FlagRow

_TRIAL = msgspec.json.Decoder(TrialData)
_CHUNK = 500


def flag_pass(
    session: Session, config: Config, today: date, now: datetime, joins: Joins | None = None
) -> int:
    """Flag every relevant record; returns how many flags are new. `joins` are the
    registration joins if the caller has just computed them (the registrations have not
    changed since): reading every registration again costs a tenth of a second a pass."""
    relevant = {
        rid: (source, study)
        for rid, source, study in session.execute(
            select(col(Assessment.record_id), col(Assessment.source), col(Assessment.study)).where(
                col(Assessment.relevant)
            )
        )
    }
    trials = sorted(r for r, (s, _) in relevant.items() if s == Source.CTGOV)
    versions = load_versions(session, trials)
    found: dict[str, list[Flag]] = {
        nct: trial_flags(versions[nct], today, config.flags) for nct in trials if nct in versions
    }
    by_study: dict[str, list[str]] = {}
    for nct in trials:
        by_study.setdefault(relevant[nct][1], []).append(nct)
    papers = {
        r: Source(s)
        for r, (s, study) in relevant.items()
        if s != Source.CTGOV and study in by_study
    }
    vocab = compile_vocab(config.claim)
    groups = OutcomeGroups(vocab)
    for record in load_records(session, papers):
        assert isinstance(record.data, ArticleData)
        study_trials = [versions[t] for t in by_study[relevant[record.id][1]] if t in versions]
        found[record.id] = paper_flags(record.data, study_trials, vocab, config.flags, groups)
    for amb in (joins if joins is not None else registration_joins(session)).ambiguous:
        for rid in amb.records:
            if rid in relevant:
                found.setdefault(rid, []).append(_ambiguous_flag(amb))
    return _save(session, found, relevant, now)


def load_versions(session: Session, ids: Sequence[str]) -> dict[str, list[Version]]:
    """Every stored version of the given trials, in version order."""
    out: dict[str, list[Version]] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        query = (
            select(
                col(TrialVersion.nct_id),
                col(TrialVersion.version),
                func.coalesce(col(TrialVersion.data), col(Trial.data)),
                col(TrialVersion.last_update_posted),
                col(TrialVersion.seen_at),
            )
            .join(Trial, col(Trial.nct_id) == col(TrialVersion.nct_id))
            .where(col(TrialVersion.nct_id).in_(chunk), col(Trial.parse_error).is_(None))
            .order_by(col(TrialVersion.nct_id), col(TrialVersion.version))
        )
        for nct, number, data, posted, seen in session.execute(query):
            if data is None:
                continue
            try:
                trial = _TRIAL.decode(data)
            except msgspec.DecodeError:
                continue  # a version stored before a field's type changed: skipped, not fatal
            when = posted or (seen.date().isoformat() if seen else None)
            out.setdefault(nct, []).append(Version(number, when, trial))
    return out


def _ambiguous_flag(amb: Ambiguous) -> Flag:
    trials = "; ".join(" = ".join(g) for g in amb.trials)
    return Flag(
        "registration.ambiguous",
        "info",
        f"{amb.reg_id} is declared by records of different trials ({trials}); tracker does "
        "not join them on it.",
        [f"{amb.reg_id} declared by {', '.join(amb.records)}"],
        amb.reg_id,
    )


def _save(
    session: Session,
    found: dict[str, list[Flag]],
    relevant: dict[str, tuple[str, str]],
    now: datetime,
) -> int:
    stored = {(f.record_id, f.key): f for f in session.scalars(select(FlagRow))}
    new = 0
    for rid, flags in found.items():
        source, study = relevant[rid]
        for flag in flags:
            row = stored.pop((rid, flag.key), None)
            values: dict[str, Any] = {
                "study": study,
                "rule": flag.rule,
                "severity": flag.severity,
                "summary": flag.summary,
                "evidence": json.dumps(flag.evidence, ensure_ascii=False),
            }
            if row is not None:
                # written only when it changed: most passes find every flag as it was
                if any(getattr(row, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(row, k, v)
                    row.updated_at = now
                continue
            session.add(
                FlagRow(record_id=rid, key=flag.key, first_seen_at=now, updated_at=now, **values)
            )
            session.add(_event(rid, source, flag, now))
            new += 1
    _drop(session, stored.values())
    session.flush()
    return new


def _event(rid: str, source: str, flag: Flag, now: datetime) -> ChangeEvent:
    return ChangeEvent(
        record_id=rid,
        source=source,
        field="flag",
        old=None,
        new=f"{flag.severity}: {flag.summary}",
        at=now,
    )


def _drop(session: Session, rows: Iterable[FlagRow]) -> None:
    for row in rows:
        session.delete(row)
