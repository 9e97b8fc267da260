"""The v2 resultsSection of a simulated study: flow, baseline, outcomes (outcomes.py), AEs.

Used by make_study and, on its own, by CtgovWorld.post_results. As in real records, every
result number is a string except the adverse-event counts, which are integers.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from .outcomes import Arm, Section, groups, outcome_measure, values

# MedDRA preferred term | system organ class. The last four are reported as serious.
_AE_TERMS = [
    tuple(row.split(" | "))
    for row in """Headache | Nervous system disorders
Dizziness | Nervous system disorders
Fatigue | General disorders
Nausea | Gastrointestinal disorders
Constipation | Gastrointestinal disorders
Dysphagia | Gastrointestinal disorders
Fall | Injury, poisoning and procedural complications
Pneumonia | Infections and infestations
Nasopharyngitis | Infections and infestations
Urinary tract infection | Infections and infestations
Back pain | Musculoskeletal and connective tissue disorders
Muscle spasms | Musculoskeletal and connective tissue disorders
Insomnia | Psychiatric disorders
Depression | Psychiatric disorders
Respiratory failure | Respiratory, thoracic and mediastinal disorders
Dyspnoea | Respiratory, thoracic and mediastinal disorders
Skin irritation | Skin and subcutaneous tissue disorders
Weight decreased | Investigations""".splitlines()
]
_RACES = (
    "American Indian or Alaska Native|Asian|Native Hawaiian or Other Pacific Islander|"
    "Black or African American|White|More than one race|Unknown or Not Reported"
).split("|")
_ETHNICITIES = ["Hispanic or Latino", "Not Hispanic or Latino", "Unknown or Not Reported"]


def rng_for(nct_id: str) -> random.Random:
    """A generator seeded by the id: the same study always gets the same numbers."""
    return random.Random(zlib.crc32(nct_id.encode()))


def pad_until(make_item: Callable[[int], Any], padding_kb: int) -> list[Any]:
    """Items `make_item(0)`, `make_item(1)`, ... until they add `padding_kb` KiB of JSON."""
    items: list[Any] = []
    size = 0
    while size < padding_kb * 1024:
        items.append(make_item(len(items)))
        size += len(msgspec.json.encode(items[-1])) + 1  # +1 for the separating comma
    return items


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _flow(arms: Sequence[Arm], counts: Sequence[int], rng: random.Random) -> Section:
    ids = [f"FG{i:03d}" for i in range(len(arms))]
    ae = [rng.randint(0, max(c // 8, 0)) for c in counts]
    quit_ = [rng.randint(0, max(c // 8, 0)) for c in counts]
    done = [c - a - q for c, a, q in zip(counts, ae, quit_, strict=True)]
    milestones = [
        ("STARTED", counts),
        ("COMPLETED", done),
        ("NOT COMPLETED", [a + q for a, q in zip(ae, quit_, strict=True)]),
    ]
    return {
        "recruitmentDetails": "Participants were recruited at the listed sites.",
        "groups": groups("FG", arms),
        "periods": [
            {
                "title": "Overall Study",
                "milestones": [
                    {"type": t, "achievements": values(ids, v, "numSubjects")}
                    for t, v in milestones
                ],
                "dropWithdraws": [
                    {"type": "Adverse Event", "reasons": values(ids, ae, "numSubjects")},
                    {
                        "type": "Withdrawal by Subject",
                        "reasons": values(ids, quit_, "numSubjects"),
                    },
                ],
            }
        ],
    }


def _categorical(
    title: str, cats: Sequence[str], ids: Sequence[str], counts: Sequence[int], rng: random.Random
) -> Section:
    per_group = [_split(c, len(cats), rng) for c in counts]
    per_group.append([sum(col) for col in zip(*per_group, strict=True)])  # the Total column
    return {
        "title": title,
        "paramType": "COUNT_OF_PARTICIPANTS",
        "unitOfMeasure": "Participants",
        "classes": [
            {
                "categories": [
                    {"title": cat, "measurements": values(ids, [pg[j] for pg in per_group])}
                    for j, cat in enumerate(cats)
                ]
            }
        ],
    }


def _baseline(arms: Sequence[Arm], counts: Sequence[int], rng: random.Random) -> Section:
    all_arms = [*arms, ("Total", "Total of all reporting groups")]
    ids = [f"BG{i:03d}" for i in range(len(all_arms))]
    totals = [*counts, sum(counts)]
    ages = [
        {"groupId": g, "value": f"{rng.uniform(52, 64):.1f}", "spread": f"{rng.uniform(8, 12):.1f}"}
        for g in ids
    ]
    months = [
        {
            "groupId": g,
            "value": f"{rng.uniform(12, 20):.1f}",
            "lowerLimit": f"{rng.uniform(6, 10):.1f}",
            "upperLimit": f"{rng.uniform(24, 36):.1f}",
        }
        for g in ids
    ]
    return {
        "populationDescription": "All randomized participants.",
        "groups": groups("BG", all_arms),
        "denoms": [{"units": "Participants", "counts": values(ids, totals)}],
        "measures": [
            {
                "title": "Age, Continuous",
                "paramType": "MEAN",
                "dispersionType": "STANDARD_DEVIATION",
                "unitOfMeasure": "years",
                "classes": [{"categories": [{"measurements": ages}]}],
            },
            _categorical("Sex: Female, Male", ["Female", "Male"], ids, counts, rng),
            _categorical("Ethnicity (NIH/OMB)", _ETHNICITIES, ids, counts, rng),
            _categorical("Race (NIH/OMB)", _RACES, ids, counts, rng),
            {
                "title": "Disease duration",
                "paramType": "MEDIAN",
                "dispersionType": "INTER_QUARTILE_RANGE",
                "unitOfMeasure": "months",
                "classes": [{"categories": [{"measurements": months}]}],
            },
        ],
    }


def _event(
    term: str, organ: str, ids: Sequence[str], at_risk: Sequence[int], rng: random.Random
) -> Section:
    affected = [rng.randint(0, max(n // 4, 0)) for n in at_risk]
    return {
        "term": term,
        "organSystem": organ,
        "sourceVocabulary": "MedDRA (26.0)",
        "assessmentType": "SYSTEMATIC_ASSESSMENT",
        "stats": [
            {
                "groupId": g,
                "numEvents": a + (rng.randint(0, 2) if a else 0),
                "numAffected": a,
                "numAtRisk": n,
            }
            for g, a, n in zip(ids, affected, at_risk, strict=True)
        ],
    }


def _adverse_events(
    arms: Sequence[Arm], counts: Sequence[int], rng: random.Random, padding_kb: int
) -> Section:
    ids = [f"EG{i:03d}" for i in range(len(arms))]
    serious = [_event(t, o, ids, counts, rng) for t, o in _AE_TERMS[-4:]]
    other = [_event(t, o, ids, counts, rng) for t, o in _AE_TERMS[:-4]]

    def padding(k: int) -> Section:  # more, rarer terms, each with its own stats
        term, organ = _AE_TERMS[k % len(_AE_TERMS)]
        return _event(f"{term}, episode {k // len(_AE_TERMS) + 2}", organ, ids, counts, rng)

    other += pad_until(padding, padding_kb)
    event_groups = [
        {
            **g,
            "deathsNumAffected": 0,
            "deathsNumAtRisk": n,
            "seriousNumAffected": rng.randint(0, n // 5),
            "seriousNumAtRisk": n,
            "otherNumAffected": rng.randint(n // 5, n // 2),
            "otherNumAtRisk": n,
        }
        for g, n in zip(groups("EG", arms), counts, strict=True)
    ]
    return {
        "frequencyThreshold": "5",
        "timeFrame": "From first dose to end of follow-up",
        "description": "Treatment-emergent adverse events in the safety set.",
        "eventGroups": event_groups,
        "seriousEvents": serious,
        "otherEvents": other,
    }


def make_results_section(
    study: Section, *, p_values: Sequence[str] = ("0.03",), padding_kb: int = 0
) -> Section:
    """Results consistent with the study's arms, enrollment and registered outcomes.

    The i-th registered outcome (primaries first) gets an analysis with pValue `p_values[i]`.
    """
    protocol = study["protocolSection"]
    rng = rng_for(protocol["identificationModule"]["nctId"])
    arm_groups = protocol.get("armsInterventionsModule", {}).get("armGroups", [])
    arms = [(a["label"], a.get("description", "")) for a in arm_groups] or [
        ("All participants", "All enrolled participants.")
    ]
    enrolled = max(protocol["designModule"].get("enrollmentInfo", {}).get("count", 0), len(arms))
    counts = [enrolled // len(arms) + (i < enrolled % len(arms)) for i in range(len(arms))]
    outcomes = protocol.get("outcomesModule", {})
    rows = [("PRIMARY", r) for r in outcomes.get("primaryOutcomes", [])]
    rows += [("SECONDARY", r) for r in outcomes.get("secondaryOutcomes", [])]
    sponsor = protocol["sponsorCollaboratorsModule"]["leadSponsor"]["name"]
    return {
        "participantFlowModule": _flow(arms, counts, rng),
        "baselineCharacteristicsModule": _baseline(arms, counts, rng),
        "outcomeMeasuresModule": {
            "outcomeMeasures": [
                outcome_measure(
                    i, row, kind, arms, counts, rng, p_values[i] if i < len(p_values) else None
                )
                for i, (kind, row) in enumerate(rows)
            ]
        },
        "adverseEventsModule": _adverse_events(arms, counts, rng, padding_kb),
        "moreInfoModule": {
            "certainAgreement": {"piSponsorEmployee": False, "restrictiveAgreement": False},
            "pointOfContact": {
                "title": "Trial Coordinator",
                "organization": sponsor,
                "email": "trials@example.org",
                "phone": "+39 06 0000 0000",
            },
        },
    }
