"""Plain-text helpers the rules share: sentences, clauses, p-values, sizes, proximity.

Registry and abstract text is only ever read here, never interpreted as markup or code.
"""

from __future__ import annotations

import re

from segtok.segmenter import split_single

from tracker.evidence.rules.vocab import Lexicon, Vocab

# segtok's abbreviation list lacks these: a split right after one is undone when the next
# piece starts with a digit or an opening bracket ('ca. 18 months', 'et al. (2008) found').
_JOIN_AFTER = re.compile(r"(?:\b(?:ca|Co|Ltd|Inc|resp)\.|\bet al\.)$")
_JOIN_BEFORE = re.compile(r"[\d(\[]")


def sentences(text: str) -> list[str]:
    """Split prose into sentences with segtok, a maintained rule-based segmenter.

    Chosen on measured figures (benchmarks/sentence_splitters.py): it splits before a
    lower-case acronym ('... were randomised. siRNA lowered ...'), where the regular expression
    used before merged two sentences and lost the finding, and keeps 'et al.', 'vs.',
    'p = 0.01' and decimals whole."""
    out: list[str] = []
    joinable = False
    for piece in split_single(text.strip()):
        if not piece:
            continue  # split_single('') == ['']
        if joinable and _JOIN_BEFORE.match(piece):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
        joinable = bool(_JOIN_AFTER.search(out[-1]))
    return out


_CLAUSE_BREAK = re.compile(
    r";|,?\s+\b(?:but|whereas|while|although|however|though|yet)\b,?\s+|,\s+and\s+(?=\w+\s+(?:was|were|did|showed|had))",
    re.IGNORECASE,
)


def clauses(sentence: str) -> list[str]:
    """A sentence cut where it turns ('X did not change, but Y improved')."""
    return [c.strip() for c in _CLAUSE_BREAK.split(sentence) if c and c.strip()]


_P_VALUE = re.compile(
    r"\bp\s*(?:-?\s*value)?\s*(?:was\s*)?([<>=≤≥]|&lt;|&gt;)\s*(0?\.\d+|1(?:\.0+)?)", re.IGNORECASE
)


def p_values(text: str) -> list[tuple[str, float]]:
    """('<', 0.05)-style comparisons of every p-value written in `text`."""
    out = []
    for op, number in _P_VALUE.findall(text):
        op = {"&lt;": "<", "&gt;": ">", "≤": "<", "≥": ">"}.get(op, op)
        out.append((op, float(number)))
    return out


def p_significant(p: tuple[str, float], alpha: float = 0.05) -> bool | None:
    """True below alpha, False at or above it, None when the comparison cannot tell."""
    op, value = p
    if op == "<":
        return True if value <= alpha else None
    if op == ">":
        return False if value >= alpha else None
    return value < alpha


_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_TENS |= {"eighty": 80, "ninety": 90}
_SIZE = re.compile(
    r"\b(\d{1,5}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:one|two|three|"
    r"four|five|six|seven|eight|nine))?|[a-z]+teen|ten|eleven|twelve|one|two|three|four|five|six|"
    r"seven|eight|nine)\s+(?:(?:consecutive|adult|eligible|(?-i:[A-Z][A-Z0-9-]{1,7})|sporadic|definite|probable|"
    r"randomi[sz]ed|enrolled)\s+)*(?:patients|participants|subjects|people|individuals|persons|"
    r"cases)\b",
    re.IGNORECASE,
)


def number(word: str) -> int | None:
    """A count written in digits or in words ('twelve', 'twenty-four'); None otherwise."""
    word = word.lower()
    if word.isdigit():
        return int(word)
    parts = re.split(r"[\s-]", word)
    total = 0
    for part in parts:
        if part in _TENS:
            total += _TENS[part]
        elif part in _WORD_NUMBERS:
            total += _WORD_NUMBERS[part]
        else:
            return None
    return total


def sample_size(text: str) -> int | None:
    """The largest 'N patients/participants' a text reports ('Forty participants' = 40)."""
    sizes = [n for m in _SIZE.finditer(text) if (n := number(m.group(1))) is not None]
    sizes = [n for n in sizes if 0 < n < 100_000]
    return max(sizes) if sizes else None


def proximity(text: str, vocab: Vocab, *, window: int = 70) -> dict[str, tuple[int, int]]:
    """Kind -> (therapy cues, measurement cues) counted around each mention of the kind.

    Where a family term stands tells what it is used for: 'five sessions of real rTMS' is a
    therapy, 'excitability measured by TMS' a measurement."""
    counts: dict[str, tuple[int, int]] = {}
    for start, end, kind in _longest(vocab.kinds, text):
        around = text[max(0, start - window) : start] + " " + text[end : end + window]
        therapy = _count(vocab.therapy_cues, around)
        measure = _count(vocab.diagnostic_cues, around)
        old = counts.get(kind, (0, 0))
        counts[kind] = (old[0] + therapy, old[1] + measure)
    return counts


def _longest(lexicon: Lexicon, text: str) -> list[tuple[int, int, str]]:
    """Matches with overlaps resolved to the longest ('deep TMS' wins over its 'TMS')."""
    chosen: list[tuple[int, int, str]] = []
    for start, end, name in sorted(lexicon.spans(text), key=lambda s: (s[0], -(s[1] - s[0]))):
        if chosen and start < chosen[-1][1]:
            continue
        chosen.append((start, end, name))
    return chosen


def kinds_in(text: str | None, vocab: Vocab) -> list[str]:
    """The family kinds a text names, overlapping mentions resolved to the longest."""
    if not text:
        return []
    return list(dict.fromkeys(name for _s, _e, name in _longest(vocab.kinds, text)))


def _count(lexicon: Lexicon, text: str) -> int:
    return len(lexicon.spans(text))
