"""Map one ClinicalTrials.gov v2 study (wire structs) to a TrialData. Pure: no I/O."""

from __future__ import annotations

import msgspec

from tracker.records.text import clean_record
from tracker.records.trial import (
    Analysis,
    Arm,
    FetchedStudy,
    Intervention,
    Mesh,
    Outcome,
    PartialDate,
    Reference,
    ResultGroup,
    ResultOutcome,
    ResultValue,
    SecondaryId,
    TrialData,
)
from tracker.sources import ctgov_wire as w

_STUDY_DECODER = msgspec.json.Decoder(w.Study)


class ParseError(ValueError):
    """A study whose JSON does not fit the v2 shape (its raw payload is still stored)."""


def decode_study(raw: bytes | msgspec.Raw) -> w.Study:
    try:
        return _STUDY_DECODER.decode(raw)
    except msgspec.DecodeError as exc:  # ValidationError is a subclass
        raise ParseError(str(exc)) from exc


def read_study(raw: msgspec.Raw | bytes, packed: bytes | None = None) -> FetchedStudy:
    """Parse one study, keeping its exact bytes; a study that does not parse is kept too."""
    try:
        study = decode_study(raw)
        trial = clean_record(study_to_trial(study))
    except ParseError as exc:
        nct_id = _salvage_nct_id(bytes(raw))
        return FetchedStudy(nct_id=nct_id, raw=raw, packed=packed, trial=None, error=str(exc))
    return FetchedStudy(
        nct_id=trial.nct_id,
        raw=b"" if packed is not None else raw,
        packed=packed,
        trial=trial,
        version_holder=version_holder(study),
        aliases=tuple(_aliases(study)),
    )


def _salvage_nct_id(data: bytes) -> str:
    """Find the NCT id of a study that did not fit the expected shape, to store it anyway."""
    try:
        generic = msgspec.json.decode(data)
        nct = generic["protocolSection"]["identificationModule"]["nctId"]
    except (msgspec.DecodeError, KeyError, TypeError):
        return ""
    return nct if isinstance(nct, str) else ""


def parse_study(raw: bytes | msgspec.Raw) -> TrialData:
    """Decode and map one study; raises ParseError when it has no NCT id or a wrong shape."""
    return clean_record(study_to_trial(decode_study(raw)))


def study_to_trial(study: w.Study) -> TrialData:
    p = study.protocol_section or w.ProtocolSection()
    ident = p.identification_module or w.IdentificationModule()
    if not ident.nct_id:
        raise ParseError("study has no protocolSection.identificationModule.nctId")
    status = p.status_module or w.StatusModule()
    design = p.design_module or w.DesignModule()
    info = design.design_info or w.DesignInfo()
    masking = info.masking_info or w.MaskingInfo()
    enrol = design.enrollment_info or w.EnrollmentInfo()
    sponsors = p.sponsor_collaborators_module or w.SponsorCollaboratorsModule()
    lead = sponsors.lead_sponsor or w.Party()
    derived = study.derived_section or w.DerivedSection()
    conditions = p.conditions_module or w.ConditionsModule()
    return TrialData(
        nct_id=ident.nct_id,
        org_study_id=ident.org_study_id_info.id if ident.org_study_id_info else None,
        secondary_ids=[
            SecondaryId(id=s.id, type=s.type, domain=s.domain)
            for s in ident.secondary_id_infos
            if s.id
        ],
        brief_title=ident.brief_title,
        official_title=ident.official_title,
        acronym=ident.acronym,
        overall_status=status.overall_status,
        last_known_status=status.last_known_status,
        why_stopped=status.why_stopped,
        start_date=_date(status.start_date_struct),
        primary_completion_date=_date(status.primary_completion_date_struct),
        completion_date=_date(status.completion_date_struct),
        first_submitted=status.study_first_submit_date,
        results_first_submitted=status.results_first_submit_date,
        results_first_posted=_plain(status.results_first_post_date_struct),
        last_update_posted=_plain(status.last_update_post_date_struct),
        study_type=design.study_type,
        phases=list(design.phases),
        allocation=info.allocation,
        intervention_model=info.intervention_model or info.observational_model,
        primary_purpose=info.primary_purpose,
        masking=masking.masking,
        who_masked=list(masking.who_masked),
        enrollment=enrol.count,
        enrollment_type=enrol.type,
        healthy_volunteers=(p.eligibility_module or w.EligibilityModule()).healthy_volunteers,
        brief_summary=(p.description_module or w.DescriptionModule()).brief_summary,
        detailed_description=(p.description_module or w.DescriptionModule()).detailed_description,
        conditions=list(conditions.conditions),
        keywords=list(conditions.keywords),
        condition_meshes=_meshes(derived.condition_browse_module),
        intervention_meshes=_meshes(derived.intervention_browse_module),
        arms=_arms(p.arms_interventions_module),
        interventions=_interventions(p.arms_interventions_module),
        primary_outcomes=_outcomes((p.outcomes_module or w.OutcomesModule()).primary_outcomes),
        secondary_outcomes=_outcomes((p.outcomes_module or w.OutcomesModule()).secondary_outcomes),
        lead_sponsor=lead.name,
        lead_sponsor_class=lead.class_,
        collaborators=[c.name for c in sponsors.collaborators if c.name],
        countries=_countries(p.contacts_locations_module),
        references=[
            Reference(pmid=r.pmid, type=r.type, citation=r.citation)
            for r in (p.references_module or w.ReferencesModule()).references
        ],
        has_results=study.has_results,
        result_outcomes=_result_outcomes(study.results_section),
        results_submitted=_pending_submission(derived.misc_info_module, study.has_results),
    )


def _aliases(study: w.Study) -> list[str]:
    ident = (study.protocol_section or w.ProtocolSection()).identification_module
    return list(ident.nct_id_aliases) if ident else []


def version_holder(study: w.Study) -> str | None:
    """CT.gov's data-version date: metadata about the copy, not content of the record."""
    misc = (study.derived_section or w.DerivedSection()).misc_info_module
    return misc.version_holder if misc else None


def _date(struct: w.DateStruct | None) -> PartialDate | None:
    return PartialDate.parse(struct.date, struct.type) if struct else None


def _plain(struct: w.DateStruct | None) -> str | None:
    return struct.date if struct else None


def _meshes(module: w.BrowseModule | None) -> list[Mesh]:
    return [Mesh(id=normalise_mesh_id(m.id), term=m.term) for m in module.meshes] if module else []


def normalise_mesh_id(mesh_id: str | None) -> str | None:
    """Write a descriptor id the way PubMed does, so the two registries' MeSH compare.

    CT.gov pads every descriptor to nine digits (D000000690). PubMed writes descriptors
    created before 2018 with six (D000690) and newer ones with nine (D000073943); the
    two number ranges do not overlap, so the number alone decides the width."""
    if not mesh_id or not mesh_id.startswith("D") or not mesh_id[1:].isdigit():
        return mesh_id
    number = int(mesh_id[1:])
    return f"D{number:06d}" if number < _FIRST_NINE_DIGIT_DESCRIPTOR else f"D{number:09d}"


_FIRST_NINE_DIGIT_DESCRIPTOR = 66_000
"""Six-digit descriptors end in the D065xxx range; nine-digit ones start at D000067xxx."""


def _arms(module: w.ArmsInterventionsModule | None) -> list[Arm]:
    if module is None:
        return []
    return [
        Arm(
            label=a.label,
            type=a.type,
            description=a.description,
            intervention_names=list(a.intervention_names),
        )
        for a in module.arm_groups
    ]


def _interventions(module: w.ArmsInterventionsModule | None) -> list[Intervention]:
    if module is None:
        return []
    return [
        Intervention(
            type=i.type,
            name=i.name,
            description=i.description,
            other_names=list(i.other_names),
            arm_group_labels=list(i.arm_group_labels),
        )
        for i in module.interventions
    ]


def _outcomes(outcomes: list[w.Outcome]) -> list[Outcome]:
    return [
        Outcome(measure=o.measure, description=o.description, time_frame=o.time_frame)
        for o in outcomes
    ]


def _countries(module: w.ContactsLocationsModule | None) -> list[str]:
    if module is None:
        return []
    return sorted({loc.country for loc in module.locations if loc.country})


def _result_outcomes(results: w.ResultsSection | None) -> list[ResultOutcome]:
    if results is None or results.outcome_measures_module is None:
        return []
    return [_result_outcome(m) for m in results.outcome_measures_module.outcome_measures]


def _result_outcome(m: w.OutcomeMeasure) -> ResultOutcome:
    values = [
        ResultValue(
            group_id=v.group_id,
            value=v.value,
            spread=v.spread,
            lower=v.lower_limit,
            upper=v.upper_limit,
            label=cat.title or cls.title,
        )
        for cls in m.classes
        for cat in cls.categories
        for v in cat.measurements
    ]
    analyses = [
        Analysis(
            group_ids=list(a.group_ids),
            p_value=a.p_value,
            method=a.statistical_method,
            param_type=a.param_type,
            param_value=a.param_value,
            ci_pct=a.ci_pct_value,
            ci_lower=a.ci_lower_limit,
            ci_upper=a.ci_upper_limit,
            non_inferiority_type=a.non_inferiority_type,
        )
        for a in m.analyses
    ]
    return ResultOutcome(
        type=m.type,
        title=m.title,
        param_type=m.param_type,
        unit=m.unit_of_measure,
        time_frame=m.time_frame,
        groups=[ResultGroup(id=g.id, title=g.title) for g in m.groups],
        values=values,
        analyses=analyses,
    )


def _pending_submission(misc: w.MiscInfoModule | None, has_results: bool) -> str | None:
    """Results submitted but not posted: the latest submission's release date.

    A QC 'reset' (comments returned to the sponsor) does not undo the submission: the
    results are still submitted and unposted, which is what readers ask about."""
    if has_results or misc is None or misc.submission_tracking is None:
        return None
    infos = misc.submission_tracking.submission_infos
    if not infos:
        return None
    last = infos[-1]
    if last.release_date and not last.unrelease_date:
        return last.release_date
    return None
