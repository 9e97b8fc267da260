"""The first question's own words, for checks that the second question never shows them.

The shipped question is STIMALS (magnetic stimulation in ALS). Its vocabulary is read from
the shipped config's [claim]: the index, the population, the intervention family with its
kinds and look-alikes, and the claim's outcomes, plus the words its code used to hard-wire
('magnetic', 'stimulation'). `foreign_terms(config)` is that vocabulary minus every
term another question's [claim] uses itself: what that question must never show.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tracker.config import DEFAULT_CONFIG

HARD_WIRED = ("magnetic", "stimulation", "stimulate", "STIMALS", "tSMS", "TMS")
"""Words the first question's code said itself (reasons, exclusion names)."""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def claim_of(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        claim: dict[str, Any] = tomllib.load(handle)["claim"]
    return claim


def first_question_terms(*, outcomes: bool = True) -> list[str]:
    """Every term of the shipped question that names its therapy (the family, its kinds and
    look-alikes, by name and synonym), its population, its index and, with `outcomes`, the
    claim's outcomes."""
    claim = claim_of(DEFAULT_CONFIG)
    i = claim["intervention"]
    terms = {i["family"], *_strings(claim["population"]), claim["index"]["nct_id"]}
    terms |= {*i["mesh"], *i["therapy_mesh"], *i["measuring_kinds"], *i["umbrella_kinds"]}
    for group in (i["kinds"], i["not_family"], *([claim["outcomes"]] if outcomes else [])):
        terms |= {name.replace("_", " ") for name in group} | set(_strings(group))
    return sorted(terms | set(HARD_WIRED), key=str.lower)


def foreign_terms(config: Path) -> list[str]:
    """The first question's terms that `config`'s own [claim] never uses."""
    own = " \n ".join(_strings(claim_of(config)))
    return [t for t in first_question_terms() if not pattern(t).search(own)]


def pattern(term: str) -> re.Pattern[str]:
    """Whole words; an all-capitals acronym (ALS, TMS) only in capitals, as the rules match.
    Underscores count as spaces, so that an exclusion name 'not_magnetic' says 'magnetic'."""
    words = r"[\s_-]+".join(re.escape(w) for w in re.split(r"[\s_-]+", term))
    flags = 0 if term.isupper() or (term[:1].islower() and any(c.isupper() for c in term)) else re.I
    return re.compile(rf"(?<![^\W_]){words}(?![^\W_])", flags)


def hits(texts: Iterable[str], terms: Iterable[str]) -> list[tuple[str, str]]:
    """(term, text) for every term found in a text."""
    compiled = [(t, pattern(t)) for t in terms]
    return [(t, text) for text in texts for t, p in compiled if p.search(text)]
