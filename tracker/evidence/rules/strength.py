"""How much a result weighs: randomisation, sham control, blinding, size, primary outcome."""

from __future__ import annotations

from tracker.evidence.rules.signals import Design
from tracker.evidence.rules.terms import StrengthName

LARGE = 100
"""Participants from which a trial counts as large (phase 3 trials enrol hundreds)."""
SMALL = 30


def strength_of(design: Design, *, on_primary: bool) -> StrengthName:
    """'strong' needs all of randomised, sham, blinded, >= 100 and the primary outcome."""
    n = design.n or 0
    points = sum(
        [design.randomised, design.sham, design.blinded, n >= SMALL, n >= LARGE, on_primary]
    )
    if design.uncontrolled and not design.randomised:
        return "weak"
    if points >= 6:
        return "strong"
    if design.randomised and points >= 3:
        return "moderate"
    return "weak"
