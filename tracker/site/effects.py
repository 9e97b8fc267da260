"""Effect estimates for the forest plots, from posted results and from abstracts; pooled
only when comparable. Pure: records in, estimates and pooled estimates out.

Two sources, each estimate labelled with its own:
- posted results: a statistical analysis posted on ClinicalTrials.gov for an outcome whose
  title names one of the claim's outcomes, with its point value and 95% interval;
- an abstract: a hazard, odds or risk ratio or a mean difference written with its 95%
  interval (tracker.evidence.rules.stated_effects), about one of the claim's outcomes or
  about an outcome the sentence does not name.

Estimates are comparable when they share the measure, the claim's outcome (survival,
progression) and, for a mean difference, the unit. Two or more comparable estimates from
different studies are pooled by fixed-effect inverse-variance weighting (on the log scale
for ratios), the standard error taken from the interval; a study with several counts
once, its posted result before its abstract. An estimate whose outcome is not named is
shown and never pooled.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from tracker.evidence.rules.stated_effects import stated_effects
from tracker.evidence.rules.vocab import Lexicon
from tracker.records.trial import TrialData

POSTED = "posted results"
ABSTRACT = "abstract"
_Z95 = 1.96
_CANONICAL = (
    (re.compile(r"hazard", re.I), "hazard ratio"),
    (re.compile(r"odds", re.I), "odds ratio"),
    (re.compile(r"risk ratio|relative risk", re.I), "risk ratio"),
    (re.compile(r"mean difference", re.I), "mean difference"),
)


class Estimate(msgspec.Struct, frozen=True, gc=False):
    record: str
    source: str
    """'posted results' or 'abstract'."""
    measure: str
    """'hazard ratio', 'odds ratio', 'risk ratio', 'mean difference', or the registry's own
    name of another measure in lower case."""
    outcome: str
    """The claim's outcome group ('survival'); '' when the abstract's sentence names none."""
    words: str
    """The outcome as written: the registry's outcome title or the sentence's words."""
    unit: str
    value: float
    lower: float
    upper: float
    quote: str
    """The evidence: the abstract's sentence, or the posted analysis in words."""
    study: str = ""
    """The study key, set when the estimates of every study are gathered."""

    @property
    def ratio(self) -> bool:
        return "ratio" in self.measure

    @property
    def label(self) -> str:
        return f"{self.study}: {self.words or 'outcome not named'} ({self.source})"


@dataclass(frozen=True, slots=True)
class Pooled:
    value: float
    lower: float
    upper: float
    studies: int
    how: str


@dataclass(frozen=True, slots=True)
class Forest:
    measure: str
    outcome: str
    unit: str
    estimates: tuple[Estimate, ...]
    pooled: Pooled | None

    @property
    def title(self) -> str:
        unit = f", {self.unit}" if self.unit else ""
        about = f"for {self.outcome}" if self.outcome else "(outcome not named)"
        return f"{self.measure.capitalize()} {about}{unit}"


def canonical_measure(param_type: str | None) -> str:
    text = " ".join((param_type or "estimate").split())
    for pattern, name in _CANONICAL:
        if pattern.search(text):
            return name
    return text.lower()


def posted_estimates(record: str, trial: TrialData, outcomes: Lexicon) -> list[Estimate]:
    """One estimate per analysis with a value and a full 95% interval, for an outcome whose
    title names one of the claim's outcomes."""
    out = []
    for outcome in trial.result_outcomes:
        title = " ".join((outcome.title or "").split())
        named = outcomes.find(title)
        if not named:
            continue
        for analysis in outcome.analyses:
            number = _numbers(analysis.param_value, analysis.ci_lower, analysis.ci_upper)
            if number is None or (analysis.ci_pct or "95").split(".")[0] != "95":
                continue
            measure = canonical_measure(analysis.param_type)
            if "ratio" in measure and min(number) <= 0:
                continue
            value, lower, upper = number
            method = f" ({analysis.method})" if analysis.method else ""
            quote = (
                f"{title}: {analysis.param_type or 'estimate'}{method} {analysis.param_value}, "
                f"95% CI {analysis.ci_lower} to {analysis.ci_upper}"
            )
            unit = "" if "ratio" in measure else (outcome.unit or "")
            group = next(iter(named))
            out.append(
                Estimate(record, POSTED, measure, group, title, unit, value, lower, upper, quote)
            )
    return out


def abstract_estimates(
    record: str, abstract: str, every_outcome: Lexicon, claim_groups: Sequence[str]
) -> list[Estimate]:
    """The abstract's estimates about one of the claim's outcomes, or about none named; an
    estimate about another outcome (cognition, FVC) does not test the claim."""
    out = []
    for e in stated_effects(abstract, every_outcome):
        if e.outcome is not None and e.outcome not in claim_groups:
            continue
        out.append(
            Estimate(
                record,
                ABSTRACT,
                e.measure,
                e.outcome or "",
                " ".join((e.outcome_words or "").split()),
                e.unit,
                e.value,
                e.lower,
                e.upper,
                e.quote,
            )
        )
    return out


def _numbers(*texts: str | None) -> tuple[float, float, float] | None:
    try:
        value, lower, upper = (float(t) for t in texts if t is not None)
    except ValueError:
        return None
    if not lower <= value <= upper or not all(map(math.isfinite, (value, lower, upper))):
        return None
    return value, lower, upper


def forests(found: Sequence[Estimate]) -> list[Forest]:
    """One forest per measure, outcome and (for differences) unit, pooled when at least two
    studies give one; in a fixed order."""
    groups: dict[tuple[str, str, str], list[Estimate]] = defaultdict(list)
    for e in found:
        groups[(e.measure, e.outcome, "" if e.ratio else e.unit.lower())].append(e)
    out = []
    for (measure, outcome, unit), members in sorted(groups.items(), key=_group_order):
        members.sort(key=lambda e: (e.study, e.source != POSTED, e.words, e.value, e.record))
        pooled = pool(members) if outcome else None
        out.append(Forest(measure, outcome, unit, tuple(members), pooled))
    return out


def _group_order(item: tuple[tuple[str, str, str], list[Estimate]]) -> tuple[bool, str, str, str]:
    (measure, outcome, unit), _ = item
    return (not outcome, measure, outcome, unit)


def pool(members: Sequence[Estimate]) -> Pooled | None:
    """Fixed-effect inverse-variance pooling of one estimate per study (a posted result
    before an abstract's); None under two studies."""
    per_study: dict[str, Estimate] = {}
    for e in sorted(members, key=lambda e: (e.source != POSTED, e.words, e.value, e.record)):
        per_study.setdefault(e.study, e)
    if len(per_study) < 2:
        return None
    chosen = [per_study[s] for s in sorted(per_study)]
    ratio = chosen[0].ratio
    scale = math.log if ratio else (lambda x: x)
    back = math.exp if ratio else (lambda x: x)
    weights, total = 0.0, 0.0
    for e in chosen:
        se = (scale(e.upper) - scale(e.lower)) / (2 * _Z95)
        w = 1 / (se * se) if se > 0 else 1e12
        weights += w
        total += w * scale(e.value)
    mean = total / weights
    se = math.sqrt(1 / weights)
    sources = sorted({e.source for e in chosen}, key=lambda s: s != POSTED)
    how = (
        f"Fixed-effect inverse-variance pooling of {len(chosen)} studies' "
        f"{'log ' if ratio else ''}{chosen[0].measure}s for {chosen[0].outcome} "
        f"(from {' and '.join(sources)}; one estimate per study, a posted result before an "
        "abstract's), standard errors from the 95% intervals."
    )
    return Pooled(back(mean), back(mean - _Z95 * se), back(mean + _Z95 * se), len(chosen), how)
