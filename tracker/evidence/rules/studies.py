"""Records into studies: a trial, its papers and duplicate reports count once.

Explicit links (PubMed DataBank, NCT ids in abstracts, CT.gov references, Europe PMC)
join records; where a paper plainly reports a registered trial without a link, a match on
acronym or title, or on size, intervention and dates together, joins them and is flagged
inferred. Reviews are never joined: they report many studies.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from tracker.evidence.rules.signals import Signals

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an the of in for and or with to on at by from as is are was were be its their this that "
    "trial study randomised randomized controlled double blind sham placebo patients people "
    "phase pilot versus vs effect effects efficacy safety".split()
)
TITLE_MATCH = 0.5
DUPLICATE_TITLE = 0.8


@dataclass(frozen=True, slots=True)
class Inferred:
    article_id: str
    trial_id: str
    why: str


@dataclass(frozen=True, slots=True)
class Grouping:
    study_of: dict[str, str]
    inferred: list[Inferred]


def group_studies(
    signals: dict[str, Signals],
    links: Iterable[tuple[str, str]],
    *,
    relevant: set[str],
    index_ids: set[str],
    common: frozenset[str] = frozenset(),
) -> Grouping:
    """Study key per record: the index trial, else the lowest NCT id, else the first paper id."""
    edges: list[tuple[str, str]] = []
    joinable = {rid for rid, s in signals.items() if not s.review}
    by_article: dict[str, set[str]] = {}
    for article, trial in links:
        if article in joinable and trial in joinable:
            by_article.setdefault(article, set()).add(trial)
    for article, trials in by_article.items():
        if len(trials) <= 2:  # a paper naming many trials is about them, not one of them
            edges += [(article, trial) for trial in trials]
    # Inference and duplicates only among relevant records: an excluded record joins a
    # study only through a link a source reported.
    inferring = joinable & relevant
    for rid, s in signals.items():
        # an erratum or an update belongs with what it corrects
        edges += [(rid, target) for target in s.refers_to if target in signals]
    inferred = _infer(signals, inferring, by_article, common)
    edges += [(match.article_id, match.trial_id) for match in inferred]
    _join_duplicates(signals, relevant, lambda a, b: edges.append((a, b)))
    # The configured index trial and publication are one study, linked or not.
    present = sorted(i for i in index_ids if i in signals)
    edges += [(present[0], other) for other in present[1:]]
    study_of = {}
    for group in components(list(signals), edges):
        key = _key(group, index_ids)
        study_of.update(dict.fromkeys(group, key))
    return Grouping(study_of, inferred)


def components(ids: list[str], edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The connected groups of `ids` (each in the order of `ids`) under `edges`."""
    parent = {rid: rid for rid in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for rid in ids:
        groups.setdefault(find(rid), []).append(rid)
    return list(groups.values())


def _key(group: list[str], index_ids: set[str]) -> str:
    for rid in sorted(group):
        if rid in index_ids and rid.startswith("NCT"):
            return rid
    trials = sorted(r for r in group if r.startswith("NCT"))
    return trials[0] if trials else sorted(group)[0]


def _infer(
    signals: dict[str, Signals],
    joinable: set[str],
    linked: dict[str, set[str]],
    common: frozenset[str],
) -> list[Inferred]:
    trials = [s for rid, s in signals.items() if s.kind == "trial" and rid in joinable]
    papers = [
        s
        for rid, s in signals.items()
        if s.kind == "article" and rid in joinable and rid not in linked
    ]
    found = []
    for paper in papers:
        scored = [(m, t) for t in trials if (m := match_reason(paper, t, common))]
        if scored:
            (score, why), trial = max(scored, key=lambda pair: pair[0][0])
            found.append(Inferred(paper.id, trial.id, why))
    return found


def match_reason(
    paper: Signals, trial: Signals, common: frozenset[str] = frozenset()
) -> tuple[float, str] | None:
    """(score, why) a paper reports a trial, or None: acronym, title, or size + kind + design.

    Both must use a kind of the family in common, and the paper cannot precede the
    registration."""
    if paper.date and trial.date and paper.date[:10] < trial.date[:10]:
        return None
    same_kind = set(paper.therapy) & set(trial.therapy)
    if not same_kind:
        return None
    if (
        trial.acronym
        and distinctive_acronym(trial.acronym, common)
        and re.search(rf"\b{re.escape(trial.acronym)}\b", paper.title)
    ):
        return (3.0, f"acronym {trial.acronym} in the title")
    similarity = title_similarity(paper.title, trial.title, common)
    if similarity >= TITLE_MATCH:
        return (1.0 + similarity, f"titles {similarity:.0%} alike")
    d = paper.design, trial.design
    same_design = d[0].randomised == d[1].randomised and d[0].sham == d[1].sham
    if not same_design:
        return None
    kinds = ", ".join(sorted(same_kind))
    if d[0].n is not None and d[0].n == d[1].n:
        return (1.0, f"same kind ({kinds}), design and size (n = {d[1].n})")
    author = _named_author(paper, trial)
    same_outcome = set(paper.primary_claim) == set(trial.primary_claim)
    if author and same_outcome and _within_years(trial.date, paper.date, MATCH_YEARS):
        return (0.9, f"author {author} named in the registry record; same kind ({kinds}), design")
    return None


COMMON_ACRONYM_WORDS = frozenset(
    "hope care safe life help cure heal aid act move step rise lift best first next open "
    "clear start light power brave fast free able".split()
)
"""Acronyms that are everyday words: a title using the word is not naming the trial."""


def distinctive_acronym(acronym: str, common: frozenset[str] = frozenset()) -> bool:
    """An acronym that names one trial: at least four characters, and not only words of the
    claim's own vocabulary (a trial named after the drug itself would pull in every paper
    about the drug), trial words, or an everyday word."""
    words = _WORD.findall(acronym.lower())
    plain = common | _STOP | COMMON_ACRONYM_WORDS
    return len(acronym) >= 4 and any(w not in plain and not w.isdigit() for w in words)


MATCH_YEARS = 8
"""A report appears within this many years of registration."""


def _named_author(paper: Signals, trial: Signals) -> str | None:
    for name in paper.authors:
        if len(name) >= 4 and re.search(rf"\b{re.escape(name)}\b", trial.context):
            return name
    return None


def _within_years(start: str | None, end: str | None, years: int) -> bool:
    if not start or not end:
        return False
    return int(end[:4]) - int(start[:4]) <= years


def _join_duplicates(
    signals: dict[str, Signals], relevant: set[str], union: Callable[[str, str], None]
) -> None:
    """Two papers of one kind (reviews, or reports) with near-identical titles are one study:
    a conference abstract and its paper, a review and its update."""
    # Identical titles (by content words) are joined at once; only one of each then takes
    # part in the near-identical search.
    # A title naming a trial phase ('Phase 1-2 trial of X') reports another part of a
    # programme than one naming none or another ('Trial of X'): never a duplicate of it.
    same: dict[tuple[frozenset[str], bool, str], list[str]] = {}
    for rid in sorted(r for r in relevant if signals[r].kind == "article"):
        title = signals[rid].title
        key = (_words(title), bool(signals[rid].review), phase_of(title))
        same.setdefault(key, []).append(rid)
    for key, rids in same.items():
        for other in rids[1:] if key[0] else ():  # titles with no content words: never
            union(rids[0], other)
    words = {rids[0]: set(key[0]) for key, rids in same.items() if key[0]}
    kinds = {rids[0]: key[1:] for key, rids in same.items()}
    for a, b in _similar_pairs(words, DUPLICATE_TITLE):
        if kinds[a] == kinds[b]:
            union(a, b)


_PHASE = re.compile(
    r"\bphase[\s-]*((?:[1-4]|i{1,3}v?|iv)[ab]?(?:\s*(?:-|–|/|and|to)\s*(?:[1-4]|i{1,3}v?|iv)[ab]?)?)\b",
    re.I,
)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}


def phase_of(title: str) -> str:
    """The trial phase a title names, normalised ('Phase I/II' = 'Phase 1-2' = '1-2'), or ''."""
    match = _PHASE.search(title)
    if not match:
        return ""
    parts = re.split(r"\s*(?:-|–|/|and|to)\s*", match.group(1).lower())
    return "-".join(
        _ROMAN.get(p.rstrip("ab"), p.rstrip("ab")) + p[len(p.rstrip("ab")) :] for p in parts
    )


def _similar_pairs(words: dict[str, set[str]], threshold: float) -> list[tuple[str, str]]:
    """Pairs with Jaccard >= threshold, by prefix filtering: two such sets share a word among
    the rarest len - ceil(threshold * len) + 1 of each, so only those pairs are compared
    (all pairs would be quadratic in the relevant papers)."""
    frequency: dict[str, int] = {}
    for ws in words.values():
        for w in ws:
            frequency[w] = frequency.get(w, 0) + 1
    index: dict[str, list[str]] = {}
    pairs: set[tuple[str, str]] = set()
    for rid in sorted(words):
        ordered = sorted(words[rid], key=lambda w: (frequency[w], w))
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]
        for w in prefix:
            for other in index.get(w, ()):
                if _jaccard(words[rid], words[other]) >= threshold:
                    pairs.add((other, rid))
            index.setdefault(w, []).append(rid)
    return sorted(pairs)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def title_similarity(a: str, b: str, common: frozenset[str] = frozenset()) -> float:
    """Jaccard overlap of the content words of two titles, the claim's own words aside."""
    wa, wb = _words(a) - common, _words(b) - common
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


@lru_cache(maxsize=65536)
def _words(title: str) -> frozenset[str]:
    """Content words; bare numbers left out ('12-month results' and '24-month results' of
    one trial are one study). Cached: matching compares each title with many others."""
    return frozenset(w for w in _WORD.findall(title.lower()) if w not in _STOP and not w.isdigit())
