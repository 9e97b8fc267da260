"""Which claim outcomes a phrase names, with generic measure words weighed correctly.

'Rate of decline of the total ECAS score' is about cognition: 'rate of decline' says how
a score moves, not which. A claim group met only through such words counts only when no
other outcome is named beside it.
"""

from __future__ import annotations

import re

from tracker.evidence.rules.vocab import Vocab

GENERIC = frozenset({"decline", "progression", "slope", "deterioration", "rate", "change"})
"""Words describing how any score moves; they name no outcome by themselves."""

_PRIMARY = re.compile(
    r"primary\s+(?:efficacy\s+)?(?:outcome|end[\s-]?point|measure)s?\b(?:\s+(?:was|were|is))?",
    re.IGNORECASE,
)


def primary_clause(sentence: str) -> str:
    """The words after 'the primary outcome was', up to the next ';' (or the sentence)."""
    match = _PRIMARY.search(sentence)
    if match is None:
        return sentence
    return re.split(r";|\bsecondary\b", sentence[match.end() :], maxsplit=1)[0]


def claim_groups(text: str, vocab: Vocab) -> list[str]:
    """Claim outcome groups `text` names, ignoring generic words next to another outcome."""
    found = vocab.outcomes.find(text)
    if not found or not vocab.other_outcomes.find(text):
        return sorted(found)
    return sorted(g for g, hit in found.items() if not _generic(hit))


def _generic(hit: str) -> bool:
    words = re.findall(r"[a-z]+", hit.lower())
    return hit == hit.lower() and all(w in GENERIC or w in ("of",) for w in words)
