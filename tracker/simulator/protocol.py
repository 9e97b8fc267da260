"""Protocol and derived sections of a simulated v2 study: the registration, not the results.

Shapes follow the real records in ../shared/data/real/ctgov/ (module nesting, enum values,
mixed date precision: a start date keeps the precision it was given).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

Study = dict[str, Any]
NCT_RE = re.compile(r"^NCT\d{8}$")

_WHO_MASKED = {
    "NONE": [],
    "SINGLE": ["PARTICIPANT"],
    "DOUBLE": ["PARTICIPANT", "INVESTIGATOR"],
    "TRIPLE": ["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR"],
    "QUADRUPLE": ["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR"],
}
# Statuses after which enrollment is reported as ACTUAL rather than ESTIMATED.
_ENROLLED = frozenset({"COMPLETED", "TERMINATED", "ACTIVE_NOT_RECRUITING", "WITHDRAWN", "UNKNOWN"})
# Real MeSH ids (v2 pads them to 9 digits: D000690 -> D000000690) for the terms the
# tracker's first question uses, so condition-mesh matching behaves like the real registry.
_KNOWN_MESH = {
    "amyotrophic lateral sclerosis": ("D000000690", "Amyotrophic Lateral Sclerosis"),
    "als": ("D000000690", "Amyotrophic Lateral Sclerosis"),
    "motor neuron disease": ("D000016472", "Motor Neuron Disease"),
    "mnd": ("D000016472", "Motor Neuron Disease"),
}
# A tiny stand-in for Essie's synonym expansion: MeSH entry terms that a search also finds
# a study by, through its condition or intervention MeSH id (as "ALS" finds studies that
# only list "Amyotrophic Lateral Sclerosis").
MESH_SYNONYMS = {
    "D000000690": ["ALS", "Lou Gehrig Disease", "Motor Neuron Disease, Amyotrophic Lateral"],
    "D000016472": ["MND", "Motor Neurone Disease"],
}
SITES = [
    ("Policlinico Universitario Campus Bio-Medico", "Rome", "Italy"),
    ("Istituto Auxologico Italiano IRCCS", "Milan", "Italy"),
    ("Massachusetts General Hospital", "Boston", "United States"),
    ("Hopital de la Pitie-Salpetriere", "Paris", "France"),
    ("University Medical Center Utrecht", "Utrecht", "Netherlands"),
    ("Charite - Universitaetsmedizin Berlin", "Berlin", "Germany"),
    ("Royal Brisbane and Women's Hospital", "Brisbane", "Australia"),
    ("Toronto General Hospital", "Toronto", "Canada"),
]
_TIME_FRAMES = ["Baseline to month 6", "Month 12", "Up to 24 months"]


def full_date(value: str) -> str:
    """Widen a PartialDate to yyyy-MM-dd: a month-only date counts as the 1st, as in filters."""
    return {4: f"{value}-01-01", 7: f"{value}-01"}.get(len(value), value)


def shift(value: str, days: int) -> str:
    return (date.fromisoformat(full_date(value)) + timedelta(days=days)).isoformat()


def _struct(value: str, today: str) -> dict[str, str]:
    return {"date": value, "type": "ACTUAL" if full_date(value) <= today else "ESTIMATED"}


def mesh_for(term: str) -> dict[str, str]:
    """A MeSH entry: real ids for the known terms, stable made-up ids for the rest."""
    mesh_id, mesh_term = _KNOWN_MESH.get(term.lower(), ("", term))
    return {"id": mesh_id or f"D{zlib.crc32(term.lower().encode()) % 10**9:09d}", "term": mesh_term}


def initials(name: str) -> str:
    return "".join(word[0] for word in name.split()).upper()


def arms_module(interventions: Sequence[tuple[str, str]], study_type: str) -> Study:
    """One arm per intervention, typed from its name, as most two-arm registrations read."""
    arms, entries = [], []
    for kind, name in interventions:
        low = name.lower()
        arm_type = "EXPERIMENTAL"
        if "placebo" in low or "sham" in low:
            arm_type = "PLACEBO_COMPARATOR" if "placebo" in low else "SHAM_COMPARATOR"
        arm: dict[str, Any] = {"label": name, "type": arm_type}
        if study_type != "INTERVENTIONAL":  # observational cohorts carry no arm type
            del arm["type"]
        arm["description"] = f"Participants receive {name} according to the study schedule."
        arm["interventionNames"] = [f"{kind.replace('_', ' ').title()}: {name}"]
        entry: dict[str, Any] = {
            "type": kind,
            "name": name,
            "description": f"{name}, delivered as specified in the protocol.",
            "armGroupLabels": [name],
        }
        if arm_type == "EXPERIMENTAL":
            entry["otherNames"] = [initials(name) if " " in name else f"{name[:3].upper()}-101"]
        arms.append(arm)
        entries.append(entry)
    return {"armGroups": arms, "interventions": entries}


def outcomes_module(measures: Sequence[str]) -> Study:
    """The first measure is primary and the rest secondary."""
    rows = [
        {
            "measure": m,
            "description": f"{m}, assessed at each scheduled visit.",
            "timeFrame": _TIME_FRAMES[i % 3],
        }
        for i, m in enumerate(measures)
    ]
    return {"primaryOutcomes": rows[:1], **({"secondaryOutcomes": rows[1:]} if rows[1:] else {})}


def status_module(
    status: str, why_stopped: str | None, start: str, completion: str, last: str, results: bool
) -> Study:
    first_submit = shift(min(full_date(start), last), -40)
    mod: dict[str, Any] = {"statusVerifiedDate": last[:7], "overallStatus": status}
    if status == "UNKNOWN":
        mod["lastKnownStatus"] = "RECRUITING"
    if why_stopped:
        mod["whyStopped"] = why_stopped
    mod |= {
        "expandedAccessInfo": {"hasExpandedAccess": False},
        "startDateStruct": _struct(start, last),
        "primaryCompletionDateStruct": _struct(completion, last),
        "completionDateStruct": _struct(completion, last),
        "studyFirstSubmitDate": first_submit,
        "studyFirstSubmitQcDate": first_submit,
        "studyFirstPostDateStruct": {"date": shift(first_submit, 5), "type": "ACTUAL"},
    }
    if results:
        mod |= results_dates(last)
    mod |= {
        "lastUpdateSubmitDate": last,
        "lastUpdatePostDateStruct": {"date": last, "type": "ACTUAL"},
    }
    return mod


def results_dates(posted: str) -> Study:
    """statusModule fields that appear once results are posted (QC takes a few weeks)."""
    return {
        "resultsFirstSubmitDate": shift(posted, -30),
        "resultsFirstSubmitQcDate": shift(posted, -5),
        "resultsFirstPostDateStruct": {"date": posted, "type": "ACTUAL"},
    }


def design_module(
    study_type: str,
    phases: Sequence[str] | None,
    allocation: str,
    masking: str,
    n_arms: int,
    enrollment: int,
    status: str,
) -> Study:
    mod: dict[str, Any] = {"studyType": study_type}
    if phases is not None:
        mod["phases"] = list(phases)
    if study_type == "OBSERVATIONAL":
        mod["designInfo"] = {"observationalModel": "COHORT", "timePerspective": "PROSPECTIVE"}
    else:
        masking_info: dict[str, Any] = {"masking": masking}
        if _WHO_MASKED.get(masking):
            masking_info["whoMasked"] = _WHO_MASKED[masking]
        mod["designInfo"] = {
            "allocation": allocation,
            "interventionModel": "PARALLEL" if n_arms > 1 else "SINGLE_GROUP",
            "primaryPurpose": "TREATMENT",
            "maskingInfo": masking_info,
        }
    kind = "ACTUAL" if status in _ENROLLED else "ESTIMATED"
    mod["enrollmentInfo"] = {"count": enrollment, "type": kind}
    return mod


def identification_module(
    nct_id: str, title: str, conditions: Sequence[str], sponsor: str
) -> Study:
    return {
        "nctId": nct_id,
        "orgStudyIdInfo": {"id": f"SIM-{nct_id[-5:]}"},
        "secondaryIdInfos": [{"id": f"2024-5{nct_id[-5:]}-11", "type": "CTIS"}],
        "organization": {"fullName": sponsor, "class": "OTHER"},
        "briefTitle": title,
        "officialTitle": f"A Prospective Study of {title}",
        "acronym": initials(title)[:8],
    }


def site_locations(nct_id: str, count: int, start: int = 0) -> list[Study]:
    """Sites rotated by the id, so different studies list different first sites."""
    offset = zlib.crc32(nct_id.encode())
    rows = []
    for i in range(start, start + count):
        facility, city, country = SITES[(i + offset) % len(SITES)]
        suffix = f" (satellite {i // len(SITES)})" if i >= len(SITES) else ""
        rows.append({"facility": facility + suffix, "city": city, "country": country})
    return rows


def reference_rows(refs: Sequence[tuple[str, str]], title: str) -> list[Study]:
    return [
        {
            "pmid": pmid,
            "type": kind,
            "citation": f"Rossi M, Bianchi L, Smith J. {title}: report {i + 1}. "
            f"J Neurol Sci. 2024;{400 + i}:1-9. doi: 10.1016/sim.{pmid}.",
        }
        for i, (pmid, kind) in enumerate(refs)
    ]


def make_derived(
    conditions: Sequence[str], interventions: Sequence[tuple[str, str]], version: str
) -> Study:
    """derivedSection: the browse modules carry the MeSH terms that query.cond/intr also match."""
    meshes = [mesh_for(c) for c in conditions]
    derived: Study = {
        "miscInfoModule": {"versionHolder": version},
        "conditionBrowseModule": {
            "meshes": meshes,
            "browseLeaves": [
                {"id": f"M{m['id'][-5:]}", "name": m["term"], "asFound": c, "relevance": "HIGH"}
                for m, c in zip(meshes, conditions, strict=True)
            ],
            "browseBranches": [{"abbrev": "BC10", "name": "Nervous System Diseases"}],
        },
    }
    drugs = [
        mesh_for(name)
        for kind, name in interventions
        if kind in ("DRUG", "BIOLOGICAL") and "placebo" not in name.lower()
    ]
    if drugs:
        derived["interventionBrowseModule"] = {"meshes": drugs}
    return derived
