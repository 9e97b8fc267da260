"""Judge the stored records that can have changed and persist the judgements: Assessment
rows, change events, inferred links.

Only what can have changed is judged (tracker.evidence.plan): new and changed records,
the studies they touch, records due for a recheck, and everything after a change of rules
or claim. A pass over an unchanged store judges nothing and writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tracker.config import Config
from tracker.evidence import plan as planning
from tracker.evidence.flagging import flag_pass
from tracker.evidence.load import load_records, stored_links, stored_versions
from tracker.evidence.overrides import active_overrides, study_overrides
from tracker.evidence.plan import Known, known_judgements, stale
from tracker.evidence.registrations import save_registration_links
from tracker.evidence.rules.assess import Judgement, Record, judge_records
from tracker.evidence.rules.registry import recheck_on
from tracker.evidence.rules.signals import Signals
from tracker.evidence.rules.vocab import compile_vocab
from tracker.evidence.write import row_values, save_inferred, write_events, write_rows
from tracker.ids import Source
from tracker.records.article import ArticleData
from tracker.records.trial import TrialData
from tracker.runtime.workers import WorkerPool
from tracker.store.db import session_scope
from tracker.store.models import Override
from tracker.store.signals import unreadable


@dataclass(frozen=True, slots=True)
class VerdictChange:
    record_id: str
    field: str
    """'verdict' or 'role'."""
    old: str | None
    new: str | None


log = logging.getLogger("tracker.evidence")

WORKERS_FROM = 2000
"""Records to read before worker processes are worth starting."""

JudgedFn = Callable[[int, int], None]
"""Told (work done, work to do) as the pass goes: each record counts once when read and
once when judged. Told (0, 0) when there is nothing to judge."""


@dataclass(slots=True)
class Tally:
    """What a pass did: records judged, rows written (assessments, events, links), and
    records it read itself because the sync stored no signals for them."""

    judged: int = 0
    written: int = 0
    read: int = 0


def reassess(
    session: Session,
    config: Config,
    today: date,
    *,
    now: datetime | None = None,
    progress: JudgedFn | None = None,
    tally: Tally | None = None,
) -> list[VerdictChange]:
    """Judge what can have changed, store it, and return the changes of verdict and role."""
    now = now or datetime.now(UTC)
    tally = tally if tally is not None else Tally()
    rules_hash = compile_vocab(config.claim).rules_hash
    known = known_judgements(session)
    # A record the rules could not read is left out until it or the rules change.
    failed = unreadable(session.connection(), rules_hash)
    versions = {
        rid: v for rid, v in stored_versions(session).items() if failed.get(rid, (0,))[0] != v[1]
    }
    # Registration numbers shared across records join them into one study (kept as links,
    # so a new one makes its records stale like any other new link).
    joins = save_registration_links(session, now)
    dirty = stale(session, versions, known, rules_hash, today)
    if not dirty:
        if progress:
            progress(0, 0)
        # Registered against reported: flags weaken verdicts at report time, never change them.
        flag_pass(session, config, today, now, joins)
        return []
    links = stored_links(session)
    # The progress counts each record twice, read and judged; until the studies are known,
    # the records to judge are taken to be those to read.
    read = len(dirty)

    def on_read(n: int) -> None:
        if progress:
            progress(n, 2 * read)

    on_read(0)
    # Workers only for a large pass: starting them costs about a second.
    with WorkerPool(None if read >= WORKERS_FROM else 0) as pool:
        plan = planning.plan(session, config.claim, versions, known, dirty, links, pool, on_read)
    members = plan.members
    overrides = active_overrides(session)
    changes: list[VerdictChange] = []
    if progress:
        progress(read, read + plan.size)
    tally.written += plan.written
    tally.read += plan.read
    log.info("judging: %d of %d records read here: the sync stored no signals", plan.read, read)
    for batch in plan.batches:
        reuse = {rid: plan.signals.pop(rid) for rid in batch if rid in plan.signals}
        records = _records(session, batch, reuse, plan.relevant)
        judged, _inferred = judge_records(records, links, config.claim, today, known=reuse)
        due = _recheck_dates(records, judged, today)
        rows = {
            j.id: row_values(
                j,
                version=versions[j.id][1],
                rules_hash=rules_hash,
                members=members[j.study],
                recheck_on=due.get(j.study),
            )
            for j in judged
        }
        batch_changes = _changes(known, judged, overrides)
        tally.written += write_rows(session, rows, now)
        write_events(session, _events(batch_changes, judged, now))
        tally.written += len(batch_changes)
        tally.judged += len(batch)
        changes += batch_changes
        if progress:
            progress(read + tally.judged, read + plan.size)
    tally.written += save_inferred(
        session, {(m.article_id, m.trial_id) for m in plan.inferred}, now
    )
    tally.written += planning.mark_links_read(session)
    flag_pass(session, config, today, now, joins)
    session.flush()
    return changes


def _records(
    session: Session, batch: dict[str, Source], reuse: dict[str, Signals], relevant: set[str]
) -> list[Record]:
    """The batch's records for the rules. An excluded record whose signals are known is
    judged from them alone (the rules read nothing else of it), so it is not loaded: a
    stand-in carries its id and source."""
    wanted = {rid: src for rid, src in batch.items() if rid not in reuse or rid in relevant}
    records = load_records(session, wanted)
    records += [_stand_in(rid, src) for rid, src in batch.items() if rid not in wanted]
    # In the order load_records gives (the rules' results must not depend on batching).
    return sorted(records, key=lambda r: (r.source != Source.CTGOV, r.id))


def _stand_in(rid: str, source: Source) -> Record:
    if source == Source.CTGOV:
        return Record(source, TrialData(nct_id=rid))
    return Record(source, ArticleData(id=rid))


def _recheck_dates(records: list[Record], judged: list[Judgement], today: date) -> dict[str, date]:
    """Study -> the first day on which a time-dependent rule can change one of its
    records' readings, and so the study's verdict."""
    trials = {r.id: r.data for r in records if isinstance(r.data, TrialData)}
    out: dict[str, date] = {}
    for j in judged:
        t = trials.get(j.id)
        when = recheck_on(t, j.own.rule, today) if t is not None else None
        if when is not None and (j.study not in out or when < out[j.study]):
            out[j.study] = when
    return out


def _changes(
    known: dict[str, Known], judged: list[Judgement], overrides: dict[str, Override]
) -> list[VerdictChange]:
    """Effective verdict and role changes of records that are, or were, relevant."""
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


def _events(
    changes: list[VerdictChange], judged: list[Judgement], now: datetime
) -> list[dict[str, Any]]:
    sources = {j.id: j.source for j in judged}
    return [
        {
            "record_id": c.record_id,
            "source": sources[c.record_id],
            "field": c.field,
            "old": c.old,
            "new": c.new,
            "at": now,
        }
        for c in changes
    ]


def _effective(verdict: str | None, override: object | None) -> str | None:
    return getattr(override, "verdict", None) or verdict


def reassess_database(
    engine: Engine,
    config: Config,
    *,
    now: datetime | None = None,
    progress: JudgedFn | None = None,
    tally: Tally | None = None,
) -> int:
    """`reassess` in a transaction of its own, judged as of today (UTC), for the commands
    and jobs that sync; returns how many verdicts and roles changed."""
    now = now or datetime.now(UTC)
    with session_scope(engine) as session:
        return len(reassess(session, config, now.date(), now=now, progress=progress, tally=tally))
