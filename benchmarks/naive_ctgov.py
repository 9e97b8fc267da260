"""The naive baseline the ingest benchmark compares against: stdlib json.loads, then the
same fields tracker keeps pulled out into plain dicts. No HTTP, no storage."""

from __future__ import annotations

import json
from typing import Any


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def _date(struct: Any) -> dict[str, Any] | None:
    if not isinstance(struct, dict) or not struct.get("date"):
        return None
    return {"value": struct["date"], "type": struct.get("type")}


def extract(study: dict[str, Any]) -> dict[str, Any]:
    p = study.get("protocolSection", {})
    ident, status = p.get("identificationModule", {}), p.get("statusModule", {})
    design, arms = p.get("designModule", {}), p.get("armsInterventionsModule", {})
    derived = study.get("derivedSection", {})
    return {
        "nct_id": ident.get("nctId"),
        "org_study_id": _get(ident, "orgStudyIdInfo", "id"),
        "secondary_ids": [dict(s) for s in ident.get("secondaryIdInfos", [])],
        "brief_title": ident.get("briefTitle"),
        "official_title": ident.get("officialTitle"),
        "acronym": ident.get("acronym"),
        "overall_status": status.get("overallStatus"),
        "last_known_status": status.get("lastKnownStatus"),
        "why_stopped": status.get("whyStopped"),
        "start_date": _date(status.get("startDateStruct")),
        "primary_completion_date": _date(status.get("primaryCompletionDateStruct")),
        "completion_date": _date(status.get("completionDateStruct")),
        "last_update_posted": _get(status, "lastUpdatePostDateStruct", "date"),
        "study_type": design.get("studyType"),
        "phases": list(design.get("phases", [])),
        "design": dict(design.get("designInfo", {})),
        "enrollment": _get(design, "enrollmentInfo", "count"),
        "conditions": list(_get(p, "conditionsModule", "conditions") or []),
        "keywords": list(_get(p, "conditionsModule", "keywords") or []),
        "condition_meshes": [
            dict(m) for m in _get(derived, "conditionBrowseModule", "meshes") or []
        ],
        "intervention_meshes": [
            dict(m) for m in _get(derived, "interventionBrowseModule", "meshes") or []
        ],
        "arms": [dict(a) for a in arms.get("armGroups", [])],
        "interventions": [dict(i) for i in arms.get("interventions", [])],
        "outcomes": dict(p.get("outcomesModule", {})),
        "lead_sponsor": _get(p, "sponsorCollaboratorsModule", "leadSponsor", "name"),
        "countries": sorted(
            {loc.get("country") for loc in _get(p, "contactsLocationsModule", "locations") or []}
            - {None}
        ),
        "references": [dict(r) for r in _get(p, "referencesModule", "references") or []],
        "has_results": study.get("hasResults", False),
        "result_outcomes": [
            {
                "type": m.get("type"),
                "title": m.get("title"),
                "groups": m.get("groups", []),
                "values": [
                    v
                    for c in m.get("classes", [])
                    for cat in c.get("categories", [])
                    for v in cat.get("measurements", [])
                ],
                "analyses": [dict(a) for a in m.get("analyses", [])],
            }
            for m in _get(study, "resultsSection", "outcomeMeasuresModule", "outcomeMeasures") or []
        ],
        "submission": _get(derived, "miscInfoModule", "submissionTracking"),
    }


def parse_page(body: bytes) -> list[dict[str, Any]]:
    return [extract(s) for s in json.loads(body)["studies"]]


def main() -> None:
    """Time the naive parse of the page files named on the command line, in a fresh
    process so that nothing else's objects burden its garbage collector."""
    import sys
    import time
    from pathlib import Path

    bodies = [Path(name).read_bytes() for name in sys.argv[1:]]
    start = time.perf_counter()
    for body in bodies:
        parse_page(body)
    print(time.perf_counter() - start)


if __name__ == "__main__":
    main()
