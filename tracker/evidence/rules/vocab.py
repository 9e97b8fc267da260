"""The claim's vocabularies compiled into matchers, once per configuration.

A term matches on word boundaries and case-insensitively, except an all-capitals acronym
(all-capitals terms of the config), which must appear in capitals: the same letters in
lower case are a word in other languages. Spaces in a term also match hyphens ('follow up'
= 'follow-up').
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ahocorasick_rs import AhoCorasick

from tracker.config import ClaimConfig

RULES_VERSION = "2"
"""Bump when a rule changes meaning, so stored assessments are redone. (Any edit of the
rules' source also changes the rules hash: see `rules_source_digest`.)"""


@cache
def rules_source_digest() -> str:
    """Hash of the rules' own source files: a stored judgement rests on the code that made
    it, so a changed rule re-judges everything even when nobody bumped RULES_VERSION."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _pattern(term: str) -> str:
    words = [re.escape(w) for w in re.split(r"[\s\-]+", term.strip()) if w]
    body = r"[\s\-]*".join(words)
    if term.isupper() or any(c.isdigit() for c in term):
        return rf"(?-i:{body}s?)"
    return rf"{body}(?:s|es)?"


def _regex(terms: tuple[str, ...]) -> re.Pattern[str]:
    # The word boundaries are written once, outside the alternation: inside a word the
    # look-behind fails at once instead of once per term.
    return re.compile(rf"(?<!\w)(?:{'|'.join(_pattern(t) for t in terms)})(?!\w)", re.I)


class Lexicon:
    """Named groups of terms; `find` says which groups a text mentions, and by which words.

    Each group is one regular expression; before running any, one pass of an Aho-Corasick
    automaton over the lower-cased text finds which of the groups' needles (the longest
    word of each term) it holds, and only the groups with a needle found are run. A text
    without any cannot match (regular expressions with look-behinds get no literal
    prefilter from `re`). One pass for the whole lexicon replaced a substring test per
    needle and group (benchmarks/evidence_signals.py)."""

    def __init__(self, groups: dict[str, tuple[str, ...]]) -> None:
        self._groups = [
            (name, _needles(terms), _regex(terms)) for name, terms in groups.items() if terms
        ]
        owners: dict[str, set[int]] = {}
        for index, (_name, needles, _rx) in enumerate(self._groups):
            for needle in needles:
                owners.setdefault(needle, set()).add(index)
        # An empty needle is in every text: its groups are always run.
        self._always = frozenset(owners.pop("", set()))
        self._needles = sorted(owners)
        self._owners = [frozenset(owners[n]) for n in self._needles]
        self._finder = AhoCorasick(self._needles) if self._needles else None

    def __bool__(self) -> bool:
        return bool(self._groups)

    def _candidates(self, text: str) -> list[tuple[str, re.Pattern[str]]]:
        found = set(self._always)
        if self._finder is not None:
            owners = self._owners
            for index, _start, _end in self._finder.find_matches_as_indexes(
                text.lower(), overlapping=True
            ):
                found |= owners[index]
        return [(name, rx) for i, (name, _n, rx) in enumerate(self._groups) if i in found]

    def find(self, text: str | None) -> dict[str, str]:
        """Group name -> the first words of it found in `text`."""
        found: dict[str, str] = {}
        if not text:
            return found
        for name, regex in self._candidates(text):
            if match := regex.search(text):
                found[name] = match.group(0)
        return found

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, group) of every match, in text order."""
        hits = [
            (m.start(), m.end(), name)
            for name, regex in self._candidates(text)
            for m in regex.finditer(text)
        ]
        return sorted(hits)


def _needles(terms: tuple[str, ...]) -> tuple[str, ...]:
    """The longest word of each term, lower-cased: a text without any cannot match."""
    words = {max(re.split(r"[\s\-]+", t.strip().lower()), key=len) for t in terms if t.strip()}
    return tuple(sorted(words, key=len))


@dataclass(frozen=True)
class Vocab:
    """Everything the rules match, compiled from one ClaimConfig."""

    claim: ClaimConfig
    population: Lexicon
    population_mesh: frozenset[str]
    kinds: Lexicon
    family_mesh: frozenset[str]
    therapy_mesh: frozenset[str]
    measuring_kinds: frozenset[str]
    umbrella_kinds: frozenset[str]
    common_words: frozenset[str]
    """Words of the population and family terms: every record shares them, so two titles
    are not alike for sharing them."""
    not_family: Lexicon
    outcomes: Lexicon
    other_outcomes: Lexicon
    therapy_cues: Lexicon
    diagnostic_cues: Lexicon
    healthy: Lexicon
    disease: Lexicon
    rules_hash: str


def _lower(terms: tuple[str, ...]) -> frozenset[str]:
    return frozenset(t.lower() for t in terms)


def compile_vocab(claim: ClaimConfig) -> Vocab:
    """The compiled vocabularies of `claim` (compiled once per distinct claim)."""
    return _compile(json.dumps(claim.model_dump(mode="json"), sort_keys=True))


@cache
def _compile(claim_json: str) -> Vocab:
    # Keyed by the canonical JSON: the config model holds dicts, so it is not hashable.
    claim = ClaimConfig.model_validate_json(claim_json)
    iv = claim.intervention
    digest = hashlib.sha256(
        (RULES_VERSION + rules_source_digest() + claim_json).encode()
    ).hexdigest()
    return Vocab(
        claim=claim,
        population=Lexicon({"population": claim.population.terms}),
        population_mesh=_lower(claim.population.mesh),
        kinds=Lexicon(dict(iv.kinds)),
        family_mesh=_lower(iv.mesh),
        therapy_mesh=_lower(iv.therapy_mesh),
        measuring_kinds=frozenset(iv.measuring_kinds),
        umbrella_kinds=frozenset(iv.umbrella_kinds),
        common_words=frozenset(
            w
            for term in (*claim.population.terms, *(t for ts in iv.kinds.values() for t in ts))
            for w in re.findall(r"[a-z0-9]+", term.lower())
        ),
        not_family=Lexicon(dict(iv.not_family)),
        outcomes=Lexicon(dict(claim.outcomes)),
        other_outcomes=Lexicon(dict(claim.other_outcomes)),
        therapy_cues=Lexicon({"therapy": claim.cues.therapy}),
        diagnostic_cues=Lexicon({"diagnostic": claim.cues.diagnostic}),
        healthy=Lexicon({"healthy": claim.cues.healthy}),
        disease=Lexicon({"disease": claim.cues.disease}),
        rules_hash=digest,
    )
