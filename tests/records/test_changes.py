"""changed_fields and material_changes: which differences between two versions are events."""

from __future__ import annotations

from typing import Any

import pytest

from tracker.records.changes import MATERIAL_FIELDS, FieldChange, changed_fields, material_changes
from tracker.records.trial import PartialDate, Reference, ResultOutcome, TrialData


def make_trial(**overrides: Any) -> TrialData:
    """A plausible recruiting trial; override any field."""
    fields: dict[str, Any] = {
        "nct_id": "NCT01234567",
        "brief_title": "rTMS in ALS",
        "overall_status": "RECRUITING",
        "phases": ["PHASE2"],
        "enrollment": 40,
        "enrollment_type": "ESTIMATED",
        "start_date": PartialDate(value="2023-01", precision="month", type="ACTUAL"),
        "primary_completion_date": PartialDate(
            value="2024-06", precision="month", type="ESTIMATED"
        ),
        "completion_date": PartialDate(value="2024-12", precision="month", type="ESTIMATED"),
        "references": [Reference(pmid="11111111", type="BACKGROUND", citation="Old paper.")],
    }
    fields.update(overrides)
    return TrialData(**fields)


def ref(pmid: str | None, citation: str = "A paper.") -> Reference:
    return Reference(pmid=pmid, type="RESULT", citation=citation)


OLD_REF = ref("11111111", "Old paper.")


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param({}, {}, [], id="no-change"),
        pytest.param(
            {},
            {"overall_status": "COMPLETED"},
            [FieldChange("overall_status", "RECRUITING", "COMPLETED")],
            id="status",
        ),
        pytest.param(
            {"overall_status": None},
            {"overall_status": "RECRUITING"},
            [FieldChange("overall_status", None, "RECRUITING")],
            id="status-appears",
        ),
        pytest.param(
            {},
            {"phases": ["PHASE2", "PHASE3"]},
            [FieldChange("phases", "PHASE2", "PHASE2|PHASE3")],
            id="phases-multi",
        ),
        pytest.param(
            {}, {"phases": []}, [FieldChange("phases", "PHASE2", None)], id="phases-removed"
        ),
        pytest.param(
            {}, {"enrollment": 64}, [FieldChange("enrollment", "40", "64")], id="enrollment"
        ),
        pytest.param(
            {"enrollment": None},
            {"enrollment": 0},
            [FieldChange("enrollment", None, "0")],
            id="enrollment-zero-is-a-value",
        ),
        pytest.param({}, {"enrollment_type": "ACTUAL"}, [], id="enrollment-type-not-material"),
        pytest.param(
            {},
            {
                "primary_completion_date": PartialDate(
                    value="2025-03-31", precision="day", type="ESTIMATED"
                )
            },
            [FieldChange("primary_completion_date", "2024-06", "2025-03-31")],
            id="primary-completion-slip",
        ),
        pytest.param(
            {"start_date": None},
            {"start_date": PartialDate(value="2023", precision="year", type=None)},
            [FieldChange("start_date", None, "2023")],
            id="start-date-appears",
        ),
        pytest.param(
            {},
            {"completion_date": None},
            [FieldChange("completion_date", "2024-12", None)],
            id="completion-date-removed",
        ),
        pytest.param(
            {},
            {"overall_status": "TERMINATED", "why_stopped": "Futility at interim analysis"},
            [
                FieldChange("overall_status", "RECRUITING", "TERMINATED"),
                FieldChange("why_stopped", None, "Futility at interim analysis"),
            ],
            id="terminated-with-reason",
        ),
        pytest.param(
            {},
            {"results_submitted": "2025-02-10"},
            [FieldChange("results_submitted", None, "2025-02-10")],
            id="results-submitted",
        ),
        pytest.param(
            {"results_submitted": "2025-02-10"},
            {"results_submitted": "2025-02-10", "brief_title": "Renamed"},
            [],
            id="still-submitted",
        ),
        pytest.param(
            {"results_submitted": "2025-02-10"},
            {"results_submitted": None, "has_results": True, "results_first_posted": "2025-04-01"},
            [
                FieldChange("results_submitted", "2025-02-10", None),
                FieldChange("results_posted", None, "2025-04-01"),
            ],
            id="results-posted-after-submission",
        ),
        pytest.param(
            {},
            {"has_results": True},
            [FieldChange("results_posted", None, "yes")],
            id="results-posted-without-date",
        ),
        pytest.param(
            {},
            {"references": [OLD_REF, ref("22222222")]},
            [FieldChange("references", None, "PMID:22222222")],
            id="reference-added",
        ),
        pytest.param(
            {},
            {"references": [ref("33333333"), OLD_REF, ref(None), ref("22222222")]},
            [FieldChange("references", None, "PMID:33333333, PMID:22222222")],
            id="only-new-pmids-in-order",
        ),
        pytest.param({}, {"references": []}, [], id="reference-removed"),
        pytest.param(
            {}, {"references": [OLD_REF, ref(None, "Abstract.")]}, [], id="reference-without-pmid"
        ),
        pytest.param(
            {},
            {"references": [Reference(pmid="11111111", type="RESULT", citation="Renamed.")]},
            [],
            id="same-pmid-edited",
        ),
        pytest.param(
            {},
            {"brief_title": "New title", "keywords": ["TMS"], "countries": ["Italy"]},
            [],
            id="non-material-fields",
        ),
    ],
)
def test_material_changes(
    before: dict[str, Any], after: dict[str, Any], expected: list[FieldChange]
) -> None:
    old = make_trial(**before)
    new = make_trial(**{**before, **after})
    assert material_changes(old, new) == expected


def test_material_changes_follow_material_fields_order() -> None:
    old = make_trial()
    new = make_trial(
        overall_status="COMPLETED",
        phases=["PHASE3"],
        enrollment=41,
        start_date=None,
        primary_completion_date=PartialDate(value="2024-07", precision="month"),
        completion_date=PartialDate(value="2025", precision="year"),
        why_stopped="x",
        results_submitted="2025-01-01",
        results_first_posted="2025-02-01",
        references=[OLD_REF, ref("99999999")],
    )
    assert [c.field for c in material_changes(old, new)] == list(MATERIAL_FIELDS)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        pytest.param({}, [], id="no-change"),
        pytest.param({"overall_status": "COMPLETED"}, ["overall_status"], id="one"),
        pytest.param(
            {"enrollment": 12, "overall_status": "COMPLETED", "acronym": "X"},
            ["acronym", "overall_status", "enrollment"],
            id="declaration-order",
        ),
        pytest.param(
            {"primary_completion_date": PartialDate(value="2024-06", precision="month")},
            ["primary_completion_date"],
            id="date-type-only",
        ),
        pytest.param({"references": []}, ["references"], id="reference-removed"),
        pytest.param(
            {
                "result_outcomes": [
                    ResultOutcome(
                        type="PRIMARY",
                        title="ALSFRS-R",
                        param_type=None,
                        unit=None,
                        time_frame=None,
                        groups=[],
                        values=[],
                        analyses=[],
                    )
                ]
            },
            ["result_outcomes"],
            id="nested-results",
        ),
    ],
)
def test_changed_fields(after: dict[str, Any], expected: list[str]) -> None:
    assert changed_fields(make_trial(), make_trial(**after)) == expected


def test_changed_fields_sees_equal_copies_as_unchanged() -> None:
    assert (
        changed_fields(
            make_trial(phases=["PHASE1", "PHASE2"]), make_trial(phases=["PHASE1", "PHASE2"])
        )
        == []
    )
