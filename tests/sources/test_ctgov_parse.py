"""parse_study: the ClinicalTrials.gov v2 study JSON mapped to TrialData (pure, no HTTP)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests import paths
from tracker.records.trial import (
    Analysis,
    Arm,
    Intervention,
    Mesh,
    Outcome,
    PartialDate,
    ResultGroup,
    ResultValue,
    SecondaryId,
    TrialData,
    encode_record,
)
from tracker.sources import ctgov_wire
from tracker.sources.ctgov_parse import ParseError, normalise_mesh_id, parse_study

FIXTURES = paths.FIXTURES / "ctgov"
REAL_CTGOV = paths.SHARED_REAL / "ctgov"


def read_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> dict[str, Any]:
    study: dict[str, Any] = json.loads(read_fixture(name))
    return study


def parse_dict(study: dict[str, Any]) -> TrialData:
    return parse_study(json.dumps(study).encode())


@pytest.fixture(scope="module")
def stimals() -> TrialData:
    return parse_study(read_fixture("NCT04393467.json"))


@pytest.fixture(scope="module")
def observational() -> TrialData:
    return parse_study(read_fixture("NCT05100000_observational.json"))


@pytest.fixture(scope="module")
def terminated() -> TrialData:
    return parse_study(read_fixture("NCT06200000_terminated.json"))


# --- NCT04393467 (STIMALS): interventional, with posted results ---------------------------


def test_stimals_identification(stimals: TrialData) -> None:
    assert stimals.nct_id == "NCT04393467"
    assert stimals.org_study_id == "STIMALS"
    assert stimals.secondary_ids == [
        SecondaryId(id="2019-003123-41", type="EUDRACT_NUMBER", domain=None)
    ]
    assert stimals.brief_title == (
        "Transcranial Static Magnetic Field Stimulation (tSMS) in Amyotrophic Lateral "
        "Sclerosis (ALS)."
    )
    assert stimals.official_title is not None
    assert stimals.official_title.startswith("Efficacy of Transcranial Static Magnetic")
    assert stimals.acronym == "STIMALS"
    assert stimals.title == stimals.brief_title


def test_stimals_status_and_dates(stimals: TrialData) -> None:
    assert stimals.overall_status == "COMPLETED"
    assert stimals.last_known_status is None
    assert stimals.why_stopped is None
    # '2020-06' is a month, not 2020-06-01: the precision is kept next to the value.
    assert stimals.start_date == PartialDate(value="2020-06", precision="month", type="ACTUAL")
    assert stimals.primary_completion_date == PartialDate(
        value="2022-07-29", precision="day", type="ACTUAL"
    )
    assert stimals.completion_date == PartialDate(
        value="2023-12-22", precision="day", type="ACTUAL"
    )
    assert stimals.first_submitted == "2020-05-14"
    assert stimals.results_first_submitted == "2024-09-30"
    assert stimals.results_first_posted == "2024-11-15"
    assert stimals.last_update_posted == "2024-11-15"


def test_stimals_design(stimals: TrialData) -> None:
    assert stimals.study_type == "INTERVENTIONAL"
    assert stimals.phases == ["PHASE2"]
    assert stimals.allocation == "RANDOMIZED"
    assert stimals.intervention_model == "PARALLEL"
    assert stimals.primary_purpose == "TREATMENT"
    assert stimals.masking == "QUADRUPLE"
    assert stimals.who_masked == [
        "PARTICIPANT",
        "CARE_PROVIDER",
        "INVESTIGATOR",
        "OUTCOMES_ASSESSOR",
    ]
    assert (stimals.enrollment, stimals.enrollment_type) == (40, "ACTUAL")
    assert stimals.healthy_volunteers is False
    assert stimals.brief_summary is not None
    assert "tSMS" in stimals.brief_summary


def test_stimals_conditions_keywords_and_mesh(stimals: TrialData) -> None:
    assert stimals.conditions == ["Amyotrophic Lateral Sclerosis"]
    assert stimals.keywords == [
        "Amyotrophic Lateral Sclerosis",
        "ALS",
        "transcranial magnetic stimulation",
        "static magnetic field",
        "tSMS",
    ]
    assert stimals.condition_meshes == [
        Mesh(id="D000690", term="Amyotrophic Lateral Sclerosis"),
        Mesh(id="D012598", term="Sclerosis"),
        Mesh(id="D016472", term="Motor Neuron Disease"),
    ]
    assert stimals.intervention_meshes == [
        Mesh(id="D050781", term="Transcranial Magnetic Stimulation")
    ]


def test_stimals_arms_and_interventions(stimals: TrialData) -> None:
    assert stimals.arms == [
        Arm(
            label="Real tSMS",
            type="EXPERIMENTAL",
            description=(
                "Bilateral tSMS over the primary motor cortex, 120 minutes daily at home "
                "for 6 months."
            ),
            intervention_names=["Device: tSMS"],
        ),
        Arm(
            label="Sham tSMS",
            type="SHAM_COMPARATOR",
            description=(
                "Sham stimulation with a non-magnetic cylinder of identical appearance, "
                "same schedule."
            ),
            intervention_names=["Device: sham tSMS"],
        ),
    ]
    assert stimals.interventions == [
        Intervention(
            type="DEVICE",
            name="tSMS",
            description="Cylindrical neodymium magnet placed over each motor cortex with a helmet.",
            other_names=[
                "transcranial static magnetic field stimulation",
                "static magnetic stimulation",
            ],
            arm_group_labels=["Real tSMS"],
        ),
        Intervention(
            type="DEVICE",
            name="sham tSMS",
            description="Non-magnetic stainless-steel cylinder of the same size and weight.",
            other_names=["placebo stimulation"],
            arm_group_labels=["Sham tSMS"],
        ),
    ]


def test_stimals_protocol_outcomes(stimals: TrialData) -> None:
    assert stimals.primary_outcomes == [
        Outcome(
            measure="ALSFRS-R monthly progression rate (MPR) during treatment",
            description=(
                "Mean monthly decline of the ALSFRS-R total score (range 0-48, higher is "
                "better) over the 6-month treatment period, compared with the pre-treatment MPR."
            ),
            time_frame="6 months",
        )
    ]
    assert [o.measure for o in stimals.secondary_outcomes] == [
        "Tracheostomy-free survival",
        "Motor unit number index (MUNIX)",
        "Forced vital capacity (FVC)",
        "Number of participants with adverse events",
    ]
    assert stimals.secondary_outcomes[0].time_frame == (
        "24 months from randomisation (6 months of treatment plus 18 months of follow-up)"
    )


def test_stimals_sponsor_countries_and_references(stimals: TrialData) -> None:
    assert stimals.lead_sponsor == "Campus Bio-Medico University"
    assert stimals.lead_sponsor_class == "OTHER"
    assert stimals.collaborators == ["Istituto Auxologico Italiano"]
    assert stimals.countries == ["Italy"]  # two Italian sites, one country
    assert len(stimals.references) == 1
    ref = stimals.references[0]
    assert (ref.pmid, ref.type) == ("38962538", "RESULT")
    assert ref.citation is not None
    assert ref.citation.startswith("Di Lazzaro V, Ranieri F")
    assert "doi: 10.1016/j.lanepe.2024.101019" in ref.citation
    assert stimals.reference_pmids == ["38962538"]


def test_stimals_results_primary_outcome_with_analysis(stimals: TrialData) -> None:
    assert stimals.has_results is True
    assert stimals.results_submitted is None  # posted, so not "submitted and pending"
    assert [r.type for r in stimals.result_outcomes] == [
        "PRIMARY",
        "SECONDARY",
        "SECONDARY",
        "SECONDARY",
        "SECONDARY",
    ]
    mpr = stimals.result_outcomes[0]
    assert (
        mpr.title == "ALSFRS-R Monthly Progression Rate (MPR) During the 6-Month Treatment Period"
    )
    assert (mpr.param_type, mpr.unit, mpr.time_frame) == ("MEAN", "points per month", "6 months")
    assert mpr.groups == [
        ResultGroup(id="OG000", title="Real tSMS"),
        ResultGroup(id="OG001", title="Sham tSMS"),
    ]
    assert mpr.values == [
        ResultValue(group_id="OG000", value="0.90", spread="0.55"),
        ResultValue(group_id="OG001", value="0.94", spread="0.55"),
    ]
    assert mpr.analyses == [
        Analysis(
            group_ids=["OG000", "OG001"],
            p_value="0.86",
            method="ANCOVA",
            param_type="Mean Difference (Final Values)",
            param_value="-0.04",
            ci_pct="95",
            ci_lower="-0.44",
            ci_upper="0.36",
            non_inferiority_type="SUPERIORITY",
        )
    ]


def test_stimals_results_survival_outcome_with_confidence_limits(stimals: TrialData) -> None:
    tfs = stimals.result_outcomes[1]
    assert tfs.title == "Tracheostomy-free Survival at 24 Months"
    assert (tfs.param_type, tfs.unit) == ("NUMBER", "percentage of participants")
    assert tfs.values == [
        ResultValue(group_id="OG000", value="72.2", lower="45.6", upper="87.5"),
        ResultValue(group_id="OG001", value="35.7", lower="13.1", upper="59.4"),
    ]
    (analysis,) = tfs.analyses
    assert (analysis.p_value, analysis.method) == ("0.04", "Log Rank")
    assert (analysis.param_type, analysis.param_value) == ("Hazard Ratio (HR)", "0.36")
    assert (analysis.ci_pct, analysis.ci_lower, analysis.ci_upper) == ("95", "0.13", "0.97")


def test_stimals_results_outcomes_without_analyses_or_data(stimals: TrialData) -> None:
    fvc, adverse, munix = stimals.result_outcomes[2:]
    assert fvc.analyses == []
    assert [v.value for v in fvc.values] == ["-9.8", "-11.5"]
    assert adverse.param_type == "COUNT_OF_PARTICIPANTS"
    assert [(v.group_id, v.value, v.spread) for v in adverse.values] == [
        ("OG000", "9", None),
        ("OG001", "8", None),
    ]
    # Not posted yet: a title and time frame, no groups, values or analyses.
    assert munix.title == "Change From Baseline in Motor Unit Number Index (MUNIX) at 6 Months"
    assert (munix.groups, munix.values, munix.analyses) == ([], [], [])
    assert munix.unit is None


# --- NCT05100000: observational, UNKNOWN status, no phases --------------------------------


def test_observational_status_and_dates(observational: TrialData) -> None:
    assert observational.nct_id == "NCT05100000"
    assert observational.overall_status == "UNKNOWN"
    assert observational.last_known_status == "RECRUITING"
    assert observational.why_stopped is None
    # The start date has no type: None, not a default.
    assert observational.start_date == PartialDate(value="2021-09", precision="month", type=None)
    assert observational.primary_completion_date == PartialDate(
        value="2023-09", precision="month", type="ESTIMATED"
    )
    assert observational.completion_date == PartialDate(
        value="2024-03", precision="month", type="ESTIMATED"
    )
    assert observational.results_first_submitted is None
    assert observational.results_first_posted is None
    assert observational.last_update_posted == "2022-03-16"


def test_observational_design(observational: TrialData) -> None:
    assert observational.study_type == "OBSERVATIONAL"
    assert observational.phases == []  # the key is absent
    assert observational.intervention_model == "COHORT"  # from observationalModel
    assert observational.allocation is None
    assert observational.primary_purpose is None
    assert observational.masking is None
    assert observational.who_masked == []
    assert (observational.enrollment, observational.enrollment_type) == (120, "ESTIMATED")
    assert observational.healthy_volunteers is True


def test_observational_ids_people_and_places(observational: TrialData) -> None:
    assert observational.org_study_id == "NUH-NEURO-2021-044"
    assert observational.secondary_ids == []
    assert observational.acronym == "EXCITE-ALS"
    assert observational.lead_sponsor == "Northfield University Hospital"
    assert observational.collaborators == []
    assert observational.countries == ["United Kingdom"]
    assert observational.references == []
    assert observational.conditions == ["Amyotrophic Lateral Sclerosis", "Motor Neuron Disease"]
    assert "resting motor threshold" in observational.keywords
    # Padded real-form ids (D000000690) normalised to the MeSH UI (D000690).
    assert [m.id for m in observational.condition_meshes] == ["D000690", "D016472", "D012598"]
    assert observational.intervention_meshes == []


def test_observational_arms_without_type(observational: TrialData) -> None:
    assert [(a.label, a.type) for a in observational.arms] == [
        ("People with ALS", None),
        ("Healthy controls", None),
    ]
    (tms,) = observational.interventions
    assert tms.type == "DIAGNOSTIC_TEST"
    assert tms.name == "Transcranial magnetic stimulation (single- and paired-pulse)"
    assert tms.other_names == ["TT-TMS"]
    assert tms.arm_group_labels == ["People with ALS", "Healthy controls"]
    assert [o.measure for o in observational.primary_outcomes] == [
        "Change in resting motor threshold (RMT)"
    ]
    assert len(observational.secondary_outcomes) == 3


def test_observational_has_no_results(observational: TrialData) -> None:
    assert observational.has_results is False
    assert observational.result_outcomes == []
    assert observational.results_submitted is None


# --- NCT06200000: terminated, multi-phase, results submitted but not posted ---------------


def test_terminated_status_and_why_stopped(terminated: TrialData) -> None:
    assert terminated.nct_id == "NCT06200000"
    assert terminated.overall_status == "TERMINATED"
    assert terminated.why_stopped == "Futility at interim analysis"
    assert terminated.last_known_status is None
    assert terminated.start_date == PartialDate(value="2024-02-05", precision="day", type="ACTUAL")
    assert terminated.primary_completion_date == PartialDate(
        value="2024-10-18", precision="day", type="ACTUAL"
    )


def test_terminated_design_and_people(terminated: TrialData) -> None:
    assert terminated.phases == ["PHASE2", "PHASE3"]
    assert terminated.masking == "TRIPLE"
    assert terminated.who_masked == ["PARTICIPANT", "INVESTIGATOR", "OUTCOMES_ASSESSOR"]
    assert (terminated.enrollment, terminated.enrollment_type) == (64, "ACTUAL")
    assert terminated.secondary_ids == [SecondaryId(id="R01NS000000", type="NIH", domain=None)]
    assert terminated.acronym == "SLOW-ALS"
    assert terminated.lead_sponsor == "Meridian University Medical Center"
    assert terminated.collaborators == [
        "National Institute of Neurological Disorders and Stroke (NINDS)"
    ]
    assert terminated.countries == ["United States"]
    assert [i.other_names for i in terminated.interventions] == [["rTMS", "1 Hz rTMS"], []]
    assert [m.id for m in terminated.condition_meshes] == ["D000690", "D012598", "D016472"]


def test_terminated_results_submitted_not_posted(terminated: TrialData) -> None:
    assert terminated.has_results is False
    assert terminated.result_outcomes == []
    assert terminated.results_first_posted is None
    # Released 2025-02-10, reset by QC on 2025-02-27: still submitted and unposted.
    assert terminated.results_submitted == "2025-02-10"


# --- results_submitted: _pending_submission semantics ------------------------------------


def _with_submissions(infos: list[dict[str, Any]] | None, *, has_results: bool = False) -> bytes:
    study: dict[str, Any] = {
        "protocolSection": {"identificationModule": {"nctId": "NCT01234567"}},
        "hasResults": has_results,
    }
    if infos is not None:
        study["derivedSection"] = {
            "miscInfoModule": {"submissionTracking": {"submissionInfos": infos}}
        }
    return json.dumps(study).encode()


@pytest.mark.parametrize(
    ("infos", "has_results", "expected"),
    [
        pytest.param(None, False, None, id="no-submission-tracking"),
        pytest.param([], False, None, id="no-submissions"),
        pytest.param([{"releaseDate": "2025-02-10"}], False, "2025-02-10", id="released"),
        pytest.param(
            [{"releaseDate": "2025-02-10", "resetDate": "2025-02-27"}],
            False,
            "2025-02-10",
            id="reset-does-not-undo",
        ),
        pytest.param(
            [{"releaseDate": "2025-02-10", "unreleaseDate": "2025-02-12"}],
            False,
            None,
            id="unreleased",
        ),
        pytest.param(
            [{"releaseDate": "2025-02-10", "resetDate": None, "unreleaseDate": None}],
            False,
            "2025-02-10",
            id="nulls-mean-absent",
        ),
        pytest.param([{"resetDate": "2025-02-27"}], False, None, id="no-release-date"),
        pytest.param(
            [
                {"releaseDate": "2024-05-01", "unreleaseDate": "2024-05-03"},
                {"releaseDate": "2025-01-20"},
            ],
            False,
            "2025-01-20",
            id="latest-release-wins",
        ),
        pytest.param(
            [
                {"releaseDate": "2024-05-01", "resetDate": "2024-06-01"},
                {"releaseDate": "2025-01-20", "unreleaseDate": "2025-01-22"},
            ],
            False,
            None,
            id="latest-unreleased",
        ),
        pytest.param([{"releaseDate": "2025-02-10"}], True, None, id="already-posted"),
    ],
)
def test_results_submitted_from_submission_tracking(
    infos: list[dict[str, Any]] | None, has_results: bool, expected: str | None
) -> None:
    trial = parse_study(_with_submissions(infos, has_results=has_results))
    assert trial.results_submitted == expected


# --- dates and MeSH ids -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "type_", "expected"),
    [
        ("2022", "ACTUAL", PartialDate(value="2022", precision="year", type="ACTUAL")),
        ("2020-06", "ACTUAL", PartialDate(value="2020-06", precision="month", type="ACTUAL")),
        ("2020-06-15", None, PartialDate(value="2020-06-15", precision="day", type=None)),
        ("2020-6", None, PartialDate(value="2020-6", precision="unknown", type=None)),
        (None, "ACTUAL", None),
        ("", None, None),
    ],
)
def test_partial_date_keeps_precision(
    value: str | None, type_: str | None, expected: PartialDate | None
) -> None:
    assert PartialDate.parse(value, type_) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("D000690", "D000690"),
        ("D000000690", "D000690"),
        ("D050781", "D050781"),
        ("D000050781", "D050781"),
        ("D000016472", "D016472"),
        (None, None),
        ("", ""),
        ("not-an-id", "not-an-id"),
    ],
)
def test_normalise_mesh_id(raw: str | None, expected: str | None) -> None:
    assert normalise_mesh_id(raw) == expected


def test_normalise_mesh_id_keeps_nine_digit_descriptor_ids() -> None:
    assert normalise_mesh_id("D000073943") == "D000073943"


def test_both_mesh_forms_parse_to_the_same_id() -> None:
    short = fixture_json("NCT04393467.json")
    padded = copy.deepcopy(short)
    padded["derivedSection"]["conditionBrowseModule"]["meshes"][0]["id"] = "D000000690"
    assert short["derivedSection"]["conditionBrowseModule"]["meshes"][0]["id"] == "D000690"
    assert parse_dict(short).condition_meshes == parse_dict(padded).condition_meshes


# --- tolerance and errors -----------------------------------------------------------------


def test_page_with_unknown_fields_and_enum_values_parses() -> None:
    page = msgspec.json.decode(read_fixture("studies_page_unknowns.json"), type=ctgov_wire.Page)
    assert (page.total_count, page.next_page_token) == (2, None)
    first, second = (parse_study(raw) for raw in page.studies)

    assert first.nct_id == "NCT07000001"
    assert first.overall_status == "PAUSED_FOR_REVIEW"  # unknown enum kept as a string
    assert first.allocation == "ADAPTIVE"
    assert first.official_title is None
    assert first.last_update_posted == "2025-10-02"  # unknown 'precision' key ignored
    assert first.primary_completion_date == PartialDate(
        value="2027-06", precision="month", type="ESTIMATED"
    )
    assert first.interventions[0].other_names == ["iTBS"]
    assert [o.measure for o in first.primary_outcomes] == ["Change in ALSFRS-R total score"]
    assert first.condition_meshes == [Mesh(id="D000690", term="Amyotrophic Lateral Sclerosis")]
    assert (first.enrollment, first.enrollment_type) == (180, "ESTIMATED")
    assert first.results_submitted is None

    assert second.nct_id == "NCT07000002"
    assert second.start_date == PartialDate(value="2022", precision="year", type="ACTUAL")
    assert second.phases == ["NA"]
    assert second.arms == []
    assert second.interventions == [
        Intervention(
            type="DEVICE", name="rTMS", description=None, other_names=[], arm_group_labels=[]
        )
    ]
    assert second.countries == ["France"]
    assert [m.id for m in second.condition_meshes] == ["D010300", "D003863"]
    assert second.results_submitted == "2025-06-10"  # null reset/unrelease dates tolerated


def _set(study: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(study)
    *parents, leaf = path.split(".")
    node = changed
    for key in parents:
        node = node[key]
    node[leaf] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "mentions"),
    [
        ("protocolSection.designModule.enrollmentInfo.count", "forty", "enrollmentInfo"),
        ("protocolSection.designModule.phases", "PHASE2", "phases"),
        ("protocolSection.statusModule.startDateStruct", "2020-06", "startDateStruct"),
        ("protocolSection.identificationModule.nctId", 4393467, "nctId"),
        ("hasResults", "yes", "hasResults"),
        ("protocolSection", [], "protocolSection"),
    ],
)
def test_wrong_typed_field_raises_parse_error(path: str, value: Any, mentions: str) -> None:
    study = _set(fixture_json("NCT04393467.json"), path, value)
    with pytest.raises(ParseError, match=mentions):
        parse_dict(study)


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'"NCT04393467"', b"null"])
def test_not_a_study_object_raises_parse_error(raw: bytes) -> None:
    with pytest.raises(ParseError):
        parse_study(raw)


@pytest.mark.parametrize(
    "study",
    [
        pytest.param({}, id="empty"),
        pytest.param({"hasResults": False}, id="no-protocol-section"),
        pytest.param({"protocolSection": {}}, id="no-identification"),
        pytest.param({"protocolSection": {"identificationModule": {}}}, id="no-nct-id"),
        pytest.param({"protocolSection": {"identificationModule": {"nctId": ""}}}, id="blank"),
        pytest.param({"protocolSection": {"identificationModule": {"nctId": None}}}, id="null"),
    ],
)
def test_study_without_nct_id_raises_parse_error(study: dict[str, Any]) -> None:
    with pytest.raises(ParseError, match="nctId"):
        parse_dict(study)


def test_minimal_study_gets_empty_defaults() -> None:
    trial = parse_dict({"protocolSection": {"identificationModule": {"nctId": "NCT01234567"}}})
    assert trial == TrialData(nct_id="NCT01234567")
    assert trial.title == "NCT01234567"


def test_key_order_does_not_change_the_canonical_encoding() -> None:
    study = fixture_json("NCT06200000_terminated.json")
    reordered = dict(reversed(list(study.items())))
    reordered["protocolSection"] = dict(reversed(list(study["protocolSection"].items())))
    assert json.dumps(reordered) != json.dumps(study)
    assert encode_record(parse_dict(reordered)) == encode_record(parse_dict(study))


# --- conformance with the real recorded responses -----------------------------------------

NCT_ID = re.compile(r"^NCT\d{8}$")
DATE_SHAPES = {"year": r"\d{4}", "month": r"\d{4}-\d{2}", "day": r"\d{4}-\d{2}-\d{2}"}


def _real_files() -> list[Any]:
    if not REAL_CTGOV.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{REAL_CTGOV} is absent"))]
    return [pytest.param(path, id=path.name) for path in sorted(REAL_CTGOV.glob("*.json"))]


def _real_studies(path: Path) -> list[tuple[dict[str, Any], bytes]]:
    """(study as dict, study's raw bytes) for a single-study file or a /studies page."""
    data = path.read_bytes()
    top = json.loads(data)
    if isinstance(top, dict) and "protocolSection" in top:
        return [(top, data)]
    if isinstance(top, dict) and isinstance(top.get("studies"), list):
        page = msgspec.json.decode(data, type=ctgov_wire.Page)
        assert len(page.studies) == len(top["studies"])
        return [(json.loads(bytes(raw)), bytes(raw)) for raw in page.studies]
    pytest.skip(f"{path.name} is neither a study nor a /studies page")


def _check_invariants(study: dict[str, Any], trial: TrialData) -> None:
    assert NCT_ID.match(trial.nct_id), trial.nct_id
    assert trial.nct_id == study["protocolSection"]["identificationModule"]["nctId"]
    for date in (trial.start_date, trial.primary_completion_date, trial.completion_date):
        if date is None:
            continue
        assert date.precision in DATE_SHAPES, date
        assert re.fullmatch(DATE_SHAPES[date.precision], date.value), date
        assert date.type in (None, "ACTUAL", "ESTIMATED"), date
    measures = ((study.get("resultsSection") or {}).get("outcomeMeasuresModule") or {}).get(
        "outcomeMeasures"
    )
    assert trial.has_results is bool(study.get("hasResults", False))
    assert bool(trial.result_outcomes) is bool(study.get("hasResults") and measures)
    if trial.has_results:
        assert trial.results_submitted is None
    for mesh in (*trial.condition_meshes, *trial.intervention_meshes):
        assert mesh.id is None or normalise_mesh_id(mesh.id) == mesh.id, mesh.id
    assert trial.countries == sorted(set(trial.countries))


@pytest.mark.parametrize("path", _real_files())
def test_real_recorded_studies_parse(path: Path | None) -> None:
    assert path is not None
    studies = _real_studies(path)
    assert studies, f"{path.name} holds no studies"
    for study, raw in studies:
        _check_invariants(study, parse_study(raw))
