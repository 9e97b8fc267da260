"""Verdicts from results posted on the registry: primary outcomes on progression or survival,
their analyses' p-values, and which arm did better.

Direction comes from the group titles (sham, placebo, control = comparator) and values.
Higher is better unless the measure counts decline, progression rate, deaths or events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.evidence.rules.signals import Signals
from tracker.evidence.rules.strength import strength_of
from tracker.evidence.rules.verdict import Verdict
from tracker.evidence.rules.vocab import Vocab
from tracker.records.trial import ResultOutcome, ResultValue, TrialData

_COMPARATOR = re.compile(
    r"sham|placebo|control|usual care|standard care|\bno[\s-](?:treatment|intervention)|untreated",
    re.I,
)
_LOWER_BETTER = re.compile(
    r"declin|progression rate|rate of progression|slope of decline|deterioration|\bdeaths?\b|"
    r"mortality|number of (?:participants|patients) (?:who )?(?:died|with)|events?\b",
    re.I,
)
_NUMBER = re.compile(r"[-+]?\d*\.?\d+")


@dataclass(frozen=True, slots=True)
class Finding:
    primary: bool
    significant: bool | None
    benefit: bool | None
    quote: str


def results_verdict(t: TrialData, s: Signals, vocab: Vocab) -> Verdict | None:
    """None when nothing is posted."""
    if not t.has_results or not t.result_outcomes:
        return None
    findings = [read_outcome(o) for o in t.result_outcomes if vocab.outcomes.find(f"{o.title}")]
    primary = [f for f in findings if f.primary]
    quotes = [f.quote for f in findings][:6]
    if primary:
        return _decide_primary(primary, quotes, s)
    wins = [f for f in findings if f.significant and f.benefit]
    if wins:
        return Verdict(
            "confirms",
            "results.secondary_benefit",
            "Posted results show a significant benefit on a secondary progression or survival "
            "outcome.",
            quotes,
            strength_of(s.design, on_primary=False),
        )
    if findings:
        return Verdict(
            "inconclusive",
            "results.secondary_unchanged",
            "Progression or survival were only secondary outcomes in the posted results, and did "
            "not improve.",
            quotes,
            "weak",
        )
    titles = [f"{o.type}: {o.title}" for o in t.result_outcomes[:4]]
    return Verdict(
        "inconclusive",
        "results.other_outcomes_only",
        "Posted results cover only outcomes outside the claim (not progression or survival).",
        titles,
        "weak",
    )


def _decide_primary(primary: list[Finding], quotes: list[str], s: Signals) -> Verdict:
    strength = strength_of(s.design, on_primary=True)
    if s.design.uncontrolled or not s.design.controlled:
        return Verdict(
            "inconclusive",
            "results.uncontrolled",
            "Posted results come from an uncontrolled study, which cannot test the claim.",
            quotes,
            "weak",
        )
    if any(f.significant and f.benefit for f in primary):
        return Verdict(
            "confirms",
            "results.primary_benefit",
            "Posted results show a significant benefit of the treatment on the primary progression "
            "or survival outcome.",
            quotes,
            strength,
        )
    if any(f.significant and f.benefit is False for f in primary):
        return Verdict(
            "refutes",
            "results.primary_harm",
            "Posted results show the primary progression or survival outcome significantly worse "
            "with the treatment.",
            quotes,
            strength,
        )
    if all(f.significant is False for f in primary):
        return Verdict(
            "refutes",
            "results.primary_no_benefit",
            "Posted results show no significant difference on the primary progression or survival "
            "outcome.",
            quotes,
            strength,
        )
    return Verdict(
        "inconclusive",
        "results.no_analysis",
        "Results are posted for the primary progression or survival outcome, but without a "
        "statistical comparison.",
        quotes,
        "weak",
    )


def read_outcome(o: ResultOutcome) -> Finding:
    """Significance from the analyses; direction from the arms' first values."""
    ps = [p for a in o.analyses if (p := _p(a.p_value)) is not None]
    significant = None if not ps else any(sig for sig, _ in ps)
    benefit = _direction(o)
    groups = {g.id: g.title or g.id for g in o.groups}
    values = "; ".join(f"{groups.get(v.group_id, v.group_id)} {v.value}" for v in _first_values(o))
    p_text = ", ".join(f"p {a.p_value}" for a in o.analyses if a.p_value) or "no p-value posted"
    quote = f"{(o.type or '').lower()} outcome '{o.title}': {values} ({o.unit or ''}); {p_text}"
    return Finding(o.type == "PRIMARY", significant, benefit, quote)


def _p(text: str | None) -> tuple[bool, float] | None:
    if not text:
        return None
    match = _NUMBER.search(text)
    if not match:
        return None
    value = float(match.group(0))
    if "<" in text:
        return (value <= 0.05, value)
    if ">" in text:
        return (False, value) if value >= 0.05 else None
    return (value < 0.05, value)


def _first_values(o: ResultOutcome) -> list[ResultValue]:
    seen: dict[str | None, ResultValue] = {}
    for v in o.values:
        seen.setdefault(v.group_id, v)
    return list(seen.values())


def _direction(o: ResultOutcome) -> bool | None:
    """True when the intervention arm did better than the comparator, None when unknown."""
    titles = {g.id: g.title or "" for g in o.groups}
    test: list[float] = []
    control: list[float] = []
    for v in _first_values(o):
        number = _NUMBER.search(v.value or "")
        if number is None:
            continue
        group = titles.get(v.group_id, "")
        (control if _COMPARATOR.search(group) else test).append(float(number.group(0)))
    if not test or not control:
        return None
    lower_better = (
        bool(_LOWER_BETTER.search(o.title or "")) and "free" not in (o.title or "").lower()
    )
    diff = max(test) - max(control)
    if diff == 0:
        return None
    return diff < 0 if lower_better else diff > 0
