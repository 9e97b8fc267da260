"""Save one page of fetched trials: upsert, a new version only when the parsed content
changed, and one change event per changed material field. The caller owns the
transaction, so a page is stored whole or not at all.

Writes go through SQLAlchemy Core executemany: an ORM object per row would cost more
than parsing the page did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from tracker.bulk import insert_rows, update_rows
from tracker.changes import changed_fields, material_changes
from tracker.models import ChangeEvent, Trial, TrialVersion
from tracker.payload import pack, unpack
from tracker.records import TrialData, decode_trial, encode_record
from tracker.sources.ctgov import SOURCE, FetchedStudy

TRIALS = Trial.__table__  # type: ignore[attr-defined]
VERSIONS = TrialVersion.__table__  # type: ignore[attr-defined]
EVENTS = ChangeEvent.__table__  # type: ignore[attr-defined]


@dataclass
class PageOutcome:
    new_records: int = 0
    new_versions: int = 0
    unchanged: int = 0
    events: int = 0
    parse_errors: list[str] = field(default_factory=list)


def content_hash(payload: bytes) -> str:
    return hashlib.sha1(payload, usedforsecurity=False).hexdigest()


def save_trials(
    conn: Connection, studies: Sequence[FetchedStudy], *, seen_at: datetime, run_id: int | None
) -> PageOutcome:
    """Upsert one page; returns what it did. Studies without an NCT id cannot be keyed and
    are reported as errors instead (their page is still stored)."""
    outcome = PageOutcome()
    latest: dict[str, FetchedStudy] = {}
    for study in studies:
        if not study.nct_id:
            outcome.parse_errors.append(
                f"a study without an NCT id could not be stored: {study.error}"
            )
            continue
        latest[study.nct_id] = study  # a record repeated within a page is one record
    current = _current_rows(conn, list(latest))
    plan = _Plan(seen_at=seen_at, run_id=run_id)
    for nct_id, study in latest.items():
        if study.error:
            outcome.parse_errors.append(f"{nct_id}: stored unparsed: {study.error}")
        plan.add(study, current.get(nct_id), outcome)
    plan.write(conn, _old_payloads(conn, plan.changed_ids))
    outcome.events = plan.event_count
    return outcome


def _current_rows(conn: Connection, ids: list[str]) -> dict[str, tuple[str, int]]:
    rows: dict[str, tuple[str, int]] = {}
    for chunk in _chunks(ids, 500):
        query = select(TRIALS.c.nct_id, TRIALS.c.content_hash, TRIALS.c.version).where(
            TRIALS.c.nct_id.in_(chunk)
        )
        rows.update({nct: (digest, version) for nct, digest, version in conn.execute(query)})
    return rows


def _old_payloads(conn: Connection, ids: list[str]) -> dict[str, tuple[str, bytes]]:
    """(data, raw) of the current version of each changed trial, before it is replaced."""
    payloads: dict[str, tuple[str, bytes]] = {}
    for chunk in _chunks(ids, 500):
        query = select(TRIALS.c.nct_id, TRIALS.c.data, TRIALS.c.raw).where(
            TRIALS.c.nct_id.in_(chunk)
        )
        payloads.update({nct: (data, raw) for nct, data, raw in conn.execute(query)})
    return payloads


def version_payload(conn: Connection, nct_id: str, version: int) -> tuple[str, bytes] | None:
    """(data, raw) of any version: its own columns, or the trial's if it is the current one.

    `raw` comes back decompressed: the registry's bytes exactly."""
    query = (
        select(
            func.coalesce(VERSIONS.c.data, TRIALS.c.data),
            func.coalesce(VERSIONS.c.raw, TRIALS.c.raw),
        )
        .join(TRIALS, TRIALS.c.nct_id == VERSIONS.c.nct_id)
        .where(VERSIONS.c.nct_id == nct_id, VERSIONS.c.version == version)
    )
    row = conn.execute(query).first()
    return (row[0], unpack(row[1])) if row else None


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Plan:
    """The rows one page will write, gathered first so each table gets one executemany."""

    def __init__(self, *, seen_at: datetime, run_id: int | None) -> None:
        self.seen_at = seen_at
        self.run_id = run_id
        self.inserts: list[dict[str, Any]] = []
        self.touches: list[dict[str, Any]] = []
        self.changed: list[tuple[FetchedStudy, str, bytes, int]] = []
        self.event_count = 0

    @property
    def changed_ids(self) -> list[str]:
        return [study.nct_id for study, *_ in self.changed]

    def add(self, study: FetchedStudy, row: tuple[str, int] | None, outcome: PageOutcome) -> None:
        data = encode_record(study.trial) if study.trial else b"{}"
        digest = content_hash(data if study.trial else b"raw:" + bytes(study.raw))
        if row is None:
            self.inserts.append(_trial_row(study, data, digest, 1, self.seen_at, new=True))
            outcome.new_records += 1
            outcome.new_versions += 1
        elif row[0] == digest:
            self.touches.append(
                {
                    "last_seen_at": self.seen_at,
                    "version_holder": study.version_holder,
                    "nct_id": study.nct_id,
                }
            )
            outcome.unchanged += 1
        else:
            self.changed.append((study, digest, data, row[1] + 1))
            outcome.new_versions += 1

    def write(self, conn: Connection, old: dict[str, tuple[str, bytes]]) -> None:
        versions = [_version_row(row, []) for row in self.inserts]
        updates: list[dict[str, Any]] = []
        archived: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for study, digest, data, version in self.changed:
            row = _trial_row(study, data, digest, version, self.seen_at, new=False)
            old_data, old_raw = old[study.nct_id]
            fields = self._diff(study, old_data, version, events)
            versions.append(_version_row(row, fields))
            updates.append(row)
            # The replaced payload moves from the trial row into its own version row.
            archived.append(
                {"data": old_data, "raw": old_raw, "nct_id": study.nct_id, "version": version - 1}
            )
        insert_rows(conn, TRIALS, self.inserts)
        update_rows(conn, VERSIONS, archived, keys=("nct_id", "version"))
        update_rows(conn, TRIALS, updates, keys=("nct_id",))
        update_rows(conn, TRIALS, self.touches, keys=("nct_id",))
        insert_rows(conn, VERSIONS, versions)
        insert_rows(conn, EVENTS, events)
        self.event_count = len(events)

    def _diff(
        self, study: FetchedStudy, old_json: str | None, version: int, events: list[dict[str, Any]]
    ) -> list[str]:
        old = _decode_or_none(old_json)
        if old is None or study.trial is None:
            return ["(unparsed)"]
        events.extend(
            {
                "record_id": study.nct_id,
                "source": SOURCE,
                "field": change.field,
                "old": change.old,
                "new": change.new,
                "at": self.seen_at,
                "version": version,
                "run_id": self.run_id,
            }
            for change in material_changes(old, study.trial)
        )
        return changed_fields(old, study.trial)


def _decode_or_none(data: str | None) -> TrialData | None:
    if not data or data == "{}":
        return None
    return decode_trial(data)


def _trial_row(
    study: FetchedStudy, data: bytes, digest: str, version: int, seen_at: datetime, *, new: bool
) -> dict[str, Any]:
    t = study.trial
    row: dict[str, Any] = {
        "nct_id": study.nct_id,
        "brief_title": t.title if t else None,
        "acronym": t.acronym if t else None,
        "overall_status": t.overall_status if t else None,
        "study_type": t.study_type if t else None,
        "phases": ("|".join(t.phases) or None) if t else None,
        "enrollment": t.enrollment if t else None,
        "start_date": t.start_date.value if t and t.start_date else None,
        "primary_completion_date": (
            t.primary_completion_date.value if t and t.primary_completion_date else None
        ),
        "completion_date": t.completion_date.value if t and t.completion_date else None,
        "why_stopped": t.why_stopped if t else None,
        "has_results": bool(t and t.has_results),
        "results_submitted": t.results_submitted if t else None,
        "last_update_posted": t.last_update_posted if t else None,
        "lead_sponsor": t.lead_sponsor if t else None,
        "version": version,
        "content_hash": digest,
        "version_holder": study.version_holder,
        "last_seen_at": seen_at,
        "last_changed_at": seen_at,
        "parse_error": study.error,
        "data": data.decode(),
        "raw": study.packed if study.packed is not None else pack(study.raw),
    }
    if new:
        row["first_seen_at"] = seen_at
    return row


def _version_row(trial_row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {
        "nct_id": trial_row["nct_id"],
        "version": trial_row["version"],
        "content_hash": trial_row["content_hash"],
        "seen_at": trial_row["last_seen_at"],
        "last_update_posted": trial_row["last_update_posted"],
        "changed_fields": json.dumps(fields),
        "data": None,  # the current payload lives on the trial row
        "raw": None,
    }
