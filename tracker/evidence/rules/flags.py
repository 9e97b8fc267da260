"""Consistency flags: what a study registered against what it reported. Pure.

A flag never flips a verdict. It says where the record is weaker than it looks (the primary
outcome changed, the sample shrank, the trial stopped early, the paper's headline is a
registered secondary) and quotes the texts it compares, with version numbers and dates.
`minor` and `major` flags lower the verdict's strength; a `major` one asks for a human check
until someone judges the study. The rules read version records and `today`, nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from tracker.records.trial import PartialDate, TrialData

SEVERITIES = ("info", "minor", "major")


@dataclass(frozen=True, slots=True)
class Flag:
    rule: str
    """e.g. 'outcomes.primary_changed', 'enrolment.sample_size'."""
    severity: str
    """'info', 'minor' or 'major'."""
    summary: str
    evidence: list[str] = field(default_factory=list)
    """The quoted texts compared, each with its version number and date."""
    subject: str = ""
    """What the flag is about within its rule (an outcome, a field): one flag per
    record, rule and subject."""

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.subject}"[:255]


@dataclass(frozen=True, slots=True)
class Version:
    """One stored version of a trial record."""

    number: int
    posted: str | None
    """When the registry posted this version (lastUpdatePostDate), else when tracker saw
    it, YYYY-MM-DD; None when neither is known."""
    trial: TrialData

    @property
    def label(self) -> str:
        return f"v{self.number}, {self.posted or 'date unknown'}"


def ordered(versions: Sequence[Version]) -> tuple[list[Version], Flag | None]:
    """Versions in their number order, and an info flag when their dates run backwards
    (dating a change is then uncertain; the number order is what tracker stored)."""
    out = sorted(versions, key=lambda v: v.number)
    dates = [v.posted for v in out if v.posted]
    if dates != sorted(dates):
        return out, Flag(
            "versions.out_of_order",
            "info",
            "The versions' posting dates do not follow their order; the dates of changes "
            "below may be wrong.",
            [f"{v.label}" for v in out],
        )
    return out, None


def day_bounds(d: PartialDate | str | None) -> tuple[date, date] | None:
    """The first and last day a registry date can mean ('2020-05' is May 1-31), or None
    for a missing or unreadable date."""
    if d is None:
        return None
    value = d.value if isinstance(d, PartialDate) else d
    try:
        parts = [int(x) for x in value[:10].split("-")]
        if len(parts) == 3:
            day = date(*parts)
            return day, day
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            nxt = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return first, date.fromordinal(nxt.toordinal() - 1)
        if len(parts) == 1:
            return date(parts[0], 1, 1), date(parts[0], 12, 31)
    except ValueError:
        return None
    return None


def weaken(strength: str | None, flags: Sequence[Flag]) -> str | None:
    """The verdict's strength one step lower per flag level found (minor: one, major: two),
    never below 'weak'; the verdict itself is untouched."""
    if strength is None:
        return None
    steps = max((SEVERITIES.index(f.severity) for f in flags), default=0)
    scale = ["weak", "moderate", "strong"]
    if strength not in scale:
        return strength
    return scale[max(0, scale.index(strength) - steps)]


def needs_check(flags: Sequence[Flag]) -> bool:
    return any(f.severity == "major" for f in flags)
