"""A fetched CT.gov study made ready to store: its canonical JSON, compressed payload,
summary columns and the trial links it declares. Pure, and free of database imports, so
the parse workers (tracker.ingest.ctgov_workers) do it where the study was parsed and the
storing process never decodes the study at all."""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec

from tracker.records.links import LinkTriple, trial_links
from tracker.records.registrations import RegTriple, trial_registrations, triples
from tracker.records.trial import FetchedStudy, TrialData
from tracker.store.payload import pack
from tracker.store.readings import SignalRow

_ENCODER = msgspec.json.Encoder()


class PreparedStudy(NamedTuple):
    nct_id: str
    data: bytes | None
    """Canonical JSON of the parsed TrialData; None when the study did not parse."""
    raw: bytes
    """The registry's bytes when the study did not parse (its content is then the raw
    payload itself); empty otherwise, since `packed` keeps them."""
    packed: bytes
    error: str | None
    version_holder: str | None
    columns: dict[str, Any]
    """Summary columns of the `trials` row (title, status, dates...)."""
    links: list[LinkTriple]
    registrations: list[RegTriple] = []
    """Other registries' numbers the study declares (tracker.records.registrations)."""
    signals: SignalRow | None = None
    """The evidence rules' reading of the study, when the sync was given a reader."""


def prepare_study(study: FetchedStudy) -> PreparedStudy:
    t = study.trial
    return PreparedStudy(
        nct_id=study.nct_id,
        data=_ENCODER.encode(t) if t is not None else None,
        raw=bytes(study.raw) if t is None else b"",
        packed=study.packed if study.packed is not None else pack(study.raw),
        error=study.error,
        version_holder=study.version_holder,
        columns=columns(t),
        links=trial_links([t]) if t is not None else [],
        registrations=(
            triples(t.nct_id, trial_registrations(t, list(study.aliases))) if t is not None else []
        ),
    )


def columns(t: TrialData | None) -> dict[str, Any]:
    if t is None:
        return dict(_UNPARSED)
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


_UNPARSED = dict.fromkeys(columns(TrialData(nct_id="")), None) | {"has_results": False}
"""The columns of a study that did not parse: all empty (has_results is NOT NULL)."""
