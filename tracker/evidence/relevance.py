"""Is a record about the claim? The population matches and the family is the therapy.

Pure: Signals in, a Relevance out, with the finding it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.evidence.signals import Signals


@dataclass(frozen=True, slots=True)
class Relevance:
    relevant: bool
    exclusion: str | None
    reason: str
    evidence: list[str]


def _only_umbrella(s: Signals, umbrella: frozenset[str]) -> bool:
    """Only a wider family is named (brain stimulation), beside a non-magnetic technique."""
    named = set(s.therapy) | set(s.measurement)
    return bool(s.not_family) and bool(named) and named <= umbrella


def judge_relevance(s: Signals, umbrella: frozenset[str] = frozenset()) -> Relevance:
    """The first rule that applies decides, in the order a reviewer would screen."""
    if s.not_a_study:
        return Relevance(
            False,
            "not_a_study",
            f"A {s.not_a_study}, not a study.",
            [f"publication type: {s.not_a_study}"],
        )
    if not s.population:
        if s.healthy and not s.disease:
            return Relevance(
                False,
                "healthy_volunteers",
                "Studies healthy volunteers, not people with the condition.",
                s.healthy,
            )
        return Relevance(
            False,
            "other_condition",
            "The condition studied is not the claim's population.",
            [f"title: {s.title}"],
        )
    if s.therapy and _only_umbrella(s, umbrella):
        found = [f"{k}: {w}" for k, w in s.not_family.items()]
        return Relevance(
            False,
            "not_magnetic",
            f"The stimulation named is not magnetic ({', '.join(s.not_family)}).",
            found,
        )
    if s.therapy:
        kinds = ", ".join(s.therapy)
        return Relevance(
            True,
            None,
            f"Population matches and {kinds} is given as the therapy.",
            s.population[:2] + [f"{k}: {w}" for k, w in s.therapy.items()],
        )
    if s.not_family:
        found = [f"{k}: {w}" for k, w in s.not_family.items()]
        return Relevance(
            False,
            "not_magnetic",
            f"The stimulation is not magnetic ({', '.join(s.not_family)}).",
            found,
        )
    if s.measurement:
        found = [f"{k}: {w}" for k, w in s.measurement.items()]
        return Relevance(
            False,
            "diagnostic_use",
            "Magnetic stimulation is only used to measure, not given as a therapy.",
            found,
        )
    return Relevance(
        False,
        "no_stimulation",
        "Does not use the intervention family at all.",
        [f"title: {s.title}"],
    )
