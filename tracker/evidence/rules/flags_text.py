"""Outcome text for the flag rules: normalised measures, similarity, parsed time frames."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FILLER = frozenset(
    "the a an of in on at to for from by with and or as is are was be its their change "
    "changes changed from baseline score scores total mean measured measure assessed "
    "number rate proportion percentage participants patients subjects".split()
)
_UNITS = {
    "hour": 1 / 24,
    "day": 1,
    "week": 7,
    "month": 365.25 / 12,
    "year": 365.25,
}
_WORDS_NUM = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "eighteen": 18, "twenty-four": 24,
}  # fmt: skip
_SPAN = re.compile(
    r"(\d+(?:\.\d+)?|" + "|".join(_WORDS_NUM) + r")[\s-]*(hour|day|week|month|year)s?\b", re.I
)
_UNIT_FIRST = re.compile(r"\b(hour|day|week|month|year)s?\s+(\d+(?:\.\d+)?)\b", re.I)
_RANGE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:,|and|to|-|through)\s*(\d+(?:\.\d+)?)[\s-]*(hour|day|week|month|year)s?",
    re.I,
)


@lru_cache(maxsize=8192)
def normalise(text: str | None) -> str:
    """A measure as words that carry meaning: lower case, punctuation and filler gone."""
    if not text:
        return ""
    words = _WORD.findall(text.lower())
    return " ".join(w for w in words if w not in _FILLER)


def readable(text: str | None) -> bool:
    """Enough letters to name an outcome ('TBD', '-', '...' and empty text do not)."""
    norm = normalise(text)
    return sum(c.isalpha() for c in norm) >= 4 and norm not in {"tbd", "none", "n a", "todo"}


def similarity(a: str | None, b: str | None) -> float:
    """Token-set similarity of two normalised measures, 0-100 (word order and repeated
    words do not matter; one measure's words wholly inside the other's score high)."""
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    return float(fuzz.token_set_ratio(na, nb))


def time_points(text: str | None) -> tuple[float, ...]:
    """Every time point a timeFrame names, in days, sorted ('baseline, 6 and 12 months' ->
    (183.0, 365.0)); () when it names none."""
    if not text:
        return ()
    found: list[float] = []
    for a, b, unit in _RANGE.findall(text):
        found += [float(a) * _UNITS[unit.lower()], float(b) * _UNITS[unit.lower()]]
    for n, unit in _SPAN.findall(text):
        value = _WORDS_NUM.get(n.lower()) or float(n)
        found.append(float(value) * _UNITS[unit.lower()])
    for unit, n in _UNIT_FIRST.findall(text):
        found.append(float(n) * _UNITS[unit.lower()])
    return tuple(sorted({float(round(x)) for x in found}))
