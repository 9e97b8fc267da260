"""Effect estimates for the forest plot, read from posted results; pooled only when
comparable. Pure: trials and the claim's outcome terms in, estimates out.

An estimate is a statistical analysis posted on ClinicalTrials.gov for an outcome whose
title names one of the claim's outcomes (progression, survival), with its point value
and confidence interval. Two or more of the same measure (hazard ratio, odds ratio, risk
ratio, or a mean difference in the same unit) are pooled by fixed-effect inverse-variance
weighting (on the log scale for ratios), the standard error taken from the interval.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracker.records.trial import TrialData

_RATIO = re.compile(r"hazard|odds|risk ratio|rate ratio|relative risk", re.I)
_Z = {"90": 1.645, "95": 1.96, "99": 2.576}


@dataclass(frozen=True, slots=True)
class Estimate:
    study: str
    label: str
    """The study and outcome, as shown on the plot."""
    measure: str
    """e.g. 'Hazard Ratio (HR)', 'Mean Difference (Final Values)'."""
    unit: str
    value: float
    lower: float
    upper: float
    ratio: bool


@dataclass(frozen=True, slots=True)
class Pooled:
    measure: str
    value: float
    lower: float
    upper: float
    studies: int
    how: str


def estimates(
    trials: Iterable[tuple[str, TrialData]], outcome_terms: Sequence[str]
) -> list[Estimate]:
    """One estimate per (study, outcome, analysis) with a value and a full interval."""
    words = [t.lower() for t in outcome_terms if t]
    out = []
    for study, trial in trials:
        for outcome in trial.result_outcomes:
            title = outcome.title or ""
            if not any(w in title.lower() for w in words):
                continue
            for analysis in outcome.analyses:
                number = _numbers(analysis.param_value, analysis.ci_lower, analysis.ci_upper)
                if number is None or (analysis.ci_pct or "95").split(".")[0] != "95":
                    continue
                measure = analysis.param_type or "estimate"
                ratio = bool(_RATIO.search(measure))
                if ratio and min(number) <= 0:
                    continue
                value, lower, upper = number
                out.append(
                    Estimate(
                        study,
                        f"{study}: {title}",
                        measure,
                        outcome.unit or "",
                        value,
                        lower,
                        upper,
                        ratio,
                    )
                )
    return sorted(out, key=lambda e: (e.measure, e.study, e.label))


def _numbers(*texts: str | None) -> tuple[float, float, float] | None:
    try:
        value, lower, upper = (float(t) for t in texts if t is not None)
    except ValueError:
        return None
    if not lower <= value <= upper or not all(map(math.isfinite, (value, lower, upper))):
        return None
    return value, lower, upper


def pool(found: Sequence[Estimate]) -> list[Pooled]:
    """A pooled estimate per group of >= 2 comparable estimates from different studies."""
    groups: dict[tuple[str, str, bool], list[Estimate]] = defaultdict(list)
    for e in found:
        groups[(e.measure.lower(), "" if e.ratio else e.unit.lower(), e.ratio)].append(e)
    out = []
    for (_, _, ratio), members in sorted(groups.items()):
        per_study = {e.study: e for e in members}  # one estimate a study: no double counting
        if len(per_study) < 2:
            continue
        out.append(_pool(list(per_study.values()), ratio))
    return out


def _pool(members: list[Estimate], ratio: bool) -> Pooled:
    scale = math.log if ratio else (lambda x: x)
    back = math.exp if ratio else (lambda x: x)
    weights, total = 0.0, 0.0
    for e in members:
        se = (scale(e.upper) - scale(e.lower)) / (2 * _Z["95"])
        w = 1 / (se * se) if se > 0 else 1e12
        weights += w
        total += w * scale(e.value)
    mean = total / weights
    se = math.sqrt(1 / weights)
    how = (
        f"Fixed-effect inverse-variance pooling of {len(members)} studies' "
        f"{'log ' if ratio else ''}{members[0].measure}, standard errors from the 95% intervals."
    )
    return Pooled(
        members[0].measure,
        back(mean),
        back(mean - _Z["95"] * se),
        back(mean + _Z["95"] * se),
        len(members),
        how,
    )
