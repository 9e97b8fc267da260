"""The claim's standing and the ledger's counts, read from stored rows only.

The digest, the email, the site and `tracker evidence` all open with this, on every run,
so it never re-runs a judging rule: it reads the relevant assessment rows and the active
human verdicts, and weighs the studies (tracker.evidence.rules.standing). One study counts
once, with its effective verdict: its human verdict (tracker.evidence.overrides says which
is in force), else the verdict its records share. A study whose verdict rests on a
retracted paper is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.evidence.overrides import stored_study_overrides
from tracker.evidence.rules.combine import RETRACTED
from tracker.evidence.rules.standing import Basis, State, weigh
from tracker.evidence.rules.standing_text import STATE_LABELS, standing_sentence
from tracker.evidence.rules.terms import VERDICTS
from tracker.evidence.standing import relevant_rows, study_evidence
from tracker.store.models import Flag

__all__ = ["STATE_LABELS", "LedgerSummary", "ledger_summary"]


@dataclass(frozen=True, slots=True)
class LedgerSummary:
    counts: dict[str, int]
    """Studies per verdict; every verdict key is present (retracted studies left out)."""
    studies: int
    """Relevant studies counted (the index study included)."""
    participants: dict[str, int]
    """Participants per verdict (a study's largest reported size)."""
    state: State
    """'confirmed', 'not_supported', 'contested', 'open' or 'untested'."""
    standing: str
    """The claim's standing in one sentence, the state first."""
    basis: Basis
    """The counts the state rests on."""
    needs_check: int = 0
    """Relevant studies with a `major` consistency flag that no human has judged since."""


def ledger_summary(session: Session) -> LedgerSummary:
    """The one function every report calls for the standing: the state, its sentence,
    and the studies per effective verdict."""
    # A retracted paper's row leaves every count; its study is judged without it.
    rows = [r for r in relevant_rows(session) if r.rule != RETRACTED]
    overridden = {study: o.verdict for study, o in stored_study_overrides(session).items()}
    studies = study_evidence(session, rows, overridden)
    counts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    participants: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    for s in studies:
        if s.verdict not in counts or s.retracted:
            continue  # a stored value outside the vocabulary is not guessed at
        counts[s.verdict] += 1
        participants[s.verdict] += s.participants or 0
    # A study with a major consistency flag no human has judged is counted apart: it does
    # not weigh in the state until someone has looked (its verdict and counts stay).
    checks = studies_needing_check(session)
    checking: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    for s in studies:
        if s.study in checks and s.verdict in checking and not s.retracted:
            checking[s.verdict] += 1
    weighed = weigh([s for s in studies if s.study not in checks])
    return LedgerSummary(
        counts=counts,
        studies=sum(counts.values()),
        participants=participants,
        state=weighed.state,
        standing=_with_checks(standing_sentence(weighed), checking),
        basis=weighed.basis,
        needs_check=sum(checking.values()),
    )


def studies_needing_check(session: Session) -> set[str]:
    """Studies with a `major` flag first seen after the study's newest human verdict (or
    with none): a human verdict clears the check, and the flag stays."""
    flagged = session.execute(
        select(col(Flag.study), func.max(col(Flag.first_seen_at)))
        .where(col(Flag.severity) == "major")
        .group_by(col(Flag.study))
    ).all()
    if not flagged:
        return set()
    last_judged = {study: o.at for study, o in stored_study_overrides(session).items()}
    return {
        study
        for study, seen in flagged
        if study not in last_judged or _aware(last_judged[study]) < _aware(seen)
    }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _with_checks(sentence: str, checking: dict[str, int]) -> str:
    """The standing sentence with the studies awaiting a human check counted apart."""
    total = sum(checking.values())
    if not total:
        return sentence
    detail = ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in checking.items() if n)
    noun, verb = ("study", "needs") if total == 1 else ("studies", "need")
    end = sentence[:-1] if sentence.endswith(".") else sentence
    return f"{end}; {total} {noun} {verb} a human check ({detail})."
