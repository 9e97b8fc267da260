"""Is a record about the claim? The population matches and the family is the therapy.

Pure: Signals in, a Relevance out, with the finding it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.evidence.rules.signals import Signals
from tracker.evidence.rules.terms import ExclusionName


@dataclass(frozen=True, slots=True)
class Relevance:
    relevant: bool
    exclusion: ExclusionName | None
    reason: str
    evidence: list[str]


def _only_umbrella(s: Signals, umbrella: frozenset[str], measuring: frozenset[str]) -> bool:
    """The therapy is named only as a wider family, beside a look-alike, and no kind of the
    family itself is named but as a measuring tool."""
    probes = {k for k in s.measurement if k in measuring}
    given = set(s.therapy) | (set(s.mentioned) - probes)
    return bool(s.not_family) and bool(given) and given <= umbrella


def judge_relevance(
    s: Signals,
    umbrella: frozenset[str] = frozenset(),
    measuring: frozenset[str] = frozenset(),
) -> Relevance:
    """The first rule that applies decides, in the order a reviewer would screen."""
    if s.not_a_study:
        why = f"A {s.not_a_study}, not a study."
        return _out("not_a_study", why, [f"publication type: {s.not_a_study}"])
    if s.preclinical:
        why = "An animal or cell study: not people with the condition, whatever it finds."
        return _out("preclinical", why, [s.preclinical])
    if not s.population:
        if s.healthy and not s.disease:
            why = "Studies healthy volunteers, not people with the condition."
            return _out("healthy_volunteers", why, s.healthy)
        why = "The condition studied is not the claim's population."
        return _out("other_condition", why, [f"title: {s.title}", *s.disease[:2]])
    if s.therapy and not _only_umbrella(s, umbrella, measuring):
        kinds = ", ".join(s.therapy)
        found = s.population[:2] + [f"{k}: {w}" for k, w in s.therapy.items()]
        return Relevance(
            True, None, f"Population matches and {kinds} is given as the therapy.", found
        )
    if s.not_family:
        alike = ", ".join(s.not_family)
        why = f"Uses a look-alike of the intervention, not the intervention itself ({alike})."
        return _out("look_alike", why, [f"{k}: {w}" for k, w in s.not_family.items()])
    if s.measurement:
        why = "The intervention is only used to measure, not given as a therapy."
        return _out("diagnostic_use", why, [f"{k}: {w}" for k, w in s.measurement.items()])
    return _out(
        "no_intervention", "Does not use the intervention family at all.", [f"title: {s.title}"]
    )


def _out(exclusion: ExclusionName, reason: str, evidence: list[str]) -> Relevance:
    return Relevance(False, exclusion, reason, evidence)
