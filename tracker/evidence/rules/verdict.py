"""A verdict with its rule id, one-sentence reason, quoted evidence and strength."""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.evidence.rules.terms import StrengthName, VerdictName


@dataclass(frozen=True, slots=True)
class Verdict:
    verdict: VerdictName
    rule: str
    """Which rule gave it, e.g. 'registry.pending_status'."""
    reason: str
    """One sentence a clinician would accept."""
    evidence: list[str] = field(default_factory=list)
    """Quoted sentences or result numbers it rests on (never empty once decided)."""
    strength: StrengthName | None = None
    """'weak', 'moderate' or 'strong'; None where the verdict weighs nothing."""
