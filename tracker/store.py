"""Save fetched ClinicalTrials.gov studies (see tracker.versioning for how)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table

from tracker.changes import FieldChange, changed_fields, material_changes
from tracker.models import Trial, TrialVersion
from tracker.records import TrialData, decode_trial
from tracker.sources.ctgov import SOURCE, FetchedStudy
from tracker.versioning import Incoming, Kind, PageOutcome, save_records
from tracker.versioning import version_payload as _version_payload

TRIALS: Table = Trial.__table__  # type: ignore[attr-defined]
VERSIONS: Table = TrialVersion.__table__  # type: ignore[attr-defined]


def _diff(old_json: str, new: Any) -> tuple[list[FieldChange], list[str]]:
    old = decode_trial(old_json)
    return material_changes(old, new), changed_fields(old, new)


TRIAL_KIND = Kind(source=SOURCE, table=TRIALS, versions=VERSIONS, key="nct_id", diff=_diff)


def save_trials(
    conn: Connection, studies: Sequence[FetchedStudy], *, seen_at: datetime, run_id: int | None
) -> PageOutcome:
    """Upsert one page of studies; returns what it did."""
    return save_records(
        conn, TRIAL_KIND, [_incoming(s) for s in studies], seen_at=seen_at, run_id=run_id
    )


def version_payload(conn: Connection, nct_id: str, version: int) -> tuple[str, bytes] | None:
    return _version_payload(conn, TRIAL_KIND, nct_id, version)


def _incoming(study: FetchedStudy) -> Incoming:
    t = study.trial
    return Incoming(
        id=study.nct_id,
        record=t,
        raw=study.raw,
        packed=study.packed,
        error=study.error,
        columns=_columns(t),
        touch={"version_holder": study.version_holder},
        version_columns={"last_update_posted": t.last_update_posted if t else None},
    )


def _columns(t: TrialData | None) -> dict[str, Any]:
    if t is None:
        return dict.fromkeys(_SUMMARY, None) | {"has_results": False}
    return {
        "brief_title": t.title,
        "acronym": t.acronym,
        "overall_status": t.overall_status,
        "study_type": t.study_type,
        "phases": "|".join(t.phases) or None,
        "enrollment": t.enrollment,
        "start_date": t.start_date.value if t.start_date else None,
        "primary_completion_date": (
            t.primary_completion_date.value if t.primary_completion_date else None
        ),
        "completion_date": t.completion_date.value if t.completion_date else None,
        "why_stopped": t.why_stopped,
        "has_results": t.has_results,
        "results_submitted": t.results_submitted,
        "last_update_posted": t.last_update_posted,
        "lead_sponsor": t.lead_sponsor,
    }


_SUMMARY = (
    "brief_title",
    "acronym",
    "overall_status",
    "study_type",
    "phases",
    "enrollment",
    "start_date",
    "primary_completion_date",
    "completion_date",
    "why_stopped",
    "results_submitted",
    "last_update_posted",
    "lead_sponsor",
)
