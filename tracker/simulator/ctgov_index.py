"""What GET /api/v2/studies searches: each stored study indexed once by area (the API's
piece names: Condition, InterventionName, LastUpdatePostDate, ...) and by the scopes the
query.* parameters search. The search itself is tracker.simulator.ctgov_search."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .protocol import MESH_SYNONYMS, full_date

# Area (the API's piece name) -> where its values are: under protocolSection, or from the
# record root when the path starts with "/". "[]" walks every item of a list.
TEXT_AREAS = {
    "NCTId": "identificationModule.nctId",
    "OrgStudyId": "identificationModule.orgStudyIdInfo.id",
    "SecondaryId": "identificationModule.secondaryIdInfos[].id",
    "BriefTitle": "identificationModule.briefTitle",
    "OfficialTitle": "identificationModule.officialTitle",
    "Acronym": "identificationModule.acronym",
    "OverallStatus": "statusModule.overallStatus",
    "LeadSponsorName": "sponsorCollaboratorsModule.leadSponsor.name",
    "CollaboratorName": "sponsorCollaboratorsModule.collaborators[].name",
    "BriefSummary": "descriptionModule.briefSummary",
    "Condition": "conditionsModule.conditions[]",
    "Keyword": "conditionsModule.keywords[]",
    "Phase": "designModule.phases[]",
    "StudyType": "designModule.studyType",
    "ArmGroupInterventionName": "armsInterventionsModule.armGroups[].interventionNames[]",
    "InterventionName": "armsInterventionsModule.interventions[].name",
    "InterventionOtherName": "armsInterventionsModule.interventions[].otherNames[]",
    "InterventionType": "armsInterventionsModule.interventions[].type",
    "PrimaryOutcomeMeasure": "outcomesModule.primaryOutcomes[].measure",
    "SecondaryOutcomeMeasure": "outcomesModule.secondaryOutcomes[].measure",
    "ConditionMeshTerm": "/derivedSection.conditionBrowseModule.meshes[].term",
    "InterventionMeshTerm": "/derivedSection.interventionBrowseModule.meshes[].term",
}
_MESH_IDS = {
    "ConditionMeshTerm": "/derivedSection.conditionBrowseModule.meshes[].id",
    "InterventionMeshTerm": "/derivedSection.interventionBrowseModule.meshes[].id",
}
DATE_AREAS = {
    "LastUpdatePostDate": "statusModule.lastUpdatePostDateStruct.date",
    "StudyFirstPostDate": "statusModule.studyFirstPostDateStruct.date",
    "ResultsFirstPostDate": "statusModule.resultsFirstPostDateStruct.date",
    "StartDate": "statusModule.startDateStruct.date",
    "PrimaryCompletionDate": "statusModule.primaryCompletionDateStruct.date",
    "CompletionDate": "statusModule.completionDateStruct.date",
}
# The areas each query.* scope searches: query.cond also reads titles and condition MeSH
# terms, query.intr other names and arm labels, as the real search does.
_SCOPE_AREAS = {
    "@cond": "Condition Keyword BriefTitle OfficialTitle Acronym ConditionMeshTerm",
    "@intr": "InterventionName InterventionOtherName ArmGroupInterventionName InterventionMeshTerm",
    "@titles": "BriefTitle OfficialTitle Acronym",
    "@outc": "PrimaryOutcomeMeasure SecondaryOutcomeMeasure",
    "@spons": "LeadSponsorName CollaboratorName",
    "@id": "NCTId OrgStudyId SecondaryId",
}
_SEP = " | "  # between values of one field, so that a phrase never spans two of them


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored study: its encoded JSON (served and searched by query.term) and its index."""

    blob: bytes
    fields: dict[str, str]


def _join(values: Iterable[Any]) -> str:
    return _SEP.join(str(v) for v in values if v)


def _lookup(study: Mapping[str, Any], path: str) -> list[Any]:
    """Every value at `path`, in the notation of TEXT_AREAS."""
    nodes: list[Any] = [study if path.startswith("/") else study.get("protocolSection", {})]
    for key in path.lstrip("/").split("."):
        name = key.removesuffix("[]")
        found = [n[name] for n in nodes if isinstance(n, dict) and n.get(name) is not None]
        nodes = [item for value in found for item in value] if key.endswith("[]") else found
    return nodes


def index_fields(study: Mapping[str, Any]) -> dict[str, str]:
    """Area name -> searchable text, plus the '@' scopes that the query.* parameters search."""
    values = {area: _lookup(study, path) for area, path in TEXT_AREAS.items()}
    for area, path in _MESH_IDS.items():  # what a MeSH term's synonyms also find
        values[area] += [s for i in _lookup(study, path) for s in MESH_SYNONYMS.get(i, [])]
    fields = {area: _join(found) for area, found in values.items()}
    for area, path in DATE_AREAS.items():
        if dates := _lookup(study, path):
            fields[area] = full_date(dates[0])
    for scope, areas in _SCOPE_AREAS.items():
        fields[scope] = _join(fields[a] for a in areas.split())
    return fields
