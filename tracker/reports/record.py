"""One record with its timeline (versions and change events), for `tracker show`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlmodel import Session, col

from tracker.errors import NotFoundError
from tracker.models import ChangeEvent, Trial, TrialVersion
from tracker.records import TrialData, decode_trial
from tracker.reports.console import linked_id, when
from tracker.reports.links import record_url


@dataclass(frozen=True, slots=True)
class VersionRow:
    version: int
    seen_at: datetime
    last_update_posted: str | None
    changed_fields: list[str]


@dataclass(frozen=True, slots=True)
class EventRow:
    field: str
    old: str | None
    new: str | None
    at: datetime
    version: int | None


@dataclass(frozen=True, slots=True)
class RecordView:
    id: str
    source: str
    title: str
    url: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    version: int
    parse_error: str | None
    trial: TrialData | None
    versions: list[VersionRow]
    events: list[EventRow]


def normalise_id(record_id: str) -> str:
    """Accept 'nct04393467' and ' NCT04393467 ' as the same id users mean."""
    cleaned = record_id.strip()
    return cleaned.upper() if cleaned.upper().startswith("NCT") else cleaned


def build_record_view(session: Session, record_id: str) -> RecordView:
    rid = normalise_id(record_id)
    trial = session.get(Trial, rid)
    if trial is None:
        raise NotFoundError(f"{record_id}: no such record is stored (try `tracker sync` first)")
    versions = session.scalars(
        select(TrialVersion)
        .where(col(TrialVersion.nct_id) == rid)
        .order_by(col(TrialVersion.version))
    )
    events = session.scalars(
        select(ChangeEvent).where(col(ChangeEvent.record_id) == rid).order_by(col(ChangeEvent.id))
    )
    return RecordView(
        id=rid,
        source="ctgov",
        title=trial.brief_title or rid,
        url=record_url(rid),
        first_seen_at=trial.first_seen_at,
        last_seen_at=trial.last_seen_at,
        version=trial.version,
        parse_error=trial.parse_error,
        trial=None if trial.parse_error else decode_trial(trial.data),
        versions=[
            VersionRow(v.version, v.seen_at, v.last_update_posted, json.loads(v.changed_fields))
            for v in versions
        ],
        events=[EventRow(e.field, e.old, e.new, e.at, e.version) for e in events],
    )


def record_json(view: RecordView) -> dict[str, Any]:
    return {
        "id": view.id,
        "source": view.source,
        "title": view.title,
        "url": view.url,
        "first_seen_at": view.first_seen_at,
        "last_seen_at": view.last_seen_at,
        "version": view.version,
        "parse_error": view.parse_error,
        "record": msgspec.to_builtins(view.trial) if view.trial else None,
        "versions": view.versions,
        "events": view.events,
    }


def render_record(view: RecordView) -> RenderableType:
    head = Text.assemble(linked_id(view.id, view.url), "  ", Text(view.title, style="bold"))
    parts: list[RenderableType] = [head]
    if view.parse_error:
        parts.append(Text(f"stored unparsed: {view.parse_error}", style="red"))
    if view.trial:
        parts.append(_facts(view.trial))
    parts.append(_timeline(view))
    return Group(*parts)


def _facts(t: TrialData) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim")
    table.add_column(overflow="fold")
    rows = [
        ("status", t.overall_status or "–"),
        ("why stopped", t.why_stopped or ""),
        ("type / phase", f"{t.study_type or '–'} / {'|'.join(t.phases) or 'no phase'}"),
        ("design", " · ".join(x for x in (t.allocation, t.masking, t.intervention_model) if x)),
        (
            "enrollment",
            f"{t.enrollment if t.enrollment is not None else '–'} {t.enrollment_type or ''}",
        ),
        ("start", t.start_date.value if t.start_date else "–"),
        (
            "primary completion",
            t.primary_completion_date.value if t.primary_completion_date else "–",
        ),
        ("conditions", "; ".join(t.conditions)),
        ("interventions", "; ".join(f"{i.type}: {i.name}" for i in t.interventions)),
        ("sponsor", t.lead_sponsor or "–"),
        (
            "results",
            "posted"
            if t.has_results
            else f"submitted {t.results_submitted}"
            if t.results_submitted
            else "none",
        ),
        ("references", ", ".join(f"PMID:{p}" for p in t.reference_pmids) or "–"),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, Text(value))
    return table


def _timeline(view: RecordView) -> Table:
    table = Table(title="Timeline", title_justify="left")
    for name in ("when", "version", "what"):
        table.add_column(name, overflow="fold")
    for v in view.versions:
        what = "first seen" if v.version == 1 else "changed: " + ", ".join(v.changed_fields)
        table.add_row(when(v.seen_at), str(v.version), Text(what))
    for e in view.events:
        table.add_row(
            when(e.at), str(e.version or ""), Text(f"{e.field}: {e.old or '–'} → {e.new or '–'}")
        )
    return table
