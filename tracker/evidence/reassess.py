"""Assess the stored records and persist the judgements: Assessment rows, change events,
inferred links.

Incremental: a record that was not relevant, has not changed version and was judged under
the same rules is not read again. Relevant records are always re-read, because their
verdicts depend on `today` and on the rest of their study.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.config import Config
from tracker.evidence.flagging import flag_pass
from tracker.evidence.load import assessments, load_records, stored_links, stored_versions
from tracker.evidence.overrides import active_overrides, study_overrides
from tracker.evidence.registrations import save_registration_links
from tracker.evidence.rules.assess import Judgement, Screened, judge_records, screen_records
from tracker.evidence.rules.studies import Inferred, components
from tracker.evidence.rules.vocab import compile_vocab
from tracker.ids import Source
from tracker.store.db import session_scope
from tracker.store.models import Assessment, ChangeEvent, Link


@dataclass(frozen=True, slots=True)
class VerdictChange:
    record_id: str
    field: str
    """'verdict' or 'role'."""
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class _Known:
    version: int
    rules_hash: str
    relevant: bool
    study: str
    verdict: str
    role: str


BATCH = 2000
"""Records judged at once in a large run (a first run over 100,000 papers). Judging them all
together held every parsed record and every judgement in memory at once (1.7 GB at 100,000
papers); batches that never split a study give the same judgements in bounded memory."""


JudgedFn = Callable[[int, int], None]
"""Told (records judged so far, records to judge) before the first batch and after each."""


def reassess(
    session: Session,
    config: Config,
    today: date,
    *,
    now: datetime | None = None,
    progress: JudgedFn | None = None,
) -> list[VerdictChange]:
    """Judge what needs judging, store it, and return the changes of verdict and role."""
    now = now or datetime.now(UTC)
    rules_hash = compile_vocab(config.claim).rules_hash
    known = _known(session)
    versions = stored_versions(session)
    wanted = {
        rid: source
        for rid, (source, version) in versions.items()
        if (k := known.get(rid)) is None
        or k.relevant
        or k.version != version
        or k.rules_hash != rules_hash
    }
    # Registration numbers shared across records join them into one study (kept as links).
    save_registration_links(session, now)
    links = stored_links(session)
    changes: list[VerdictChange] = []
    inferred: list[Inferred] = []
    done = 0
    if progress:
        progress(done, len(wanted))
    for batch in _batches(session, wanted, links, config):
        judged, batch_inferred = judge_records(
            load_records(session, batch), links, config.claim, today
        )
        inferred += batch_inferred
        changes += _store(session, known, judged, versions, rules_hash, now)
        done += len(batch)
        if progress:
            progress(done, len(wanted))
    _save_inferred(session, inferred, now)
    # Registered against reported: flags weaken verdicts at report time, never change them.
    flag_pass(session, config, today, now)
    session.flush()
    return changes


def _batches(
    session: Session, wanted: dict[str, Source], links: list[tuple[str, str]], config: Config
) -> Iterator[dict[str, Source]]:
    """`wanted` in batches of whole studies: first every record connected (by a link or a
    reference) to a relevant one, since inference and duplicates join relevant records
    across the whole set; then the rest, a group of connected records never split."""
    if len(wanted) <= BATCH:
        yield wanted
        return
    ids = sorted(wanted)
    screened: dict[str, Screened] = {}
    for i in range(0, len(ids), BATCH):
        chunk = {rid: wanted[rid] for rid in ids[i : i + BATCH]}
        screened.update(screen_records(load_records(session, chunk), config.claim))
    edges = [(a, t) for a, t in links if a in screened and t in screened]
    edges += [(rid, t) for rid, s in screened.items() for t in s.refers_to if t in screened]
    groups = components(list(screened), edges)
    core: list[list[str]] = []
    rest: list[list[str]] = []
    for g in groups:
        (core if any(screened[rid].relevant for rid in g) else rest).append(g)
    yield {rid: wanted[rid] for g in core for rid in g}
    batch: dict[str, Source] = {}
    for g in rest:
        batch.update((rid, wanted[rid]) for rid in g)
        if len(batch) >= BATCH:
            yield batch
            batch = {}
    if batch:
        yield batch


def _store(
    session: Session,
    known: dict[str, _Known],
    judged: list[Judgement],
    versions: dict[str, tuple[Source, int]],
    rules_hash: str,
    now: datetime,
) -> list[VerdictChange]:
    """Write one batch's judgements and change events, then let go of its ORM objects."""
    changes = _changes(session, known, judged)
    rows = assessments(session, [j.id for j in judged])
    for j in judged:
        k = known.get(j.id)
        verdict_changed = k is None or k.verdict != j.verdict.verdict
        _upsert(session, rows.get(j.id), j, versions[j.id][1], rules_hash, now, verdict_changed)
    sources = {j.id: j.source for j in judged}
    events = [
        ChangeEvent(
            record_id=c.record_id,
            source=sources[c.record_id],
            field=c.field,
            old=c.old,
            new=c.new,
            at=now,
        )
        for c in changes
    ]
    session.add_all(events)
    session.flush()
    stored = [o for o in session.identity_map.values() if isinstance(o, Assessment)]
    for obj in [*stored, *events]:
        if obj in session:
            session.expunge(obj)
    return changes


def _changes(
    session: Session, known: dict[str, _Known], judged: list[Judgement]
) -> list[VerdictChange]:
    """Effective verdict and role changes of records that are, or were, relevant."""
    overrides = active_overrides(session)
    old_study = {rid: k.study for rid, k in known.items()}
    before = study_overrides(overrides.values(), old_study)
    after = study_overrides(overrides.values(), {**old_study, **{j.id: j.study for j in judged}})
    changes: list[VerdictChange] = []
    for j in judged:
        k = known.get(j.id)
        if not (j.relevance.relevant or (k and k.relevant)):
            continue
        old_verdict = _effective(k.verdict, before.get(k.study)) if k else None
        new_verdict = _effective(j.verdict.verdict, after.get(j.study))
        if old_verdict != new_verdict:
            changes.append(VerdictChange(j.id, "verdict", old_verdict, new_verdict))
        old_role = k.role if k else None
        if old_role != j.role.role:
            changes.append(VerdictChange(j.id, "role", old_role, j.role.role))
    return changes


def _effective(verdict: str | None, override: object | None) -> str | None:
    return getattr(override, "verdict", None) or verdict


def _known(session: Session) -> dict[str, _Known]:
    stmt = select(
        col(Assessment.record_id),
        col(Assessment.record_version),
        col(Assessment.rules_hash),
        col(Assessment.relevant),
        col(Assessment.study),
        col(Assessment.verdict),
        col(Assessment.role),
    )
    return {row[0]: _Known(*row[1:]) for row in session.execute(stmt)}


def _upsert(
    session: Session,
    row: Assessment | None,
    j: Judgement,
    version: int,
    rules_hash: str,
    now: datetime,
    verdict_changed: bool,
) -> None:
    signals = j.signals.to_json()
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
    values: dict[str, Any] = {
        "source": j.source,
        "study": j.study,
        "relevant": j.relevance.relevant,
        "role": j.role.role,
        "exclusion": j.relevance.exclusion,
        "verdict": j.verdict.verdict,
        "rule": j.verdict.rule,
        "reason": j.verdict.reason,
        "evidence": json.dumps(j.verdict.evidence, ensure_ascii=False),
        "strength": j.verdict.strength,
        "participants": j.participants,
        "signals": json.dumps(signals, ensure_ascii=False, default=str),
        "record_version": version,
        "rules_hash": rules_hash,
        "assessed_at": now,
    }
    if row is None:
        session.add(Assessment(record_id=j.id, changed_at=now, **values))
        return
    for key, value in values.items():
        setattr(row, key, value)
    if verdict_changed:
        row.changed_at = now


def _save_inferred(session: Session, inferred: list[Inferred], now: datetime) -> None:
    """Keep the engine's inferred links (provenance 'inferred') equal to today's matches;
    a match that still holds keeps the date it was first made."""
    wanted = {(m.article_id, m.trial_id) for m in inferred}
    stored = {
        (link.article_id, link.trial_id): link
        for link in session.scalars(select(Link).where(col(Link.provenance) == "inferred"))
    }
    for pair, link in stored.items():
        if pair not in wanted:
            session.delete(link)
    for article_id, trial_id in sorted(wanted - set(stored)):
        session.add(
            Link(
                article_id=article_id,
                trial_id=trial_id,
                provenance="inferred",
                first_seen_at=now,
            )
        )


def reassess_database(
    engine: Engine,
    config: Config,
    *,
    now: datetime | None = None,
    progress: JudgedFn | None = None,
) -> int:
    """`reassess` in a transaction of its own, judged as of today (UTC), for the commands
    and jobs that sync; returns how many verdicts and roles changed."""
    now = now or datetime.now(UTC)
    with session_scope(engine) as session:
        return len(reassess(session, config, now.date(), now=now, progress=progress))
