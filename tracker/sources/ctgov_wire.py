"""The ClinicalTrials.gov v2 study JSON, as typed msgspec structs (only the leaves we read).

Decoding into these structs is several times faster than `json.loads` into dicts and
creates far fewer objects for the garbage collector to walk; fields we do not name are
skipped by the decoder. Every field is optional, and enum-like values are plain `str`,
so a new field or a new enum value upstream never breaks decoding.
"""

from __future__ import annotations

import msgspec


class _W(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True, gc=False):
    pass


class DateStruct(_W):
    date: str | None = None
    type: str | None = None


class OrgStudyIdInfo(_W):
    id: str | None = None


class SecondaryIdInfo(_W):
    id: str | None = None
    type: str | None = None
    domain: str | None = None


class IdentificationModule(_W):
    nct_id: str | None = None
    org_study_id_info: OrgStudyIdInfo | None = None
    secondary_id_infos: list[SecondaryIdInfo] = []
    nct_id_aliases: list[str] = []
    """Older NCT ids merged into this study (the API redirects them here)."""
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None


class StatusModule(_W):
    overall_status: str | None = None
    last_known_status: str | None = None
    why_stopped: str | None = None
    start_date_struct: DateStruct | None = None
    primary_completion_date_struct: DateStruct | None = None
    completion_date_struct: DateStruct | None = None
    study_first_submit_date: str | None = None
    results_first_submit_date: str | None = None
    results_first_post_date_struct: DateStruct | None = None
    last_update_post_date_struct: DateStruct | None = None


class Party(_W):
    name: str | None = None
    class_: str | None = msgspec.field(default=None, name="class")


class SponsorCollaboratorsModule(_W):
    lead_sponsor: Party | None = None
    collaborators: list[Party] = []


class DescriptionModule(_W):
    brief_summary: str | None = None
    detailed_description: str | None = None


class ConditionsModule(_W):
    conditions: list[str] = []
    keywords: list[str] = []


class MaskingInfo(_W):
    masking: str | None = None
    who_masked: list[str] = []


class DesignInfo(_W):
    allocation: str | None = None
    intervention_model: str | None = None
    observational_model: str | None = None
    primary_purpose: str | None = None
    masking_info: MaskingInfo | None = None


class EnrollmentInfo(_W):
    count: int | None = None
    type: str | None = None


class DesignModule(_W):
    study_type: str | None = None
    phases: list[str] = []
    design_info: DesignInfo | None = None
    enrollment_info: EnrollmentInfo | None = None


class ArmGroup(_W):
    label: str | None = None
    type: str | None = None
    description: str | None = None
    intervention_names: list[str] = []


class Intervention(_W):
    type: str | None = None
    name: str | None = None
    description: str | None = None
    arm_group_labels: list[str] = []
    other_names: list[str] = []


class ArmsInterventionsModule(_W):
    arm_groups: list[ArmGroup] = []
    interventions: list[Intervention] = []


class Outcome(_W):
    measure: str | None = None
    description: str | None = None
    time_frame: str | None = None


class OutcomesModule(_W):
    primary_outcomes: list[Outcome] = []
    secondary_outcomes: list[Outcome] = []


class EligibilityModule(_W):
    healthy_volunteers: bool | None = None


class Location(_W):
    country: str | None = None


class ContactsLocationsModule(_W):
    locations: list[Location] = []


class Reference(_W):
    pmid: str | None = None
    type: str | None = None
    citation: str | None = None


class ReferencesModule(_W):
    references: list[Reference] = []


class ProtocolSection(_W):
    identification_module: IdentificationModule | None = None
    status_module: StatusModule | None = None
    sponsor_collaborators_module: SponsorCollaboratorsModule | None = None
    description_module: DescriptionModule | None = None
    conditions_module: ConditionsModule | None = None
    design_module: DesignModule | None = None
    arms_interventions_module: ArmsInterventionsModule | None = None
    outcomes_module: OutcomesModule | None = None
    eligibility_module: EligibilityModule | None = None
    contacts_locations_module: ContactsLocationsModule | None = None
    references_module: ReferencesModule | None = None


class Group(_W):
    id: str | None = None
    title: str | None = None


class Measurement(_W):
    group_id: str | None = None
    value: str | None = None
    spread: str | None = None
    lower_limit: str | None = None
    upper_limit: str | None = None


class Category(_W):
    title: str | None = None
    measurements: list[Measurement] = []


class MeasureClass(_W):
    title: str | None = None
    categories: list[Category] = []


class Analysis(_W):
    group_ids: list[str] = []
    p_value: str | None = None
    statistical_method: str | None = None
    param_type: str | None = None
    param_value: str | None = None
    ci_pct_value: str | None = None
    ci_lower_limit: str | None = None
    ci_upper_limit: str | None = None
    non_inferiority_type: str | None = None


class OutcomeMeasure(_W):
    type: str | None = None
    title: str | None = None
    param_type: str | None = None
    unit_of_measure: str | None = None
    time_frame: str | None = None
    groups: list[Group] = []
    classes: list[MeasureClass] = []
    analyses: list[Analysis] = []


class OutcomeMeasuresModule(_W):
    outcome_measures: list[OutcomeMeasure] = []


class ResultsSection(_W):
    outcome_measures_module: OutcomeMeasuresModule | None = None


class SubmissionInfo(_W):
    release_date: str | None = None
    unrelease_date: str | None = None
    reset_date: str | None = None


class SubmissionTracking(_W):
    estimated_results_first_submit_date: str | None = None
    submission_infos: list[SubmissionInfo] = []


class MiscInfoModule(_W):
    version_holder: str | None = None
    submission_tracking: SubmissionTracking | None = None


class Mesh(_W):
    id: str | None = None
    term: str | None = None


class BrowseModule(_W):
    meshes: list[Mesh] = []


class DerivedSection(_W):
    misc_info_module: MiscInfoModule | None = None
    condition_browse_module: BrowseModule | None = None
    intervention_browse_module: BrowseModule | None = None


class Study(_W):
    protocol_section: ProtocolSection | None = None
    results_section: ResultsSection | None = None
    derived_section: DerivedSection | None = None
    has_results: bool = False


class Page(_W):
    """One /studies page; studies stay raw so each keeps its exact bytes for storage."""

    studies: list[msgspec.Raw]
    """Required: a 200 JSON body without it (a proxy's or login page's JSON) is no studies
    page, and must not read as a complete sync of nothing."""
    next_page_token: str | None = None
    total_count: int | None = None
