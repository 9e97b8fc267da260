"""What a pass must judge: only what can have changed since the stored judgements.

A judgement rests on its record's version, the rules hash, its study's members and, for a
few registry rules, the date. So a pass judges the records that are new or changed, that
were judged under other rules, whose `recheck_on` has come or that a new link touches;
then every record whose study gains or loses a member because of them, and the rest of
those studies. The studies are worked out over every stored record, the unchanged ones
from the signals stored with their judgement, so that inferred matches and duplicates
are found exactly as judging everything at once would find them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

import msgspec
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.config import ClaimConfig
from tracker.evidence.load import load_records
from tracker.evidence.readers import read_stored
from tracker.evidence.rules.role import is_index
from tracker.evidence.rules.signals import Signals
from tracker.evidence.rules.signals_ctgov import trial_context
from tracker.evidence.rules.studies import Inferred, components, group_studies
from tracker.evidence.rules.vocab import compile_vocab
from tracker.evidence.signal_rows import decode_signals
from tracker.ids import Source
from tracker.records.trial import TrialData
from tracker.runtime.workers import WorkerPool
from tracker.store.models import Assessment, EvidenceMark, Link
from tracker.store.readings import SignalRow
from tracker.store.signals import save_signals, stored_signals

LINKS = "links"
"""The mark of the links read."""
BATCH = 2000
"""Records judged at once in a large pass. Judging 100,000 papers together held every parsed
record at once (1.7 GB); batches that never split a study judge the same in bounded memory."""


@dataclass(frozen=True, slots=True)
class Known:
    """What a stored judgement rests on, and what a change event compares with."""

    version: int
    rules_hash: str
    relevant: bool
    study: str
    verdict: str
    role: str
    members: str
    recheck_on: date | None


@dataclass(slots=True)
class Plan:
    batches: list[dict[str, Source]]
    """Record id -> source, in batches of whole studies."""
    signals: dict[str, Signals]
    """Signals already read, for the judging to reuse (a batch pops its own)."""
    study_of: dict[str, str]
    inferred: list[Inferred] = field(default_factory=list)
    """Every inferred match over the whole store, not only the judged part."""
    relevant: set[str] = field(default_factory=set)
    """The relevant records among those with signals (the others are judged from their
    signals alone, without loading the record)."""
    written: int = 0
    """Rows written while planning: the records found unreadable."""
    members: dict[str, str] = field(default_factory=dict)
    """Study -> the JSON list of its records (study_members of study_of)."""
    read: int = 0
    """Records read from their stored JSON here: the sync stored no signals for them."""

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.batches)


class _Stored(msgspec.Struct):
    """The parts of a stored judgement's signals that grouping reads from an excluded record."""

    kind: str = "article"
    review: str | None = None
    refers_to: list[str] = []


_SIGNALS = msgspec.json.Decoder(Signals)
_STORED = msgspec.json.Decoder(_Stored)


def known_judgements(session: Session) -> dict[str, Known]:
    stmt = select(
        col(Assessment.record_id),
        col(Assessment.record_version),
        col(Assessment.rules_hash),
        col(Assessment.relevant),
        col(Assessment.study),
        col(Assessment.verdict),
        col(Assessment.role),
        col(Assessment.members),
        col(Assessment.recheck_on),
    )
    return {row[0]: Known(*row[1:]) for row in session.execute(stmt)}


def stale(
    session: Session,
    versions: dict[str, tuple[Source, int]],
    known: dict[str, Known],
    rules_hash: str,
    today: date,
) -> set[str]:
    """Records whose own judgement may be out of date: new, changed, judged under other
    rules, due for a recheck, or an end of a link stored since the last pass (links are
    only ever added; `links_read` says how far the last pass read them)."""
    out = {
        rid
        for rid, (_source, version) in versions.items()
        if (k := known.get(rid)) is None
        or k.version != version
        or k.rules_hash != rules_hash
        or (k.recheck_on is not None and k.recheck_on <= today)
    }
    new_links = select(col(Link.article_id), col(Link.trial_id)).where(
        col(Link.provenance) != "inferred", col(Link.id) > links_read(session)
    )
    for a, t in session.execute(new_links):
        out.update(rid for rid in (a, t) if rid in versions)
    return out


def links_read(session: Session) -> int:
    mark = session.get(EvidenceMark, LINKS)
    return mark.value if mark else 0


def mark_links_read(session: Session) -> int:
    """Remember the newest link a pass has taken into account; returns rows written."""
    newest = session.scalar(
        select(func.max(col(Link.id))).where(col(Link.provenance) != "inferred")
    )
    if newest is None or newest <= links_read(session):
        return 0
    mark = session.get(EvidenceMark, LINKS)
    if mark is None:
        session.add(EvidenceMark(name=LINKS, value=newest))
    else:
        mark.value = newest
    return 1


def plan(
    session: Session,
    claim: ClaimConfig,
    versions: dict[str, tuple[Source, int]],
    known: dict[str, Known],
    dirty: set[str],
    links: list[tuple[str, str]],
    pool: WorkerPool,
    on_read: Callable[[int], None] = lambda _n: None,
) -> Plan:
    """The studies over every stored record, and the batches of those to judge."""
    order = sorted(versions, key=lambda rid: (versions[rid][0] != Source.CTGOV, rid))
    signals, relevant, written, read = _read_dirty(session, claim, versions, dirty, pool, on_read)
    # Kept for the judging: what was read here, and the relevant unchanged records' whole
    # signals (an excluded one's stand-in holds only what links it).
    keep = set(signals)
    signals.update(_read_clean(session, versions, known, dirty))
    clean_relevant = {rid for rid in versions if rid not in dirty and known[rid].relevant}
    relevant |= clean_relevant
    keep |= clean_relevant
    signals = {rid: signals[rid] for rid in order if rid in signals}
    index_ids = {rid for rid in signals if is_index(rid, None, claim.index)}
    vocab = compile_vocab(claim)
    grouping = group_studies(
        signals, links, relevant=relevant, index_ids=index_ids, common=vocab.common_words
    )
    study_of = {rid: grouping.study_of.get(rid, rid) for rid in signals}
    members = study_members(study_of)
    seeds = set(dirty) & set(signals)
    for rid in signals:
        k = known.get(rid)
        if k is None or k.study != study_of[rid] or k.members != members[study_of[rid]]:
            seeds.add(rid)
    edges = [(rid, study_of[rid]) for rid in signals]
    edges += [(rid, k.study) for rid, k in known.items() if rid in signals and k.study in signals]
    edges += [(a, t) for a, t in links if a in signals and t in signals]
    groups = [g for g in components(list(signals), edges) if seeds.intersection(g)]
    return Plan(
        batches=list(_batches(groups, versions)),
        signals={rid: s for rid, s in signals.items() if rid in keep},
        study_of=study_of,
        inferred=grouping.inferred,
        relevant=relevant,
        written=written,
        members=members,
        read=read,
    )


def study_members(study_of: dict[str, str]) -> dict[str, str]:
    """Study -> the JSON list of its records (as stored in assessments.members)."""
    ids: dict[str, list[str]] = {}
    for rid, study in study_of.items():
        ids.setdefault(study, []).append(rid)
    return {study: msgspec.json.encode(sorted(rids)).decode() for study, rids in ids.items()}


def _read_dirty(
    session: Session,
    claim: ClaimConfig,
    versions: dict[str, tuple[Source, int]],
    dirty: set[str],
    pool: WorkerPool,
    on_read: Callable[[int], None],
) -> tuple[dict[str, Signals], set[str], int, int]:
    """Read the records to judge: their signals, kept for the judging (read once, not
    twice), which are relevant, rows written for unreadable records, and how many were read.

    Signals the sync stored for the record's version under these rules are taken as they
    are; the rest are read from the stored records. A record the rules cannot read is
    stored as such, so that it is not tried again until it or the rules change."""
    rules_hash = compile_vocab(claim).rules_hash
    signals: dict[str, Signals] = {}
    relevant: set[str] = set()
    stored = stored_signals(session.connection(), list(dirty), rules_hash)
    for rid, row in stored.items():
        if row.version == versions[rid][1] and row.signals is not None:
            signals[rid] = decode_signals(row.signals)
            if row.relevant:
                relevant.add(rid)
    on_read(len(signals))
    failed: list[SignalRow] = []
    wanted = {rid: versions[rid][0] for rid in dirty if rid not in signals}
    for part, failures in read_stored(session, claim, wanted, pool):
        for rid, (s, is_relevant) in part.items():
            signals[rid] = s
            if is_relevant:
                relevant.add(rid)
        failed += [SignalRow(rid, rules_hash, None, None, why) for rid, why in failures.items()]
        on_read(len(signals) + len(failed))
    written = save_signals(
        session.connection(), failed, {r.record_id: versions[r.record_id][1] for r in failed}
    )
    return signals, relevant, written, len(wanted)


def _read_clean(
    session: Session,
    versions: dict[str, tuple[Source, int]],
    known: dict[str, Known],
    dirty: set[str],
) -> dict[str, Signals]:
    """Signals of the unchanged records, from their stored judgements: whole for a relevant
    one (inference and duplicates compare them), only what links a record for the rest."""
    out: dict[str, Signals] = {}
    stmt = select(col(Assessment.record_id), col(Assessment.signals)).execution_options(
        yield_per=BATCH
    )
    for rid, text in session.execute(stmt):
        if rid in dirty or rid not in versions:
            continue
        if known[rid].relevant:
            out[rid] = _SIGNALS.decode(text)
        else:
            s = _STORED.decode(text)
            out[rid] = _slim(rid, versions[rid][0], s.kind, s.review, s.refers_to)
    # The matching context of a trial is not stored with its signals (it is long): read it
    # back from the stored record by the rule's own function.
    trials = sorted(rid for rid, s in out.items() if s.kind == "trial" and known[rid].relevant)
    for i in range(0, len(trials), BATCH):
        chunk = dict.fromkeys(trials[i : i + BATCH], Source.CTGOV)
        for r in load_records(session, chunk):
            assert isinstance(r.data, TrialData)
            out[r.id] = replace(out[r.id], context=trial_context(r.data))
    return out


def _slim(rid: str, source: str, kind: str, review: str | None, refers_to: list[str]) -> Signals:
    return Signals(rid, source, kind, "", None, review=review, refers_to=list(refers_to))


def _batches(
    groups: list[list[str]], versions: dict[str, tuple[Source, int]]
) -> Iterator[dict[str, Source]]:
    batch: dict[str, Source] = {}
    for g in groups:
        batch.update((rid, versions[rid][0]) for rid in g)
        if len(batch) >= BATCH:
            yield batch
            batch = {}
    if batch:
        yield batch
