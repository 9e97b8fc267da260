"""Trial versions written in the real ClinicalTrials.gov v2 JSON shape, for the flag rules'
table tests and the labelled outcome-switching set (module nesting, enum values and date
precision as in the recorded studies under ../shared/data/real/ctgov/)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from tracker.evidence.rules.flags import Version
from tracker.sources.ctgov_parse import parse_study

OutcomeSpec = str | tuple[str, str] | tuple[str, str, str]
"""A measure, or (measure, timeFrame), or (measure, timeFrame, description)."""


def outcome(spec: OutcomeSpec) -> dict[str, str]:
    if isinstance(spec, str):
        return {"measure": spec}
    keys = ("measure", "timeFrame", "description")
    return dict(zip(keys, spec, strict=False))


def study_json(
    nct_id: str = "NCT09000001",
    *,
    primary: Sequence[OutcomeSpec] = (),
    secondary: Sequence[OutcomeSpec] = (),
    start: str | None = "2020-01-15",
    start_type: str = "ACTUAL",
    first_submitted: str = "2019-12-01",
    primary_completion: str | None = "2022-06-30",
    results_first_submitted: str | None = None,
    enrollment: int | None = 100,
    enrollment_type: str = "ESTIMATED",
    status: str = "RECRUITING",
    why_stopped: str | None = None,
    last_update: str = "2020-01-10",
    posted_primary: Sequence[str] = (),
    secondary_ids: Sequence[dict[str, str]] = (),
    aliases: Sequence[str] = (),
) -> dict[str, Any]:
    status_module: dict[str, Any] = {
        "statusVerifiedDate": last_update[:7],
        "overallStatus": status,
        "studyFirstSubmitDate": first_submitted,
        "studyFirstPostDateStruct": {"date": first_submitted, "type": "ACTUAL"},
        "lastUpdateSubmitDate": last_update,
        "lastUpdatePostDateStruct": {"date": last_update, "type": "ACTUAL"},
    }
    if start:
        status_module["startDateStruct"] = {"date": start, "type": start_type}
    if primary_completion:
        status_module["primaryCompletionDateStruct"] = {
            "date": primary_completion,
            "type": "ACTUAL" if status in ("COMPLETED", "TERMINATED") else "ESTIMATED",
        }
    if why_stopped:
        status_module["whyStopped"] = why_stopped
    if results_first_submitted:
        status_module["resultsFirstSubmitDate"] = results_first_submitted
    ident: dict[str, Any] = {
        "nctId": nct_id,
        "orgStudyIdInfo": {"id": f"ORG-{nct_id[-4:]}"},
        "organization": {"fullName": "Test Hospital", "class": "OTHER"},
        "briefTitle": f"Study {nct_id}",
    }
    if secondary_ids:
        ident["secondaryIdInfos"] = list(secondary_ids)
    if aliases:
        ident["nctIdAliases"] = list(aliases)
    design: dict[str, Any] = {"studyType": "INTERVENTIONAL", "phases": ["PHASE3"]}
    if enrollment is not None:
        design["enrollmentInfo"] = {"count": enrollment, "type": enrollment_type}
    study: dict[str, Any] = {
        "protocolSection": {
            "identificationModule": ident,
            "statusModule": status_module,
            "designModule": design,
            "outcomesModule": {
                "primaryOutcomes": [outcome(o) for o in primary],
                "secondaryOutcomes": [outcome(o) for o in secondary],
            },
        },
        "hasResults": bool(posted_primary),
    }
    if posted_primary:
        study["resultsSection"] = {
            "outcomeMeasuresModule": {
                "outcomeMeasures": [
                    {"type": "PRIMARY", "title": t, "reportingStatus": "POSTED"}
                    for t in posted_primary
                ]
            }
        }
    return study


def version(number: int, **facts: Any) -> Version:
    """Version `number` of a study: its JSON parsed as tracker parses a fetched study."""
    raw = msgspec.json.encode(study_json(**facts))
    return Version(number, facts.get("last_update", "2020-01-10"), parse_study(raw))
