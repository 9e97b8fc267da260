"""Which parsed fields changed between two versions, and which changes are events. Pure."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from tracker.records.article import ArticleData
from tracker.records.trial import PartialDate, TrialData

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


def changed_fields(old: msgspec.Struct, new: msgspec.Struct) -> list[str]:
    """Names of the parsed fields whose values differ (a trial's or an article's)."""
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


ARTICLE_MATERIAL_FIELDS = ("retraction", "corrections", "databank_links", "deleted")
"""Article changes a reader cares about (issue #3): a retraction, an erratum or other
notice, a newly declared trial registration, a withdrawn PMID."""

_NOTICES = frozenset(
    {"RetractionIn", "ErratumIn", "ExpressionOfConcernIn", "UpdateIn", "RepublishedIn"}
)


def article_material_changes(old: ArticleData, new: ArticleData) -> list[FieldChange]:
    out: list[FieldChange] = []
    if new.retracted and not old.retracted:
        out.append(FieldChange("retraction", None, _retraction_text(new)))
    added = _notices(new) - _notices(old)
    if added:
        out.append(FieldChange("corrections", None, ", ".join(sorted(added))))
    banks = _accessions(new) - _accessions(old)
    if banks:
        out.append(FieldChange("databank_links", None, ", ".join(sorted(banks))))
    if new.deleted and not old.deleted:
        out.append(FieldChange("deleted", None, "PMID withdrawn by PubMed"))
    return out


def _retraction_text(article: ArticleData) -> str:
    notices = [c for c in article.comments_corrections if c.ref_type == "RetractionIn"]
    if notices and notices[0].pmid:
        return f"retracted (notice PMID:{notices[0].pmid})"
    return "retracted"


def _notices(article: ArticleData) -> set[str]:
    return {
        f"{c.ref_type} PMID:{c.pmid}" if c.pmid else f"{c.ref_type} {c.source or ''}".strip()
        for c in article.comments_corrections
        if c.ref_type in _NOTICES
    }


def _accessions(article: ArticleData) -> set[str]:
    return {acc for bank in article.databanks for acc in bank.accessions}
