"""A paper against its trial's registration: the outcome it calls primary, and the outcome
its benefit rests on.

Two patterns, as COMPare (Goldacre et al., Trials 2019) checked by hand: the paper's stated
primary outcome is registered only as secondary (or not at all), and the paper reports a
benefit only on an outcome the registry calls secondary. The second is the index result's
own shape: a trial that registered one outcome as primary, found no difference there,
and its news was tracheostomy-free survival, a secondary outcome.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracker.evidence.rules.flags import Flag, Version
from tracker.evidence.rules.flags_text import readable, similarity
from tracker.evidence.rules.reading import Statement, read_abstract
from tracker.evidence.rules.text import sentences
from tracker.evidence.rules.vocab import Vocab
from tracker.records.article import ArticleData
from tracker.records.trial import Outcome

_STATED = (
    re.compile(
        r"\bprimary\s+(?:efficacy\s+)?(?:outcome|end[\s-]?point)(?:\s+measure)?s?\s+"
        r"(?:was|were|is|are|included|comprised)\s+(?:the\s+)?(?P<x>[^.;]{3,200})",
        re.I,
    ),
    re.compile(
        r"(?P<x>[A-Za-z][^.;:]{2,150}?)\s+(?:was|were|served\s+as)\s+the\s+primary\s+"
        r"(?:efficacy\s+)?(?:outcome|end[\s-]?point)",
        re.I,
    ),
)
_SECTION = re.compile(r"primary\s+(?:outcome|end[\s-]?point)|main\s+outcome", re.I)


def stated_primary(a: ArticleData) -> list[str]:
    """The outcome(s) a paper says were primary: a labelled section ('PRIMARY OUTCOME',
    'MAIN OUTCOMES AND MEASURES'), else an explicit sentence."""
    if not any(
        "primary" in s.text.lower() or (s.label and _SECTION.search(s.label)) for s in a.abstract
    ):
        return []  # most abstracts never say: skip splitting them into sentences
    labelled = [s.text for s in a.abstract if s.label and _SECTION.search(s.label)]
    if labelled:
        return [_trim(sentences(labelled[0])[0] if sentences(labelled[0]) else labelled[0])]
    found = []
    for section in a.abstract:
        for sentence in sentences(section.text):
            for pattern in _STATED:
                if m := pattern.search(sentence):
                    found.append(_trim(m.group("x")))
                    break
    return [f for f in dict.fromkeys(found) if readable(f)]


def _trim(text: str) -> str:
    return re.split(r",\s+(?:and\s+)?(?:secondary|while|whereas)\b", text.strip(), maxsplit=1)[0][
        :200
    ]


def publication_flags(
    a: ArticleData,
    trials: Sequence[Sequence[Version]],
    vocab: Vocab,
    threshold: float,
    groups: OutcomeGroups | None = None,
) -> list[Flag]:
    """Flags of one paper against the versions of each trial of its study. The paper is
    read once, whatever the number of trials (reading an abstract is the costly part)."""
    stated = stated_primary(a)
    groups = groups or OutcomeGroups(vocab)
    registered = []
    for trial in trials:
        if trial:
            last = trial[-1]
            primary = [o for v in (trial[0], last) for o in v.trial.primary_outcomes]
            registered.append((last, primary, list(last.trial.secondary_outcomes)))
    # The abstract is read (the costly part) only when some trial lists an outcome group as
    # secondary and not as primary: otherwise no benefit can rest on a secondary alone.
    readable_benefit = any(
        groups.of_outcomes(secondary) - groups.of_outcomes(primary)
        for _, primary, secondary in registered
    )
    reading = read_abstract(a, vocab) if a.abstract and readable_benefit else None
    benefit = (
        [s for s in [*reading.claim, *reading.other] if s.effect == "benefit"] if reading else []
    )
    out: list[Flag] = []
    for last, primary, secondary in registered:
        for text in stated:
            flag = _stated_flag(a, text, primary, secondary, last, groups, threshold)
            if flag is not None:
                out.append(flag)
        out += _benefit_on_secondary(a, benefit, primary, secondary, last, groups)
    return out


class OutcomeGroups:
    """Outcome groups a text names, each text read once (share one across a pass: every
    paper of a study reads the same registered outcomes)."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._seen: dict[str, set[str]] = {}

    def of(self, text: str | None) -> set[str]:
        key = text or ""
        if key not in self._seen:
            v = self.vocab
            self._seen[key] = set(v.outcomes.find(key)) | set(v.other_outcomes.find(key))
        return self._seen[key]

    def of_outcomes(self, outcomes: Sequence[Outcome]) -> set[str]:
        out: set[str] = set()
        for o in outcomes:
            out |= self.of(f"{o.measure or ''} {o.description or ''}")
        return out


def _matches(
    text: str, outcomes: Sequence[Outcome], groups: OutcomeGroups, threshold: float
) -> bool:
    named = groups.of(text)
    for o in outcomes:
        if similarity(text, o.measure) >= threshold:
            return True
        if named and named & groups.of(o.measure):
            return True
    return False


def _stated_flag(
    a: ArticleData,
    stated: str,
    primary: Sequence[Outcome],
    secondary: Sequence[Outcome],
    last: Version,
    groups: OutcomeGroups,
    threshold: float,
) -> Flag | None:
    if _matches(stated, primary, groups, threshold):
        return None
    as_secondary = _matches(stated, secondary, groups, threshold)
    evidence = [f"{a.id}: primary outcome “{stated}”"]
    evidence += [
        f"{last.trial.nct_id} {last.label}: registered primary “{o.measure}”"
        for o in primary
        if o.measure
    ][:4]
    if as_secondary:
        return Flag(
            "publication.primary_registered_secondary",
            "major",
            f"The paper's primary outcome is registered only as a secondary outcome: “{stated}”.",
            evidence,
            stated[:120],
        )
    return Flag(
        "publication.primary_not_registered",
        "minor",
        f"The paper's primary outcome matches no registered outcome: “{stated}”.",
        evidence,
        stated[:120],
    )


def _benefit_on_secondary(
    a: ArticleData,
    benefit: Sequence[Statement],
    primary: Sequence[Outcome],
    secondary: Sequence[Outcome],
    last: Version,
    groups: OutcomeGroups,
) -> list[Flag]:
    """A benefit reported only on outcome groups the registry lists as secondary."""
    if not benefit:
        return []
    primary_groups = groups.of_outcomes(primary)
    secondary_groups = groups.of_outcomes(secondary) - primary_groups
    on = {g for s in benefit for g in s.groups}
    if not on or on & primary_groups or not on & secondary_groups:
        return []
    names = ", ".join(sorted(on & secondary_groups))
    nct = last.trial.nct_id
    return [
        Flag(
            "publication.benefit_on_secondary",
            "minor",
            f"The paper's benefit is on {names}, which the registry lists only as a secondary "
            "outcome; its registered primary outcome shows none.",
            [f"{a.id}: “{benefit[0].quote}”"]
            + [
                f"{nct} {last.label}: registered primary “{o.measure}”"
                for o in primary
                if o.measure
            ][:2]
            + [
                f"registered secondary “{o.measure}”"
                for o in secondary
                if groups.of_outcomes([o]) & on
            ][:2],
            names,
        )
    ]
