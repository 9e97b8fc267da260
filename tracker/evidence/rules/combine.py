"""One verdict per study: the record with the weightiest reading decides, all carry it.

Results (posted or published) outweigh a registry status, which outweighs a paper with
nothing to read; then strength, then a definite verdict over an inconclusive one.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.evidence.rules.judgement import Judgement, Reading
from tracker.evidence.rules.studies import Inferred
from tracker.evidence.rules.verdict import Verdict

RETRACTED = "paper.retracted"
"""The rule id of a retracted paper's verdict."""
_WEAK_READINGS = frozenset({"paper.no_abstract", "paper.protocol", "paper.no_claim_result"})
_STRENGTH = {"strong": 3, "moderate": 2, "weak": 1}


def weight(v: Verdict) -> tuple[int, int, int]:
    """Sort key: which reading of a study decides its verdict."""
    if v.verdict == "not_applicable":
        evidence_class = 0
    elif v.rule in _WEAK_READINGS:
        evidence_class = 1
    elif v.rule.startswith("registry.") and v.verdict != "refutes":
        evidence_class = 2
    else:
        evidence_class = 3
    definite = v.verdict in ("confirms", "refutes")
    return (evidence_class, _STRENGTH.get(v.strength or "", 0), int(definite))


def study_verdicts(
    readings: Sequence[Reading],
    study_of: dict[str, str],
    inferred: list[Inferred],
) -> list[Judgement]:
    """Every record's judgement, carrying the verdict of the weightiest reading of its study."""
    members: dict[str, list[Reading]] = {}
    for item in readings:
        members.setdefault(study_of[item.id], []).append(item)
    joined: dict[str, list[str]] = {}
    for m in inferred:
        joined.setdefault(m.article_id, []).append(m.trial_id)
        joined.setdefault(m.trial_id, []).append(m.article_id)
    out = []
    for study, items in members.items():
        # A retracted paper keeps its row and its own verdict; the study is judged without it.
        relevant = [i for i in items if i.relevance.relevant and i.own.rule != RETRACTED] or items
        decider = max(relevant, key=lambda i: weight(i.own))
        participants = max((i.signals.design.n or 0 for i in relevant), default=0) or None
        for i in items:
            alone = not i.relevance.relevant or i.own.rule == RETRACTED or len(relevant) == 1
            out.append(
                Judgement(
                    id=i.id,
                    source=i.record.source,
                    title=i.signals.title,
                    study=study,
                    relevance=i.relevance,
                    role=i.role,
                    own=i.own,
                    verdict=i.own if alone else _carried(decider, i.id),
                    participants=participants if i.relevance.relevant else i.signals.design.n,
                    signals=i.signals,
                    inferred=joined.get(i.id, []),
                )
            )
    return out


def _carried(decider: Reading, rid: str) -> Verdict:
    v = decider.own
    if decider.id == rid:
        return v
    return Verdict(
        v.verdict,
        v.rule,
        f"{v.reason} (study verdict, from {decider.id})",
        [f"{decider.id}: {e}" for e in v.evidence],
        v.strength,
    )
