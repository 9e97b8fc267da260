"""Parsed records: the fields tracker keeps, as plain typed values with no storage attached.

Sources return these; `store` saves them; rules read them. Their canonical JSON (msgspec,
fields in declaration order) is what a content hash is taken over, so two fetches of an
unchanged record hash the same whatever the registry reordered in its raw payload.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec


class _R(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=False, gc=False):
    pass


class PartialDate(_R, frozen=True):
    """A registry date kept with its precision: '2020-05' is a month, not 2020-05-01."""

    value: str
    precision: str
    """'year', 'month' or 'day' (or 'unknown' for a shape we did not expect)."""
    type: str | None = None
    """'ACTUAL' or 'ESTIMATED' when the registry says; often missing on old records."""

    @classmethod
    def parse(cls, value: str | None, type_: str | None = None) -> PartialDate | None:
        if not value:
            return None
        precision = {4: "year", 7: "month", 10: "day"}.get(len(value), "unknown")
        return cls(value=value, precision=precision, type=type_)


class SecondaryId(_R, frozen=True):
    id: str
    type: str | None = None
    domain: str | None = None


class Mesh(_R, frozen=True):
    id: str | None
    term: str | None


class Arm(_R, frozen=True):
    label: str | None
    type: str | None
    description: str | None
    intervention_names: list[str]


class Intervention(_R, frozen=True):
    type: str | None
    name: str | None
    description: str | None
    other_names: list[str]
    arm_group_labels: list[str]


class Outcome(_R, frozen=True):
    measure: str | None
    description: str | None
    time_frame: str | None


class Reference(_R, frozen=True):
    pmid: str | None
    type: str | None
    citation: str | None


class ResultGroup(_R, frozen=True):
    id: str | None
    title: str | None


class ResultValue(_R, frozen=True):
    group_id: str | None
    value: str | None
    spread: str | None = None
    lower: str | None = None
    upper: str | None = None
    label: str | None = None
    """Class/category title when the measure is split (e.g. 'Alive without tracheostomy')."""


class Analysis(_R, frozen=True):
    group_ids: list[str]
    p_value: str | None
    method: str | None
    param_type: str | None
    param_value: str | None
    ci_pct: str | None
    ci_lower: str | None
    ci_upper: str | None
    non_inferiority_type: str | None = None


class ResultOutcome(_R, frozen=True):
    type: str | None
    """'PRIMARY', 'SECONDARY', 'OTHER_PRE_SPECIFIED' or 'POST_HOC'."""
    title: str | None
    param_type: str | None
    unit: str | None
    time_frame: str | None
    groups: list[ResultGroup]
    values: list[ResultValue]
    analyses: list[Analysis]


class TrialData(_R, frozen=True):
    """One ClinicalTrials.gov study, as tracker reads it."""

    nct_id: str
    org_study_id: str | None = None
    secondary_ids: list[SecondaryId] = []
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    overall_status: str | None = None
    last_known_status: str | None = None
    why_stopped: str | None = None
    start_date: PartialDate | None = None
    primary_completion_date: PartialDate | None = None
    completion_date: PartialDate | None = None
    first_submitted: str | None = None
    results_first_submitted: str | None = None
    results_first_posted: str | None = None
    last_update_posted: str | None = None
    study_type: str | None = None
    phases: list[str] = []
    allocation: str | None = None
    intervention_model: str | None = None
    primary_purpose: str | None = None
    masking: str | None = None
    who_masked: list[str] = []
    enrollment: int | None = None
    enrollment_type: str | None = None
    healthy_volunteers: bool | None = None
    brief_summary: str | None = None
    detailed_description: str | None = None
    """Read by the evidence rules when a record registers no outcome measures."""
    conditions: list[str] = []
    keywords: list[str] = []
    condition_meshes: list[Mesh] = []
    intervention_meshes: list[Mesh] = []
    arms: list[Arm] = []
    interventions: list[Intervention] = []
    primary_outcomes: list[Outcome] = []
    secondary_outcomes: list[Outcome] = []
    lead_sponsor: str | None = None
    lead_sponsor_class: str | None = None
    collaborators: list[str] = []
    countries: list[str] = []
    references: list[Reference] = []
    has_results: bool = False
    result_outcomes: list[ResultOutcome] = []
    results_submitted: str | None = None
    """Date results were last submitted to CT.gov and are still in QC (not posted), else None."""

    @property
    def title(self) -> str:
        return self.brief_title or self.official_title or self.nct_id

    @property
    def reference_pmids(self) -> list[str]:
        return [ref.pmid for ref in self.references if ref.pmid]


_ENCODER = msgspec.json.Encoder()


def encode_record(record: msgspec.Struct) -> bytes:
    """Canonical JSON of a parsed record (stable field order, so hashes are stable)."""
    return _ENCODER.encode(record)


def decode_trial(data: bytes | str) -> TrialData:
    return msgspec.json.decode(data, type=TrialData)


@dataclass(frozen=True, slots=True)
class FetchedStudy:
    """One study as received: parsed (or the reason it could not be) plus its exact bytes."""

    nct_id: str
    raw: bytes | msgspec.Raw
    """The study's JSON exactly as the registry sent it (a Raw is a zero-copy slice)."""
    trial: TrialData | None
    version_holder: str | None = None
    error: str | None = None
    packed: bytes | None = None
    """`raw`, compressed for storage, when the caller compressed a batch at once
    (tracker.ingest.ctgov_workers.prepare). `raw` is then dropped: the payload is kept
    once, compressed."""
    aliases: tuple[str, ...] = ()
    """The study's `nctIdAliases`: kept apart from TrialData so that its content hash (and so
    every stored version) is unchanged; tracker stores them as registrations."""
