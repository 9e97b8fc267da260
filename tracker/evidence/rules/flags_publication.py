"""A paper against its trial's registration: the outcome it calls primary, and the outcome
its benefit rests on.

Two patterns, as COMPare (Goldacre et al., Trials 2019) checked by hand: the paper's stated
primary outcome is registered only as secondary (or not at all), and the paper reports a
benefit only on an outcome the registry calls secondary. The second is the index result's
own shape: STIMALS registered ALSFRS-R progression as primary, found no difference there,
and its news was tracheostomy-free survival, a secondary outcome.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracker.evidence.rules.flags import Flag, Version
from tracker.evidence.rules.flags_text import readable, similarity
from tracker.evidence.rules.reading import read_abstract
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
    a: ArticleData, trial: Sequence[Version], vocab: Vocab, threshold: float
) -> list[Flag]:
    """Flags of one paper against the versions of the trial it reports."""
    if not trial:
        return []
    last = trial[-1]
    primary = [o for v in (trial[0], last) for o in v.trial.primary_outcomes]
    secondary = list(last.trial.secondary_outcomes)
    flags = [
        _stated_flag(a, s, primary, secondary, last, vocab, threshold) for s in stated_primary(a)
    ]
    out = [f for f in flags if f is not None]
    out += _benefit_on_secondary(a, primary, secondary, last, vocab)
    return out


def _matches(text: str, outcomes: Sequence[Outcome], vocab: Vocab, threshold: float) -> bool:
    groups = set(vocab.outcomes.find(text)) | set(vocab.other_outcomes.find(text))
    for o in outcomes:
        if similarity(text, o.measure) >= threshold:
            return True
        theirs = set(vocab.outcomes.find(o.measure)) | set(vocab.other_outcomes.find(o.measure))
        if groups and groups & theirs:
            return True
    return False


def _stated_flag(
    a: ArticleData,
    stated: str,
    primary: Sequence[Outcome],
    secondary: Sequence[Outcome],
    last: Version,
    vocab: Vocab,
    threshold: float,
) -> Flag | None:
    if _matches(stated, primary, vocab, threshold):
        return None
    as_secondary = _matches(stated, secondary, vocab, threshold)
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
    primary: Sequence[Outcome],
    secondary: Sequence[Outcome],
    last: Version,
    vocab: Vocab,
) -> list[Flag]:
    """A benefit reported only on outcome groups the registry lists as secondary."""
    reading = read_abstract(a, vocab)
    benefit = [s for s in [*reading.claim, *reading.other] if s.effect == "benefit"]
    if not benefit:
        return []
    primary_groups = _groups(primary, vocab)
    secondary_groups = _groups(secondary, vocab) - primary_groups
    on = {g for s in benefit for g in s.groups}
    if not on or on & primary_groups or not on & secondary_groups:
        return []
    names = ", ".join(sorted(on & secondary_groups))
    return [
        Flag(
            "publication.benefit_on_secondary",
            "minor",
            f"The paper's benefit is on {names}, which the registry lists only as a secondary "
            "outcome; its registered primary outcome shows none.",
            [f"{a.id}: “{benefit[0].quote}”"]
            + [
                f"{last.trial.nct_id} {last.label}: registered primary “{o.measure}”"
                for o in primary
                if o.measure
            ][:2]
            + [
                f"registered secondary “{o.measure}”"
                for o in secondary
                if set(_groups([o], vocab)) & on
            ][:2],
            names,
        )
    ]


def _groups(outcomes: Sequence[Outcome], vocab: Vocab) -> set[str]:
    out: set[str] = set()
    for o in outcomes:
        text = f"{o.measure or ''} {o.description or ''}"
        out |= set(vocab.outcomes.find(text)) | set(vocab.other_outcomes.find(text))
    return out
