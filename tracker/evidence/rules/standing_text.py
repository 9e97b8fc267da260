"""The standing sentence: the state first, then the counts that justify it.

"Not supported: 2 controlled follow-ups found no benefit (n = 300); 1 pending." Every word
here is the tracker's own: nothing names the therapy, the disease or an outcome, which come
only from the configured claim.
"""

from __future__ import annotations

import re
from typing import Final

from tracker.evidence.rules.standing import Basis, Pooled, State, StudyEvidence, Tally, Weighed
from tracker.evidence.rules.text import number as number_of
from tracker.evidence.rules.text import sentences

STATE_LABELS: Final[dict[State, str]] = {
    "confirmed": "Confirmed",
    "not_supported": "Not supported",
    "contested": "Contested",
    "open": "Open",
    "untested": "Untested",
}

_FOUND: Final = {
    "confirms": "found a benefit",
    "refutes": "found no benefit",
    "inconclusive": "found the evidence inconclusive",
    "pending": "under way",
}
"""What a review's verdict says it found."""


def standing_sentence(weighed: Weighed) -> str:
    """E.g. 'Open: no controlled follow-up for or against yet; 3 pending (n = 212).'"""
    b = weighed.basis
    parts = [f"{STATE_LABELS[weighed.state]}: {_head(weighed.state, b)}"]
    parts += _clauses(
        (b.weaker_confirms, "weaker controlled follow-up", "found a benefit"),
        (b.weaker_refutes, "weaker controlled follow-up", "found no benefit"),
        (b.uncontrolled_confirms, "uncontrolled follow-up", "found a benefit"),
        (b.uncontrolled_refutes, "uncontrolled follow-up", "found no benefit"),
        (b.pending, "", "pending"),
        (b.inconclusive, "", "inconclusive"),
    )
    earlier = [
        f"{t.studies} {word}"
        for t, word in ((b.earlier_confirms, "for"), (b.earlier_refutes, "against"))
        if t.studies
    ]
    if earlier:
        parts.append("earlier studies: " + ", ".join(earlier))
    parts += _reviews(b.reviews)
    if b.retracted:
        parts.append(
            f"{b.retracted} retracted {_plural(b.retracted, 'study', 'studies')} not counted"
        )
    return "; ".join(parts) + "."


def _head(state: State, b: Basis) -> str:
    confirms = f"{_counted(b.confirms, 'controlled follow-up')} found a benefit{_n(b.confirms)}"
    refutes = f"{_counted(b.refutes, 'controlled follow-up')} found no benefit{_n(b.refutes)}"
    match state:
        case "confirmed":
            return confirms
        case "not_supported":
            return refutes
        case "contested":
            return f"{confirms}, {b.refutes.studies} found none{_n(b.refutes)}"
        case "open":
            return "no controlled follow-up for or against yet"
        case "untested":
            return "no follow-up tests the claim yet" if b.not_testing else "no follow-up yet"


def _clauses(*rows: tuple[Tally, str, str]) -> list[str]:
    out = []
    for t, noun, verb in rows:
        if t.studies:
            counted = _counted(t, noun) if noun else str(t.studies)
            out.append(f"{counted} {verb}{_n(t)}")
    return out


def _reviews(reviews: list[StudyEvidence]) -> list[str]:
    """One clause per verdict: 'a meta-analysis of 4 trials found no benefit', '3 reviews
    found the evidence inconclusive'. Their participants are never added: the trials they
    pool are counted as studies where stored."""
    out = []
    for verdict, found in _FOUND.items():
        group = [r for r in reviews if r.verdict == verdict]
        if len(group) == 1:
            out.append(f"{_review_name(group[0])} {found}")
        elif group:
            out.append(f"{len(group)} reviews {found}")
    return out


def _review_name(r: StudyEvidence) -> str:
    kind = (r.review or "").lower()
    if "cochrane" in kind:
        name = "a Cochrane review"
    elif "meta" in kind:
        name = "a meta-analysis"
    else:
        name = "a systematic review"
    if r.pooled is not None:
        name += f" of {r.pooled.count} {r.pooled.noun}"
    return name


def _counted(t: Tally, noun: str) -> str:
    return f"{t.studies} {_plural(t.studies, noun, noun + 's')}"


def _n(t: Tally) -> str:
    return f" (n = {t.participants})" if t.participants else ""


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


_NUMBER = (
    r"\d{1,3}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"[a-z]+teen|ten|eleven|twelve|two|three|four|five|six|seven|eight|nine"
)
_POOLED = re.compile(
    rf"\b({_NUMBER})\s+(?:(?:eligible|randomi[sz]ed|controlled|clinical|published|original|"
    r"primary|relevant|independent|prospective|observational)\s+){0,3}"
    r"(RCTs|trials|studies|articles|reports|cohorts)\b",
    re.IGNORECASE,
)
_INCLUDED = re.compile(
    r"\b(?:included|identified|eligible|met|pooled|retained|selected|analy[sz]ed|comprising|"
    r"involving|yielded|reviewed)\b",
    re.IGNORECASE,
)
_NOUN = {"rcts": "trials", "trials": "trials", "cohorts": "studies"}


def pooled_in(abstract: str) -> Pooled | None:
    """What a review says it pooled: the first 'N trials/studies' in a sentence saying they
    were included or identified ('Twelve studies ... were included' = 12 studies)."""
    for sentence in sentences(abstract):
        if not _INCLUDED.search(sentence):
            continue
        for match in _POOLED.finditer(sentence):
            count = number_of(match.group(1))
            if count and 1 < count < 1000:
                return Pooled(count, _NOUN.get(match.group(2).lower(), "studies"))
    return None
