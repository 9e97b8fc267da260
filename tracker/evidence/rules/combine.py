"""One verdict per study: the record with the weightiest reading decides, all carry it.

Results (posted or published) outweigh a registry status, which outweighs a paper with
nothing to read; then strength, then a definite verdict over an inconclusive one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tracker.evidence.rules.relevance import Relevance
from tracker.evidence.rules.role import Role
from tracker.evidence.rules.signals import Signals
from tracker.evidence.rules.studies import Inferred
from tracker.evidence.rules.verdict import Verdict

if TYPE_CHECKING:
    from tracker.evidence.rules.assess import Judgement, Record

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
    judged: Sequence[tuple[Record, Signals, Relevance, Role, Verdict]],
    study_of: dict[str, str],
    inferred: list[Inferred],
) -> list[Judgement]:
    from tracker.evidence.rules.assess import Judgement

    members: dict[str, list[tuple[Record, Signals, Relevance, Role, Verdict]]] = {}
    for item in judged:
        members.setdefault(study_of[item[0].id], []).append(item)
    joined: dict[str, list[str]] = {}
    for m in inferred:
        joined.setdefault(m.article_id, []).append(m.trial_id)
        joined.setdefault(m.trial_id, []).append(m.article_id)
    out = []
    for study, items in members.items():
        relevant = [i for i in items if i[2].relevant] or items
        decider = max(relevant, key=lambda i: weight(i[4]))
        participants = max((i[1].design.n or 0 for i in relevant), default=0) or None
        for r, s, rel, role, own in items:
            carried = own if (not rel.relevant or len(relevant) == 1) else _carried(decider, r.id)
            out.append(
                Judgement(
                    id=r.id,
                    source=r.source,
                    title=s.title,
                    study=study,
                    relevance=rel,
                    role=role,
                    own=own,
                    verdict=carried,
                    participants=participants if rel.relevant else s.design.n,
                    signals=s,
                    inferred=joined.get(r.id, []),
                )
            )
    return out


def _carried(decider: tuple[Record, Signals, Relevance, Role, Verdict], rid: str) -> Verdict:
    record, _s, _rel, _role, v = decider
    if record.id == rid:
        return v
    return Verdict(
        v.verdict,
        v.rule,
        f"{v.reason} (study verdict, from {record.id})",
        [f"{record.id}: {e}" for e in v.evidence],
        v.strength,
    )
