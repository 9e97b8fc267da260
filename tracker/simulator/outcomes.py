"""Outcome measures of a simulated resultsSection, with analyses whose p-values tests choose.

These are what a verdict reads (which outcome, primary or not, and whether its comparison is
significant), so the estimate and confidence interval always agree with the given pValue.
Also holds the group and cell helpers that every results module shares.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

Section = dict[str, Any]
Arm = tuple[str, str]  # (title, description)

# Per outcome style: paramType, dispersionType, unit, analysis method, estimate type, null value.
_STYLES: list[tuple[str, str | None, str, str, str, float]] = [
    ("MEAN", "STANDARD_DEVIATION", "points per month", "ANCOVA", "Mean Difference", 0.0),
    ("NUMBER", "95% Confidence Interval", "percent", "Log Rank", "Hazard Ratio (HR)", 1.0),
    ("COUNT_OF_PARTICIPANTS", None, "Participants", "Fisher Exact", "Odds Ratio (OR)", 1.0),
]


def p_to_float(value: str) -> float:
    """'<0.001' -> 0.0009, '0.03' -> 0.03: enough to put an estimate on the right side of null."""
    text = value.strip()
    try:
        number = float(text.lstrip("<>=≤≥ "))
    except ValueError:
        return 1.0
    return number * 0.9 if text.startswith(("<", "≤")) else number


def groups(prefix: str, arms: Sequence[Arm]) -> list[Section]:
    return [
        {"id": f"{prefix}{i:03d}", "title": t, "description": d} for i, (t, d) in enumerate(arms)
    ]


def values(ids: Sequence[str], values: Sequence[object], key: str = "value") -> list[Section]:
    return [{"groupId": g, key: str(v)} for g, v in zip(ids, values, strict=True)]


def _analysis(style: int, ids: Sequence[str], titles: Sequence[str], p_value: str) -> Section:
    """A two-group comparison whose confidence interval agrees with its p-value."""
    *_, method, param_type, null = _STYLES[style]
    significant = p_to_float(p_value) < 0.05
    if null == 0.0:
        estimate, low, high = (-0.35, -0.55, -0.15) if significant else (-0.08, -0.28, 0.12)
    else:
        estimate, low, high = (0.45, 0.25, 0.80) if significant else (0.90, 0.60, 1.35)
    return {
        "groupIds": [ids[0], ids[1]],
        "groupDescription": "Prespecified comparison.",
        "nonInferiorityType": "SUPERIORITY",
        "pValue": p_value,
        "statisticalMethod": method,
        "paramType": param_type,
        "paramValue": f"{estimate:.2f}",
        "ciPctValue": "95",
        "ciNumSides": "TWO_SIDED",
        "ciLowerLimit": f"{low:.2f}",
        "ciUpperLimit": f"{high:.2f}",
        "estimateComment": f"{titles[0]} vs. {titles[1]}",
    }


def _measurement(style: int, group: str, count: int, rng: random.Random) -> Section:
    if style == 0:
        return {
            "groupId": group,
            "value": f"{rng.uniform(-1.4, -0.6):.2f}",
            "spread": f"{rng.uniform(0.3, 0.9):.2f}",
        }
    if style == 1:
        value = rng.uniform(35, 75)
        return {
            "groupId": group,
            "value": f"{value:.1f}",
            "lowerLimit": f"{value - 12:.1f}",
            "upperLimit": f"{value + 12:.1f}",
        }
    return {"groupId": group, "value": str(rng.randint(0, count))}


def outcome_measure(
    index: int,
    row: Section,
    kind: str,
    arms: Sequence[Arm],
    counts: Sequence[int],
    rng: random.Random,
    p_value: str | None,
) -> Section:
    style = index % len(_STYLES)
    param_type, dispersion, unit, *_ = _STYLES[style]
    ids = [f"OG{i:03d}" for i in range(len(arms))]
    measure: Section = {
        "type": kind,
        "title": row["measure"],
        "description": row.get("description", ""),
        "populationDescription": "Full analysis set.",
        "reportingStatus": "POSTED",
        "paramType": param_type,
        **({"dispersionType": dispersion} if dispersion else {}),
        "unitOfMeasure": unit,
        "timeFrame": row.get("timeFrame", ""),
        "groups": groups("OG", arms),
        "denoms": [{"units": "Participants", "counts": values(ids, counts)}],
        "classes": [
            {
                "categories": [
                    {
                        "measurements": [
                            _measurement(style, g, c, rng) for g, c in zip(ids, counts, strict=True)
                        ]
                    }
                ]
            }
        ],
    }
    if p_value is not None and len(arms) > 1:
        measure["analyses"] = [_analysis(style, ids, [t for t, _ in arms], p_value)]
    return measure
