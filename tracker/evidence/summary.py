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

from sqlalchemy.orm import Session

from tracker.evidence.overrides import stored_study_overrides
from tracker.evidence.rules.standing import Basis, State, weigh
from tracker.evidence.rules.standing_text import STATE_LABELS, standing_sentence
from tracker.evidence.rules.terms import VERDICTS
from tracker.evidence.standing import relevant_rows, study_evidence

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


def ledger_summary(session: Session) -> LedgerSummary:
    """The one function every report calls for the standing: the state, its sentence,
    and the studies per effective verdict."""
    rows = relevant_rows(session)
    overridden = {study: o.verdict for study, o in stored_study_overrides(session).items()}
    studies = study_evidence(session, rows, overridden)
    counts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    participants: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    for s in studies:
        if s.verdict not in counts or s.retracted:
            continue  # a stored value outside the vocabulary is not guessed at
        counts[s.verdict] += 1
        participants[s.verdict] += s.participants or 0
    weighed = weigh(studies)
    return LedgerSummary(
        counts=counts,
        studies=sum(counts.values()),
        participants=participants,
        state=weighed.state,
        standing=standing_sentence(weighed),
        basis=weighed.basis,
    )
