"""Records into studies: a trial, its papers and duplicate reports count once.

Explicit links (PubMed DataBank, NCT ids in abstracts, CT.gov references, Europe PMC)
join records; where a paper plainly reports a registered trial without a link, a match on
acronym or title, or on size, intervention and dates together, joins them and is flagged
inferred. Reviews are never joined: they report many studies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tracker.evidence.signals import Signals

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
    signals: dict[str, Signals], links: Iterable[tuple[str, str]], *, index_ids: set[str]
) -> Grouping:
    """Study key per record: the index trial, else the lowest NCT id, else the first paper id."""
    parent = {rid: rid for rid in signals}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    joinable = {rid for rid, s in signals.items() if not s.review}
    by_article: dict[str, set[str]] = {}
    for article, trial in links:
        if article in joinable and trial in joinable:
            by_article.setdefault(article, set()).add(trial)
    for article, trials in by_article.items():
        if len(trials) <= 2:  # a paper naming many trials is about them, not one of them
            for trial in trials:
                union(article, trial)
    inferred = _infer(signals, joinable, by_article)
    for match in inferred:
        union(match.article_id, match.trial_id)
    _join_duplicates(signals, joinable, union)
    members: dict[str, list[str]] = {}
    for rid in signals:
        members.setdefault(find(rid), []).append(rid)
    study_of = {}
    for group in members.values():
        key = _key(group, index_ids)
        study_of.update(dict.fromkeys(group, key))
    return Grouping(study_of, inferred)


def _key(group: list[str], index_ids: set[str]) -> str:
    for rid in sorted(group):
        if rid in index_ids and rid.startswith("NCT"):
            return rid
    trials = sorted(r for r in group if r.startswith("NCT"))
    return trials[0] if trials else sorted(group)[0]


def _infer(
    signals: dict[str, Signals], joinable: set[str], linked: dict[str, set[str]]
) -> list[Inferred]:
    trials = [s for rid, s in signals.items() if s.kind == "trial" and rid in joinable]
    papers = [
        s
        for rid, s in signals.items()
        if s.kind == "article" and rid in joinable and rid not in linked
    ]
    found = []
    for paper in papers:
        for trial in trials:
            if why := match_reason(paper, trial):
                found.append(Inferred(paper.id, trial.id, why))
                break
    return found


def match_reason(paper: Signals, trial: Signals) -> str | None:
    """Why a paper reports a trial, or None: acronym, title, or size + kind + dates."""
    if paper.date and trial.date and paper.date[:10] < trial.date[:10]:
        return None  # a report cannot precede the registration
    text = f"{paper.title}"
    if (
        trial.acronym
        and len(trial.acronym) >= 4
        and re.search(rf"\b{re.escape(trial.acronym)}\b", text)
    ):
        return f"acronym {trial.acronym} in the title"
    similarity = title_similarity(paper.title, trial.title)
    if similarity >= TITLE_MATCH:
        return f"titles {similarity:.0%} alike"
    same_kind = set(paper.therapy) & set(trial.therapy)
    n_match = paper.design.n is not None and paper.design.n == trial.design.n
    if same_kind and n_match and paper.design.randomised == trial.design.randomised:
        return f"same kind ({', '.join(sorted(same_kind))}), same size (n = {trial.design.n})"
    return None


def _join_duplicates(
    signals: dict[str, Signals], joinable: set[str], union: Callable[[str, str], None]
) -> None:
    papers = sorted(r for r in joinable if signals[r].kind == "article")
    for i, a in enumerate(papers):
        for b in papers[i + 1 :]:
            if title_similarity(signals[a].title, signals[b].title) >= DUPLICATE_TITLE:
                union(a, b)


def title_similarity(a: str, b: str) -> float:
    """Jaccard overlap of the content words of two titles."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def _words(title: str) -> set[str]:
    return {w for w in _WORD.findall(title.lower()) if w not in _STOP}
