"""Judge a set of records: signals, relevance, studies, roles, verdicts. Pure.

`judge_records` is what `reassess` runs over stored records, and what the table tests and
the accuracy benchmark run over parsed ones; `today` is always passed in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from tracker.config import ClaimConfig
from tracker.evidence.rules.combine import RETRACTED, study_verdicts
from tracker.evidence.rules.judgement import Judgement, Reading, Record
from tracker.evidence.rules.papers import paper_verdict, review_verdict, unreadable
from tracker.evidence.rules.reading import abstract_problem
from tracker.evidence.rules.registry import registry_verdict
from tracker.evidence.rules.relevance import Relevance, judge_relevance
from tracker.evidence.rules.results import results_verdict
from tracker.evidence.rules.role import Role, is_index, judge_role
from tracker.evidence.rules.signals import Design, Signals
from tracker.evidence.rules.signals_ctgov import trial_signals
from tracker.evidence.rules.signals_pubmed import article_signals, registry_first
from tracker.evidence.rules.studies import Inferred, group_studies
from tracker.evidence.rules.verdict import Verdict
from tracker.evidence.rules.vocab import Vocab, compile_vocab
from tracker.records.article import ArticleData
from tracker.records.trial import TrialData

# The name from before the layout move: users filter their logs by it.
log = logging.getLogger("tracker.evidence.assess")

__all__ = ["Judgement", "Record", "judge_records", "own_verdict", "read_records"]


def judge_records(
    records: Sequence[Record],
    links: Iterable[tuple[str, str]],
    claim: ClaimConfig,
    today: date,
    *,
    known: Mapping[str, Signals] | None = None,
) -> tuple[list[Judgement], list[Inferred]]:
    """`known`: signals already read from some of `records` (by `read_records`), so that a
    caller that read them first need not read them twice."""
    vocab = compile_vocab(claim)
    signals = _readable(records, vocab, known or {})
    records = [r for r in records if r.id in signals]
    index_ids = {r.id for r in records if is_index(r.id, _doi(r), claim.index)}
    relevance = {r.id: _relevance(r, signals[r.id], vocab, claim) for r in records}
    relevant = {rid: s for rid, s in signals.items() if relevance[rid].relevant}
    grouping = group_studies(
        signals, links, relevant=set(relevant), index_ids=index_ids, common=vocab.common_words
    )
    study_of = {rid: grouping.study_of.get(rid, rid) for rid in signals}
    index_studies = {study_of[i] for i in index_ids}
    primary: dict[str, set[str]] = {}
    registered: dict[str, tuple[str, Design]] = {}
    for rid, s in relevant.items():
        if s.kind == "trial":
            primary.setdefault(study_of[rid], set()).update(s.primary_claim)
            if s.design.basis == "registry":
                registered.setdefault(study_of[rid], (rid, s.design))
    for rid, s in relevant.items():
        if s.kind == "article" and (trial := registered.get(study_of[rid])):
            signals[rid] = replace(s, design=registry_first(s.design, trial[1], trial[0]))
    judged = []
    for r in records:
        s, rel = signals[r.id], relevance[r.id]
        role = judge_role(
            s, relevant=rel.relevant, index_study=study_of[r.id] in index_studies, index=claim.index
        )
        own = _guarded(r, s, rel, role, vocab, today, primary.get(study_of[r.id], set()))
        judged.append(Reading(r, s, rel, role, own))
    return study_verdicts(judged, study_of, grouping.inferred), grouping.inferred


def read_records(
    records: Sequence[Record],
    claim: ClaimConfig,
    *,
    failures: dict[str, str] | None = None,
) -> dict[str, tuple[Signals, bool]]:
    """Signals and relevance of each readable record, by the same rules as `judge_records`
    (which can take the signals back as `known`). `failures`, if given, is told why each
    unreadable record could not be read."""
    vocab = compile_vocab(claim)
    signals = _readable(records, vocab, {}, failures)
    return {
        r.id: (signals[r.id], _relevance(r, signals[r.id], vocab, claim).relevant)
        for r in records
        if r.id in signals
    }


def _relevance(r: Record, s: Signals, vocab: Vocab, claim: ClaimConfig) -> Relevance:
    if is_index(r.id, _doi(r), claim.index):
        return _index_relevance(s)
    return judge_relevance(s, vocab.umbrella_kinds, vocab.measuring_kinds)


def _guarded(
    r: Record,
    s: Signals,
    rel: Relevance,
    role: Role,
    vocab: Vocab,
    today: date,
    primary: set[str],
) -> Verdict:
    try:
        verdict = own_verdict(r, s, rel, role, vocab, today, primary)
    except Exception as exc:  # one record's oddity must not stop the others being judged
        log.exception("%s: a verdict rule failed", r.id)
        reason = "The verdict rules failed on this record (logged); it needs a human reader."
        return Verdict("inconclusive", "rules.failed", reason, [f"error: {type(exc).__name__}"])
    if s.concern and rel.relevant:
        # Still counted, but never silently: the reason and the evidence say so.
        return replace(
            verdict,
            reason=f"{verdict.reason} An expression of concern was published about it.",
            evidence=[*verdict.evidence, s.concern],
        )
    return verdict


def own_verdict(
    r: Record,
    s: Signals,
    rel: Relevance,
    role: Role,
    vocab: Vocab,
    today: date,
    primary: set[str],
) -> Verdict:
    """One record's verdict before its study is considered."""
    if not rel.relevant:
        return Verdict("not_applicable", f"relevance.{rel.exclusion}", rel.reason, rel.evidence)
    if s.retracted:
        return Verdict(
            "not_applicable",
            RETRACTED,
            "Retracted: it no longer counts as evidence, and its study is judged without it.",
            [s.retracted],
        )
    if role.role == "index":
        return Verdict(
            "not_applicable",
            "index.itself",
            "The index result itself cannot confirm or refute itself.",
            [f"index: {r.id}"],
        )
    if role.role == "background":
        return Verdict(
            "not_applicable",
            "role.background",
            f"Relevant background, not a test of the claim: {role.reason}.",
            [f"outcomes: {', '.join(s.other_outcomes) or 'none on the claim'}"],
        )
    if isinstance(r.data, ArticleData) and r.data.abstract and (why := abstract_problem(r.data)):
        return unreadable(why, r.data, s)
    if not s.claim_outcomes and not s.protocol and not s.review:
        others = ", ".join(s.other_outcomes) or "no clinical outcome"
        return Verdict(
            "not_applicable",
            "outcomes.outside_claim",
            f"Does not test the claim: its outcomes all lie outside it ({others}).",
            [f"outcomes: {others}"],
        )
    if isinstance(r.data, TrialData):
        decided = registry_verdict(r.data, s, today) or results_verdict(r.data, s, vocab)
        if decided is None:
            return Verdict(
                "inconclusive",
                "results.unreadable",
                "Results are posted but hold no outcome the rules can read.",
                [f"status: {r.data.overall_status}"],
            )
        return decided
    if s.review:
        return review_verdict(r.data, s, vocab)
    return paper_verdict(r.data, s, vocab, primary=primary)


def _readable(
    records: Sequence[Record],
    vocab: Vocab,
    known: Mapping[str, Signals],
    failures: dict[str, str] | None = None,
) -> dict[str, Signals]:
    """Signals of every record the rules can read. A record that trips a rule is logged and
    left unjudged rather than stopping the sync that stored it (the reason is kept, so that
    it is tried again only once the record or the rules change)."""
    out: dict[str, Signals] = {}
    for r in records:
        if (s := known.get(r.id)) is not None:
            out[r.id] = s
            continue
        try:
            out[r.id] = _signals(r, vocab)
        except Exception as exc:  # a bug in one rule must not cost every other record its verdict
            log.exception("%s: evidence rules could not read this record; left unjudged", r.id)
            if failures is not None:
                failures[r.id] = f"{type(exc).__name__}: {exc}"
    return out


def _signals(r: Record, vocab: Vocab) -> Signals:
    if isinstance(r.data, TrialData):
        return trial_signals(r.data, vocab)
    return article_signals(r.data, vocab, source=r.source)


def _doi(r: Record) -> str | None:
    return r.data.doi if isinstance(r.data, ArticleData) else None


def _index_relevance(s: Signals) -> Relevance:
    return Relevance(
        True, None, "The configured index result.", [f"index: {s.id}", *s.population[:1]]
    )
