"""Read the relevant studies from the database for the website, with narrow selects.

Only relevant records are read (a few per cent of a large database): their assessments,
their trial or article columns, one decoded trial per registry entry (for the design),
the active human verdicts, and one aggregate over the change events (how many, newest
id) that tells a rebuild which study pages changed.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.evidence.overrides import stored_study_overrides
from tracker.evidence.summary import studies_needing_check
from tracker.ids import record_url
from tracker.records.trial import TrialData, decode_trial
from tracker.reports.plain import status_words
from tracker.site.model import FlagLine, HumanVerdict, RecordRow, StudyRow, study_slug
from tracker.store.flags import stored_flags
from tracker.store.models import Article, Assessment, ChangeEvent, Trial
from tracker.store.registrations import registrations_by_record

_RELEVANT = col(Assessment.relevant).is_(True)


def collect_studies(session: Session) -> tuple[list[StudyRow], list[tuple[str, TrialData]]]:
    """Every relevant study, ordered by key, with its records; and the parsed trials that
    posted results (study key, trial), for the effect estimates."""
    rows = session.execute(
        select(
            col(Assessment.record_id),
            col(Assessment.study),
            col(Assessment.source),
            col(Assessment.role),
            col(Assessment.verdict),
            col(Assessment.reason),
            col(Assessment.evidence),
            col(Assessment.strength),
            col(Assessment.participants),
        )
        .where(_RELEVANT)
        .order_by(col(Assessment.study), col(Assessment.record_id))
    ).all()
    trials = _trials(session)
    articles = _articles(session)
    events = _event_counts(session)
    humans = _humans(session, {r[0]: r[1] for r in rows})
    by_study: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_study[row[1]].append(row)
    studies = [
        _study(key, members, trials, articles, events, humans.get(key))
        for key, members in by_study.items()
    ]
    studies = _with_consistency(session, studies)
    with_results = [
        (m[1], t["parsed"])
        for m in rows
        if (t := trials.get(m[0])) and t["parsed"] is not None and t["parsed"].result_outcomes
    ]
    return studies, with_results


def _with_consistency(session: Session, studies: list[StudyRow]) -> list[StudyRow]:
    """Each study's registrations and consistency flags (tracker.evidence.flagging)."""
    declared = registrations_by_record(session)
    flags: dict[str, list[FlagLine]] = defaultdict(list)
    for f in stored_flags(session):
        flags[f.study].append(FlagLine(f.severity, f.rule, f.summary, tuple(f.evidence)))
    checks = studies_needing_check(session)
    out = []
    for s in studies:
        regs = {r.id for r in s.records if r.id.startswith("NCT")}
        for r in s.records:
            regs.update(reg for reg, _ in declared.get(r.id, []))
        out.append(
            dataclasses.replace(
                s,
                registrations=tuple(sorted(regs)),
                flags=tuple(flags.get(s.key, [])),
                needs_check=s.key in checks,
            )
        )
    return out


def _study(
    key: str,
    members: list[Any],
    trials: dict[str, Any],
    articles: dict[str, Any],
    events: dict[str, tuple[int, int]],
    human: HumanVerdict | None,
) -> StudyRow:
    records = tuple(_record(m, trials, articles) for m in members)
    automatic = max(m[4] for m in members)  # as the ledger's counts: the shared verdict
    lead = next(m for m in members if m[4] == automatic)
    trial = next((trials[m[0]] for m in members if m[0] in trials), None)
    dates = sorted(r.date for r in records if r.date)
    roles = {m[3] for m in members}
    counted = [events.get(m[0], (0, 0)) for m in members]
    return StudyRow(
        key=key,
        slug=study_slug(key),
        title=next((r.title for r in records if r.source == "ctgov"), records[0].title),
        verdict=human.verdict if human else automatic,
        automatic=automatic,
        human=human,
        role=next((r for r in ("index", "follow_up", "review", "prior") if r in roles), lead[3]),
        reason=lead[5],
        evidence=tuple(json.loads(lead[6] or "[]")),
        strength=lead[7],
        participants=max((m[8] for m in members if m[8]), default=None),
        design=_design(trial, records),
        status=_status(trial, records),
        date=dates[0] if dates else None,
        records=records,
        events=(sum(c for c, _ in counted), max((i for _, i in counted), default=0)),
    )


def _record(m: Any, trials: dict[str, Any], articles: dict[str, Any]) -> RecordRow:
    rid, _study, source, role, verdict, reason, evidence = m[:7]
    common = {
        "id": rid,
        "source": source,
        "url": record_url(rid),
        "role": role,
        "verdict": verdict,
        "reason": reason,
        "evidence": tuple(json.loads(evidence or "[]")),
    }
    if rid in trials:
        t = trials[rid]
        return RecordRow(
            kind="registry entry",
            title=t["title"] or rid,
            date=t["registered"],
            status=status_words(t["status"]),
            where=None,
            retracted=False,
            version=t["version"],
            **common,
        )
    a = articles.get(rid, {})
    types = (a.get("types") or "").split("|")
    return RecordRow(
        kind="preprint" if rid.startswith("PPR:") else ("paper" if a else "record"),
        title=a.get("title") or rid,
        date=a.get("date"),
        status="retracted" if a.get("retracted") else ("published" if a else None),
        where="; ".join(t for t in (a.get("journal"), ", ".join(types[:2])) if t) or None,
        retracted=bool(a.get("retracted")),
        version=a.get("version", 0),
        **common,
    )


def _trials(session: Session) -> dict[str, Any]:
    stmt = (
        select(
            col(Trial.nct_id),
            col(Trial.brief_title),
            col(Trial.overall_status),
            col(Trial.start_date),
            col(Trial.version),
            col(Trial.data),
            col(Trial.parse_error),
        )
        .join(Assessment, col(Assessment.record_id) == col(Trial.nct_id))
        .where(_RELEVANT)
    )
    out: dict[str, Any] = {}
    for nct, title, status, start, version, data, error in session.execute(stmt):
        parsed = _decode(data) if not error else None
        out[nct] = {
            "title": title,
            "status": status,
            "version": version,
            "registered": (parsed.first_submitted if parsed else None) or start,
            "parsed": parsed,
        }
    return out


def _decode(data: str) -> TrialData | None:
    try:
        return decode_trial(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def _articles(session: Session) -> dict[str, Any]:
    stmt = (
        select(
            col(Article.id),
            col(Article.title),
            col(Article.journal),
            col(Article.pub_date),
            col(Article.entrez_date),
            col(Article.retracted),
            col(Article.publication_types),
            col(Article.version),
        )
        .join(Assessment, col(Assessment.record_id) == col(Article.id))
        .where(_RELEVANT)
    )
    return {
        rid: {
            "title": title,
            "journal": journal,
            "date": pub or entrez,
            "retracted": retracted,
            "types": types,
            "version": version,
        }
        for rid, title, journal, pub, entrez, retracted, types, version in session.execute(stmt)
    }


def _event_counts(session: Session) -> dict[str, tuple[int, int]]:
    stmt = (
        select(col(ChangeEvent.record_id), func.count(), func.max(col(ChangeEvent.id)))
        .join(Assessment, col(Assessment.record_id) == col(ChangeEvent.record_id))
        .where(_RELEVANT)
        .group_by(col(ChangeEvent.record_id))
    )
    return {rid: (count, newest or 0) for rid, count, newest in session.execute(stmt)}


def _humans(session: Session, study_of: dict[str, str]) -> dict[str, HumanVerdict]:
    """Study -> its human verdict (tracker.evidence.overrides: the newest active one on any
    of its records), for the relevant studies."""
    studies = set(study_of.values())
    return {
        study: HumanVerdict(o.verdict, o.note, o.by, o.at)
        for study, o in stored_study_overrides(session).items()
        if study in studies
    }


def _design(trial: dict[str, Any] | None, records: tuple[RecordRow, ...]) -> str:
    parsed: TrialData | None = trial["parsed"] if trial else None
    if parsed is None:
        kinds = [r.where.split("; ")[-1] for r in records if r.where and "; " in r.where]
        return kinds[0] if kinds else "–"
    bits = [
        (parsed.study_type or "").replace("_", " ").lower(),
        (parsed.allocation or "").replace("_", " ").lower(),
        (parsed.masking or "").replace("_", " ").lower() + (" masking" if parsed.masking else ""),
        ", ".join(p.replace("PHASE", "phase ").replace("_", " ").lower() for p in parsed.phases),
    ]
    return ", ".join(b for b in bits if b and b != "na") or "–"


def _status(trial: dict[str, Any] | None, records: tuple[RecordRow, ...]) -> str:
    if trial is not None:
        return status_words(trial["status"])
    if any(r.retracted for r in records):
        return "retracted"
    return "published" if records else "–"
