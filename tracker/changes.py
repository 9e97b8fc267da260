"""Which parsed fields changed between two versions, and which changes are events. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.records import PartialDate, TrialData

MATERIAL_FIELDS = (
    "overall_status",
    "phases",
    "enrollment",
    "start_date",
    "primary_completion_date",
    "completion_date",
    "why_stopped",
    "results_submitted",
    "results_posted",
    "references",
)
"""The changes a reader of the digest cares about (issue #2); anything else only makes a
new version, visible in `tracker show`."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


def changed_fields(old: TrialData, new: TrialData) -> list[str]:
    """Names of the parsed fields whose values differ."""
    return [name for name in new.__struct_fields__ if getattr(old, name) != getattr(new, name)]


def material_changes(old: TrialData, new: TrialData) -> list[FieldChange]:
    """One FieldChange per material field that differs, with old and new as display text."""
    out: list[FieldChange] = []
    for name in MATERIAL_FIELDS:
        before, after = _material_value(old, name), _material_value(new, name)
        if name == "references":
            added = [pmid for pmid in new.reference_pmids if pmid not in set(old.reference_pmids)]
            if added:
                out.append(FieldChange(name, None, ", ".join(f"PMID:{p}" for p in added)))
        elif before != after:
            out.append(FieldChange(name, before, after))
    return out


def _material_value(trial: TrialData, name: str) -> str | None:
    if name == "phases":
        return "|".join(trial.phases) or None
    if name == "enrollment":
        return None if trial.enrollment is None else str(trial.enrollment)
    if name == "results_posted":
        return trial.results_first_posted or ("yes" if trial.has_results else None)
    if name == "references":
        return None
    value = getattr(trial, name)
    if isinstance(value, PartialDate):
        return value.value
    return value if value is None else str(value)
