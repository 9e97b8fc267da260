"""Effect estimates written in prose: hazard, odds and risk ratios and mean differences with
their 95% confidence intervals, in the forms abstracts write them.

Read: 'HR 0.62, 95% CI 0.40–0.95', 'hazard ratio = 0.62 (0.40 to 0.95)', 'OR 1.8 [95% CI,
1.1-2.9]', '(hazard ratio, 0·62; 95% CI, 0·40 to 0·95)', 'mean difference −2.1 points
(95% confidence interval −3.9 to −0.3)'. An interval given without its level is taken as
95%, the usual one; an interval at another level (90%) is not read. P-values between the
estimate and its interval are skipped over, and a number outside its own interval is not an
estimate. Each estimate keeps the sentence it came from and the outcome that sentence names
for it, when it names one: the terms nearest before the estimate (or right after it, 'for
death'), the first of a run of terms ('FVC decline' is about FVC).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from tracker.evidence.rules.text import sentences
from tracker.evidence.rules.vocab import Lexicon

MEASURES = ("hazard ratio", "odds ratio", "risk ratio", "mean difference")
RATIOS = frozenset(MEASURES[:3])

_NUM = r"[-−–]?\d+(?:[.·]\d+)?"
_SEP = r"\s*(?:to|and|[-–—‒]|,|;)\s*"
_ACRONYM = {"HR": "hazard ratio", "OR": "odds ratio", "RR": "risk ratio", "MD": "mean difference"}
_MEASURE = (
    r"(?P<m>(?i:(?:adjusted\s+)?hazard\s+ratio|(?:adjusted\s+)?odds\s+ratio|risk\s+ratio"
    r"|relative\s+risk|(?:adjusted\s+)?mean\s+(?:between[-\s]groups?\s+)?difference)"
    r"|\ba?(?:HR|OR)\b|\bRR\b|\bMD\b)"
)
_UNIT = (
    r"(?P<unit>\s*(?:points?|units?|%|percent(?:age\s+points?)?|months?|weeks?|days?|kg|mL)"
    r"(?:\s*(?:/|per)\s*(?:month|year|week|day))?)?"
)
_ESTIMATE = re.compile(
    _MEASURE
    + r"(?:\s*[(\[]\s*(?:a?(?:HR|OR)|RR|MD)\s*[)\]])?"  # 'hazard ratio (HR) 0.62'
    + r"(?:\s*[(\[]\s*95\s*%\s*CI\s*[)\]])?"  # 'HR (95% CI): 0.62 (0.40-0.95)'
    + r"(?P<gap>[^\d;()\[\]]{0,60}?)"  # ' for death was', ' = ', ', '
    + rf"(?<![\w.·])(?P<v>{_NUM}){_UNIT}"
    + r"(?:"
    # labelled: ', 95% CI 0.40–0.95', '; 95% confidence interval [CI], 1.1 to 2.9'
    + r"\s*[,;(\[]?\s*(?:(?P<level>\d{2}(?:[.·]\d)?)\s*%\s*)?"
    + r"(?:CI|C\.I\.|(?i:confidence\s+intervals?|confidence\s+limits?))"
    + r"(?:\s*[(\[]CI[)\]])?\s*[,:=]?\s*(?:(?i:was|of|from)\s+)?[(\[]?\s*"
    + rf"(?P<lo>{_NUM})%?{_SEP}(?P<hi>{_NUM})"
    # bracketed without a label: '(0.40 to 0.95)', '[0.40; 0.95]'
    + rf"|\s*[(\[]\s*(?P<lo2>{_NUM})%?{_SEP}(?P<hi2>{_NUM})%?\s*[)\]]"
    + r")"
)
_WORDS = ("adjusted", "hazard", "odds", "risk", "relative", "mean")
"""Every way a measure's name can begin (in lower case) ..."""
_ACRONYMS = ("HR", "OR", "RR", "MD")
"""... and its abbreviations, in capitals."""
_P_VALUE = re.compile(
    r"[,;]?\s*\b[pP]\s*(?:-?\s*value)?\s*(?:was\s*)?[<>=≤≥]\s*0?[.·]\d+(?:\s*[x×]\s*10\S*)?"
)
_AFTER = re.compile(r"\s*[)\]]?\s*(?:for|on|in|of)\s", re.IGNORECASE)
_RUN_GAP = 12
"""Characters between two terms of one run ('death or tracheostomy', 'FVC decline')..."""
_JOINS = re.compile(r"[^\W\d_]*(?:[\s\-]+[^\W\d_]*)*")
"""... words only: a comma or a number ends the run ('FVC above 70%, survival')."""


@dataclass(frozen=True, slots=True)
class StatedEffect:
    measure: str
    """'hazard ratio', 'odds ratio', 'risk ratio' or 'mean difference'."""
    value: float
    lower: float
    upper: float
    unit: str
    """As written after a mean difference ('points'); '' for ratios or when none is."""
    outcome: str | None
    """The outcome group the sentence names for it (a key of the lexicon), else None."""
    outcome_words: str | None
    """The words that named it, as written ('tracheostomy-free survival')."""
    quote: str
    """The whole sentence, as written."""

    @property
    def ratio(self) -> bool:
        return self.measure in RATIOS


def stated_effects(text: str | None, outcomes: Lexicon | None = None) -> list[StatedEffect]:
    """Every estimate with a full interval in `text`, in reading order."""
    if not text or not _named(text) or not _matches(_P_VALUE.sub("", text)):
        return []  # most abstracts state none: no need to split them into sentences
    out: list[StatedEffect] = []
    for sentence in sentences(text):
        if not re.search(r"\d", sentence):
            continue
        out.extend(_in_sentence(sentence, outcomes))
    return out


def _named(text: str) -> bool:
    """Whether a measure is named at all (substring tests, the cheapest first look)."""
    lower = text.lower()
    return any(w in lower for w in _WORDS) or any(a in text for a in _ACRONYMS)


def _matches(text: str) -> list[re.Match[str]]:
    """`_ESTIMATE.finditer(text)`, tried only where a measure's first word stands.

    An estimate starts with the name of its measure, so plain substring searches (fast)
    find every place one can start, and the pattern is matched there alone: run over a
    whole abstract, the pattern costs about a millisecond."""
    lower = text.lower()
    if len(lower) != len(text):  # lower-casing changed the length: positions would slip
        return list(_ESTIMATE.finditer(text))
    starts: set[int] = set()
    for word in _WORDS:
        starts.update(_occurrences(lower, word))
    for acronym in _ACRONYMS:
        for at in _occurrences(text, acronym):
            starts.add(at)
            if at and text[at - 1] == "a":  # aHR, aOR
                starts.add(at - 1)
    out: list[re.Match[str]] = []
    end = 0
    for at in sorted(starts):
        if at < end:
            continue
        if match := _ESTIMATE.match(text, at):
            out.append(match)
            end = match.end()
    return out


def _occurrences(text: str, word: str) -> list[int]:
    found, at = [], text.find(word)
    while at != -1:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def _in_sentence(sentence: str, outcomes: Lexicon | None) -> list[StatedEffect]:
    clean = _P_VALUE.sub("", sentence)
    matches = _matches(clean)
    spans = outcomes.spans(clean) if outcomes else []
    out = []
    for i, match in enumerate(matches):
        found = _numbers(match)
        if found is None:
            continue
        measure = _measure(match.group("m"))
        value, lower, upper = found
        if measure in RATIOS and lower <= 0:
            continue
        previous_end = matches[i - 1].end() if i else 0
        next_start = matches[i + 1].start() if i + 1 < len(matches) else len(clean)
        group, words = _outcome(clean, spans, match, previous_end, next_start)
        unit = "" if measure in RATIOS else " ".join((match.group("unit") or "").split())
        out.append(StatedEffect(measure, value, lower, upper, unit, group, words, sentence))
    return out


def _numbers(match: re.Match[str]) -> tuple[float, float, float] | None:
    level = match.group("level")
    if level is not None and _float(level) != 95:
        return None
    lo = match.group("lo") if match.group("lo") is not None else match.group("lo2")
    hi = match.group("hi") if match.group("hi") is not None else match.group("hi2")
    value, lower, upper = _float(match.group("v")), _float(lo), _float(hi)
    if not all(map(math.isfinite, (value, lower, upper))) or not lower <= value <= upper:
        return None
    if lower == upper:
        return None
    return value, lower, upper


def _float(text: str) -> float:
    return float(text.replace("·", ".").replace("−", "-").replace("–", "-"))


def _measure(written: str) -> str:
    bare = written.removeprefix("a") if written[:1] == "a" and written[1:].isupper() else written
    if bare in _ACRONYM:
        return _ACRONYM[bare]
    lower = " ".join(written.lower().split())
    if "hazard" in lower:
        return "hazard ratio"
    if "odds" in lower:
        return "odds ratio"
    if "risk" in lower:
        return "risk ratio"
    return "mean difference"


def _outcome(
    text: str,
    spans: list[tuple[int, int, str]],
    match: re.Match[str],
    previous_end: int,
    next_start: int,
) -> tuple[str | None, str | None]:
    """The outcome named between the measure and its number ('HR for death 0.62'), else
    the nearest run of terms before the estimate, else one right after it ('... for
    death')."""
    gap = [s for s in spans if match.start("gap") <= s[0] and s[1] <= match.end("gap")]
    if gap:
        return _run(text, gap, first=True)
    before = [s for s in spans if previous_end <= s[0] and s[1] <= match.start()]
    if before:
        return _run(text, before, first=False)
    tail = text[match.end() : next_start]
    if _AFTER.match(tail):
        after = [s for s in spans if match.end() <= s[0] and s[1] <= match.end() + 60]
        after = [s for s in after if s[1] <= next_start]
        if after:
            return _run(text, after, first=True)
    return None, None


def _run(text: str, spans: list[tuple[int, int, str]], *, first: bool) -> tuple[str, str]:
    """The first run of terms (or the last one, nearest the estimate); its first term's
    group names the outcome, the whole run is the words shown."""
    runs: list[list[tuple[int, int, str]]] = []
    for span in spans:
        between = text[runs[-1][-1][1] : span[0]] if runs else ""
        if runs and len(between) <= _RUN_GAP and _JOINS.fullmatch(between):
            runs[-1].append(span)
        else:
            runs.append([span])
    run = runs[0] if first else runs[-1]
    return run[0][2], text[run[0][0] : max(end for _, end, _ in run)]
