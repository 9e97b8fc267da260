"""Save fetched ClinicalTrials.gov studies (see tracker.store.versioning for how)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table

from tracker.ids import Source
from tracker.records.changes import FieldChange, changed_fields, material_changes
from tracker.records.trial import FetchedStudy, decode_trial
from tracker.store.models import Trial, TrialVersion
from tracker.store.registrations import save_registrations
from tracker.store.trial_rows import PreparedStudy, prepare_study
from tracker.store.versioning import Incoming, Kind, PageOutcome, save_records
from tracker.store.versioning import version_payload as _version_payload

TRIALS: Table = Trial.__table__  # type: ignore[attr-defined]
VERSIONS: Table = TrialVersion.__table__  # type: ignore[attr-defined]


def _diff(old_json: str, new: Any) -> tuple[list[FieldChange], list[str]]:
    old = decode_trial(old_json)
    return material_changes(old, new), changed_fields(old, new)


TRIAL_KIND = Kind(
    source=Source.CTGOV,
    table=TRIALS,
    versions=VERSIONS,
    key="nct_id",
    diff=_diff,
    decode=decode_trial,
)


def save_trials(
    conn: Connection, studies: Sequence[FetchedStudy], *, seen_at: datetime, run_id: int | None
) -> PageOutcome:
    """Upsert one page of studies; returns what it did."""
    return save_prepared(conn, [prepare_study(s) for s in studies], seen_at=seen_at, run_id=run_id)


def save_prepared(
    conn: Connection, studies: Sequence[PreparedStudy], *, seen_at: datetime, run_id: int | None
) -> PageOutcome:
    """Upsert studies already prepared (tracker.store.trial_rows, perhaps in a parse worker),
    with the other registries' numbers they declare."""
    outcome = save_records(
        conn, TRIAL_KIND, [_incoming(s) for s in studies], seen_at=seen_at, run_id=run_id
    )
    save_registrations(conn, [r for s in studies for r in s.registrations], seen_at=seen_at)
    return outcome


def version_payload(conn: Connection, nct_id: str, version: int) -> tuple[str, bytes] | None:
    return _version_payload(conn, TRIAL_KIND, nct_id, version)


def _incoming(study: PreparedStudy) -> Incoming:
    return Incoming(
        id=study.nct_id,
        record=None,
        raw=study.raw,
        packed=study.packed,
        error=study.error,
        columns=study.columns,
        touch={"version_holder": study.version_holder},
        version_columns={"last_update_posted": study.columns["last_update_posted"]},
        data=study.data,
    )
