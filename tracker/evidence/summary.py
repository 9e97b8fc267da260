"""The claim's standing in numbers: verdict counts per study, read from stored rows only.

The digest and the email show this on every run, so it never re-runs a rule: two
aggregate queries over `assessments` (relevant rows, through their index) and the
active overrides. One study counts once, with its effective verdict: its human verdict
(tracker.evidence.overrides says which is in force), else the verdict its records share.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.evidence.overrides import stored_study_overrides
from tracker.evidence.rules.terms import VERDICTS
from tracker.store.models import Assessment


@dataclass(frozen=True, slots=True)
class LedgerSummary:
    counts: dict[str, int]
    """Studies per verdict; every verdict key is present."""
    studies: int
    """Relevant studies (the index study included)."""
    participants: dict[str, int]
    """Participants per verdict (a study's largest reported size)."""
    standing: str
    """The claim's standing in one sentence."""


def ledger_summary(session: Session) -> LedgerSummary:
    """Counts of relevant studies per effective verdict, and the standing sentence."""
    follow_up = func.max(case((col(Assessment.role) == "follow_up", 1), else_=0))
    per_study = session.execute(
        select(
            col(Assessment.study),
            func.max(col(Assessment.verdict)),
            func.max(col(Assessment.participants)),
            follow_up,
        )
        .where(col(Assessment.relevant).is_(True))
        .group_by(col(Assessment.study))
    ).all()
    overridden = {study: o.verdict for study, o in stored_study_overrides(session).items()}
    counts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    participants: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    later: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    later_n: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    for study, verdict, size, is_follow_up in per_study:
        effective = overridden.get(study, verdict)
        if effective not in counts:
            continue  # a stored value outside the vocabulary is not guessed at
        counts[effective] += 1
        participants[effective] += size or 0
        if is_follow_up:
            later[effective] += 1
            later_n[effective] += size or 0
    return LedgerSummary(
        counts=counts,
        studies=sum(counts.values()),
        participants=participants,
        standing=standing_sentence(later, later_n, earlier=_minus(counts, later)),
    )


def _minus(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a[k] - b.get(k, 0) for k in a}


def standing_sentence(
    counts: dict[str, int], participants: dict[str, int], *, earlier: dict[str, int] | None = None
) -> str:
    """E.g. 'No independent confirmation yet; 3 follow-ups pending (n = 212).'

    `counts` are the follow-ups (studies after the index); `earlier`, the rest (prior
    studies and reviews), is summed up at the end when it holds a verdict for or against."""

    def n(verdict: str) -> str:
        return f" (n = {participants[verdict]})" if participants.get(verdict) else ""

    confirms = counts.get("confirms", 0)
    parts = [
        f"{confirms} independent confirmation{_s(confirms)}{n('confirms')}"
        if confirms
        else "No independent confirmation yet"
    ]
    if refutes := counts.get("refutes", 0):
        parts.append(f"{refutes} follow-up{_s(refutes)} against it{n('refutes')}")
    if pending := counts.get("pending", 0):
        parts.append(f"{pending} follow-up{_s(pending)} pending{n('pending')}")
    if unclear := counts.get("inconclusive", 0):
        parts.append(f"{unclear} inconclusive{n('inconclusive')}")
    earlier = earlier or {}
    before = [
        f"{earlier[v]} {word}"
        for v, word in (("confirms", "for"), ("refutes", "against"))
        if earlier.get(v)
    ]
    if before:
        parts.append("earlier studies and reviews: " + ", ".join(before))
    return "; ".join(parts) + "."


def _s(count: int) -> str:
    return "" if count == 1 else "s"
