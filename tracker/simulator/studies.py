"""Study records in the exact ClinicalTrials.gov API v2 JSON shape, for the simulator.

Shapes follow the real records in ../shared/data/real/ctgov/ (module nesting, enum values,
string-typed result numbers, mixed date precision). Numbers come from a generator seeded
by the NCT id, so one set of arguments always yields the same record.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from typing import Any

import msgspec

from .protocol import (
    NCT_RE,
    Study,
    arms_module,
    design_module,
    identification_module,
    make_derived,
    outcomes_module,
    reference_rows,
    results_dates,
    site_locations,
    status_module,
)
from .results import make_results_section, pad_until

__all__ = ["NCT_RE", "Study", "make_bulk_studies", "make_study"]


def make_study(
    nct_id: str,
    *,
    title: str,
    conditions: Sequence[str],
    interventions: Sequence[tuple[str, str]],
    status: str = "RECRUITING",
    phases: Sequence[str] | None = ("NA",),
    study_type: str = "INTERVENTIONAL",
    enrollment: int = 40,
    with_results: bool = False,
    last_update: str = "2025-01-15",
    start_date: str = "2024-03",
    primary_completion: str = "2026-06-30",
    why_stopped: str | None = None,
    references: Sequence[tuple[str, str]] = (),
    outcome_measures: Sequence[str] | None = None,
    allocation: str = "RANDOMIZED",
    masking: str = "DOUBLE",
    results_first_submit: str | None = None,
    p_values: Sequence[str] = ("0.03",),
    sponsor: str = "Simulated University Hospital",
    padding_kb: int = 0,
) -> Study:
    """One v2 study record. `outcome_measures[0]` is primary, the rest secondary. With results,
    the i-th outcome gets an analysis with pValue `p_values[i]`; outcomes past the list get none.
    `phases=None` leaves designModule.phases out, as in many observational records."""
    if not NCT_RE.match(nct_id):
        raise ValueError(f"not an NCT id: {nct_id!r}")
    measures = outcome_measures or (
        f"Change from baseline in {conditions[0]} rating scale score",
        "Number of participants with treatment-emergent adverse events",
    )
    arms = arms_module(interventions, study_type)
    protocol: Study = {
        "identificationModule": identification_module(nct_id, title, conditions, sponsor),
        "statusModule": status_module(
            status, why_stopped, start_date, primary_completion, last_update, with_results
        ),
        "sponsorCollaboratorsModule": {
            "responsibleParty": {"type": "SPONSOR"},
            "leadSponsor": {"name": sponsor, "class": "OTHER"},
        },
        "oversightModule": {"oversightHasDmc": True, "isFdaRegulatedDrug": False},
        "descriptionModule": {
            "briefSummary": f"This study tests {' and '.join(n for _, n in interventions)}"
            f" in people with {', '.join(conditions)}. {title}."
        },
        "conditionsModule": {
            "conditions": list(conditions),
            "keywords": [*conditions, *(n for _, n in interventions)],
        },
        "designModule": design_module(
            study_type, phases, allocation, masking, len(arms["armGroups"]), enrollment, status
        ),
        "armsInterventionsModule": arms,
        "outcomesModule": outcomes_module(measures),
        "eligibilityModule": {
            "eligibilityCriteria": "Inclusion Criteria:\n\n* Age 18 years or "
            "older\n\nExclusion Criteria:\n\n* Pregnancy",
            "sex": "ALL",
            "minimumAge": "18 Years",
            "stdAges": ["ADULT", "OLDER_ADULT"],
        },
        "contactsLocationsModule": {"locations": site_locations(nct_id, 5)},
    }
    if references:
        protocol["referencesModule"] = {"references": reference_rows(references, title)}
    study: Study = {
        "protocolSection": protocol,
        "derivedSection": make_derived(conditions, interventions, last_update),
        "hasResults": with_results,
    }
    if results_first_submit:  # submitted but not yet posted: only the QC tracking shows it
        study["derivedSection"]["miscInfoModule"]["submissionTracking"] = {
            "estimatedResultsFirstSubmitDate": results_first_submit,
            "submissionInfos": [{"releaseDate": results_first_submit, "mcpReleaseN": 1}],
        }
    if with_results:
        study["resultsSection"] = make_results_section(
            study, p_values=p_values, padding_kb=padding_kb
        )
    elif padding_kb:
        locations = protocol["contactsLocationsModule"]["locations"]
        first = len(locations)
        locations += pad_until(lambda k: site_locations(nct_id, 1, start=first + k)[0], padding_kb)
    return study


# Bulk records for benchmarks: a few fully built templates, copied with cheap fields varied.
_BULK_CONDITIONS = [
    "Amyotrophic Lateral Sclerosis",
    "Parkinson Disease",
    "Multiple Sclerosis",
    "Major Depressive Disorder",
    "Stroke",
    "Alzheimer Disease",
    "Epilepsy",
    "Spinal Muscular Atrophy",
    "Chronic Pain",
    "Migraine",
]
_BULK_ARMS = [
    [("DRUG", "Riluzole"), ("DRUG", "Placebo")],
    [("DEVICE", "Transcranial magnetic stimulation"), ("DEVICE", "Sham stimulation")],
    [("DEVICE", "Transcranial static magnetic stimulation"), ("DEVICE", "Sham tSMS")],
    [("DRUG", "Edaravone"), ("DRUG", "Placebo")],
    [("BIOLOGICAL", "Tofersen"), ("BIOLOGICAL", "Placebo")],
    [("BEHAVIORAL", "Aerobic exercise program"), ("OTHER", "Usual care")],
    [("DIETARY_SUPPLEMENT", "Vitamin D3"), ("DIETARY_SUPPLEMENT", "Placebo")],
    [("DRUG", "Masitinib"), ("DRUG", "Placebo")],
]
_BULK_PHASES = [["PHASE2"], ["NA"], ["PHASE3"], ["PHASE1", "PHASE2"]]
_BULK_STATUSES = {
    True: ["COMPLETED", "COMPLETED", "TERMINATED", "ACTIVE_NOT_RECRUITING"],
    False: ["RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "COMPLETED"],
}
_BULK_KINDS = ["Randomized", "Pilot", "Multicenter", "Long-term", "Sham-controlled"]
_BULK_FIRST_UPDATE = date(2021, 6, 1).toordinal()
_BULK_LAST_UPDATE = date(2025, 1, 15).toordinal()


def _template(index: int, with_results: bool, size_kb: int) -> Study:
    """A fully built record padded so that its JSON is about `size_kb` KiB."""
    arms = _BULK_ARMS[index % len(_BULK_ARMS)]
    args: dict[str, Any] = {
        "title": f"{arms[0][1]} Versus {arms[1][1]}",
        "interventions": arms,
        "conditions": [_BULK_CONDITIONS[index % len(_BULK_CONDITIONS)]],
        "status": "COMPLETED" if with_results else "RECRUITING",
        "phases": _BULK_PHASES[index % len(_BULK_PHASES)],
        "enrollment": 40 + 20 * index,
        "with_results": with_results,
        "start_date": "2021-03",
        "primary_completion": "2023-09-30" if with_results else "2026-06-30",
        "references": [(str(30000000 + index), "BACKGROUND")],
    }
    base = make_study("NCT19999999", **args)
    missing = size_kb - len(msgspec.json.encode(base)) // 1024
    return make_study("NCT19999999", **args, padding_kb=missing) if missing > 0 else base


def _vary(
    template: Study, nct_id: str, index: int, rng: random.Random, with_results: bool
) -> Study:
    """A shallow copy with its own id, title, conditions, status and dates. The large
    sub-objects stay shared with the template: treat bulk records as read-only."""
    protocol = dict(template["protocolSection"])
    interventions = [
        (i["type"], i["name"]) for i in protocol["armsInterventionsModule"]["interventions"]
    ]
    conditions = sorted({rng.choice(_BULK_CONDITIONS), rng.choice(_BULK_CONDITIONS)})
    title = f"{rng.choice(_BULK_KINDS)} Trial of {interventions[0][1]} in {conditions[0]} ({index})"
    last = date.fromordinal(rng.randint(_BULK_FIRST_UPDATE, _BULK_LAST_UPDATE)).isoformat()
    status = rng.choice(_BULK_STATUSES[with_results])
    protocol["identificationModule"] = identification_module(
        nct_id, title, conditions, protocol["sponsorCollaboratorsModule"]["leadSponsor"]["name"]
    )
    status_fields = {
        **protocol["statusModule"],
        "statusVerifiedDate": last[:7],
        "overallStatus": status,
        **(results_dates(last) if with_results else {}),
        "lastUpdateSubmitDate": last,
        "lastUpdatePostDateStruct": {"date": last, "type": "ACTUAL"},
    }
    if status == "TERMINATED":
        status_fields["whyStopped"] = "Slow enrollment"
    protocol["statusModule"] = status_fields
    protocol["conditionsModule"] = {
        "conditions": conditions,
        "keywords": [*conditions, *(n for _, n in interventions)],
    }
    return {
        **template,
        "protocolSection": protocol,
        "derivedSection": make_derived(conditions, interventions, last),
    }


def make_bulk_studies(
    n: int, *, seed: int = 0, with_results: bool = True, size_kb: int = 30
) -> list[Study]:
    """`n` distinct, varied records (ids NCT1xxxxxxx) of about `size_kb` KiB each, for benchmarks.

    Fast (10,000 in about a second) because only a handful of templates are built in full.
    """
    if not 0 <= n <= 10**7:
        raise ValueError("n must be between 0 and 10,000,000 (ids are NCT1 + 7 digits)")
    rng = random.Random(seed)
    templates = [_template(i, with_results, size_kb) for i in range(min(n, len(_BULK_ARMS)))]
    first = (seed * 100_003) % (10**7 - n + 1)  # another seed, another id range
    return [
        _vary(templates[i % len(templates)], f"NCT1{first + i:07d}", i, rng, with_results)
        for i in range(n)
    ]
