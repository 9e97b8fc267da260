"""Verdicts from a paper's abstract: trial reports and reviews (see reading.py)."""

from __future__ import annotations

import re

from tracker.evidence.rules.reading import Reading, Statement, abstract_problem, read_abstract
from tracker.evidence.rules.signals import Signals
from tracker.evidence.rules.strength import strength_of
from tracker.evidence.rules.text import sentences
from tracker.evidence.rules.verdict import Verdict
from tracker.evidence.rules.vocab import Vocab
from tracker.records.article import ArticleData


def paper_verdict(a: ArticleData, s: Signals, vocab: Vocab, *, primary: set[str]) -> Verdict:
    """A report of a study: `primary` is the claim outcome groups known to be primary."""
    if s.protocol:
        return Verdict(
            "pending",
            "paper.protocol",
            "A published protocol: the study's results are not reported yet.",
            [f"title: {s.title}"],
        )
    if not a.abstract:
        return Verdict(
            "inconclusive",
            "paper.no_abstract",
            "No abstract to read; the verdict needs the full text or a human reader.",
            [f"title: {s.title}"],
        )
    if problem := abstract_problem(a):
        return unreadable(problem, a, s)
    reading = read_abstract(a, vocab)
    if outside := _outside_claim(a, reading, vocab):
        return outside
    primary = primary | set(s.primary_claim)
    if s.design.uncontrolled or not s.design.controlled:
        quotes = _quotes(reading.claim or reading.other) or [f"title: {s.title}"]
        return Verdict(
            "inconclusive",
            "paper.uncontrolled",
            "An uncontrolled study (no sham, placebo or control group), so it cannot show that the "
            "treatment caused any change.",
            quotes,
            "weak",
        )
    return _controlled(reading, s, primary)


_ARMS = re.compile(
    r"\b(?:sham|placebo|control(?:s|led)?|active|verum|arms?|groups?|randomi[sz]ed|treat\w*|"
    r"therap\w*)\b",
    re.I,
)


def _on_treatment(x: Statement, vocab: Vocab) -> bool:
    """A claim statement about the treatment: a null result, or a sentence that names the
    treatment, its arms or a therapy word ('median survival was 22 months in R116G carriers
    against 198 in D91A carriers' compares genotypes, not treatments)."""
    quote = x.quote
    return (
        x.effect == "null"
        or bool(_ARMS.search(quote))
        or bool(vocab.kinds.find(quote) or vocab.therapy_cues.find(quote))
    )


def _outside_claim(a: ArticleData, r: Reading, vocab: Vocab) -> Verdict | None:
    """Not applicable when every effect the treatment is reported to have lies outside the
    claim (a fall in a biomarker) and the abstract never ties the treatment to the claim's
    outcomes: no claim statement about the treatment, and no sentence naming both the
    treatment and a claim outcome ('proposed to slow progression' would be one)."""
    moved = [x for x in r.other if x.effect in ("benefit", "trend")]
    if not moved or any(_on_treatment(x, vocab) for x in r.claim):
        return None
    text = [a.title, *(t for sec in a.abstract for t in sentences(sec.text))]
    if any(vocab.kinds.find(t) and vocab.outcomes.find(t) for t in text):
        return None
    return Verdict(
        "not_applicable",
        "paper.outcomes_outside_claim",
        f"Does not test the claim: the treatment's reported effects lie outside it "
        f"({_names(moved)}), and the abstract ties none of progression or survival to it.",
        _quotes(moved),
    )


def _controlled(r: Reading, s: Signals, primary: set[str]) -> Verdict:
    benefit = [x for x in r.claim if x.effect == "benefit"]
    null = [x for x in r.claim if x.effect == "null"]
    harm = [x for x in r.claim if x.effect == "harm"]
    primary_null = [x for x in null if set(x.groups) & primary]
    if harm:
        return Verdict(
            "refutes",
            "paper.claim_harm",
            "The claim's outcomes were significantly worse with the treatment.",
            _quotes(harm),
            strength_of(s.design, on_primary=bool(primary)),
        )
    if benefit and (primary_null or r.conclusion == "negative"):
        return Verdict(
            "inconclusive",
            "paper.mixed",
            "Mixed results: no benefit on the primary outcome, a significant benefit on another "
            "progression or survival measure.",
            _quotes(primary_null + benefit),
            "weak",
        )
    if benefit:
        on_primary = any(set(x.groups) & primary for x in benefit)
        return Verdict(
            "confirms",
            "paper.claim_benefit",
            f"A controlled study reports a significant benefit on {_names(benefit)}.",
            _quotes(benefit),
            strength_of(s.design, on_primary=on_primary),
        )
    if primary_null:
        return _refutes(primary_null, r, s)
    return _no_claim_benefit(r, s, primary, null)


def _no_claim_benefit(r: Reading, s: Signals, primary: set[str], null: list[Statement]) -> Verdict:
    """No benefit on the claim, and no primary claim outcome found unchanged."""
    other_benefit = [x for x in r.other if x.effect in ("benefit", "trend")]
    if other_benefit:
        unchanged = f"; {_names(null)} did not differ" if null else ""
        return Verdict(
            "inconclusive",
            "paper.benefit_other_outcomes",
            f"Benefit reported only on outcomes outside the claim ({_names(other_benefit)}), "
            f"not on progression or survival{unchanged}.",
            _quotes(other_benefit + null),
            "weak",
        )
    # Refutes needs the claim outcome to be the primary one (a secondary outcome unchanged is
    # only inconclusive); when the abstract names no primary outcome, the authors' negative
    # conclusion stands in for it.
    if null and not primary and not s.primary_other and r.conclusion == "negative":
        return _refutes(null, r, s)
    if null:
        return Verdict(
            "inconclusive",
            "paper.secondary_unchanged",
            f"{_names(null).capitalize()} did not differ, but was not the primary outcome.",
            _quotes(null),
            "weak",
        )
    undirected = [x for x in r.claim if x.effect == "significant"]
    if undirected:
        return Verdict(
            "inconclusive",
            "paper.claim_direction_unclear",
            f"A significant difference in {_names(undirected)} is reported, but the abstract "
            "does not say which arm did better.",
            _quotes(undirected),
            "weak",
        )
    trend = [x for x in r.claim if x.effect == "trend"]
    if trend:
        return Verdict(
            "inconclusive",
            "paper.claim_trend",
            f"A change in {_names(trend)} is described without a significant test.",
            _quotes(trend),
            "weak",
        )
    return Verdict(
        "inconclusive",
        "paper.no_claim_result",
        "The abstract states no result on progression or survival.",
        [f"title: {s.title}"],
        "weak",
    )


def _refutes(null: list[Statement], r: Reading, s: Signals) -> Verdict:
    quotes = _quotes(null) + ([_trim(r.conclusion_quote)] if r.conclusion_quote else [])
    return Verdict(
        "refutes",
        "paper.primary_no_benefit",
        f"A controlled study found no benefit on its primary outcome ({_names(null)}).",
        list(dict.fromkeys(quotes))[:4],
        strength_of(s.design, on_primary=True),
    )


def review_verdict(a: ArticleData, s: Signals, vocab: Vocab) -> Verdict:
    if not a.abstract:
        return Verdict(
            "inconclusive",
            "review.no_abstract",
            "A review with no abstract to read; its conclusion needs a human reader.",
            [f"title: {s.title}"],
        )
    if problem := abstract_problem(a):
        return unreadable(problem, a, s)
    r = read_abstract(a, vocab)
    benefit = [x for x in r.claim if x.effect == "benefit"]
    if r.conclusion == "insufficient":
        return Verdict(
            "inconclusive",
            "review.insufficient",
            "The review finds the evidence insufficient to conclude.",
            [r.conclusion_quote or ""],
            None,
        )
    if benefit:
        return Verdict(
            "confirms",
            "review.pooled_benefit",
            f"The review reports a significant pooled benefit on {_names(benefit)}.",
            _quotes(benefit),
            "moderate",
        )
    null = [x for x in r.claim if x.effect == "null"]
    if null and "meta-analysis" in f"{s.review or ''} {s.title}".lower():
        # Pooled controlled studies that find no benefit on the claim's outcomes refute it;
        # a systematic review without pooling only reports that the trials found none.
        return Verdict(
            "refutes",
            "review.meta_analysis_no_benefit",
            f"The meta-analysis finds no significant pooled benefit on {_names(null)}.",
            _quotes(null),
            "moderate",
        )
    if null:
        return Verdict(
            "inconclusive",
            "review.no_pooled_benefit",
            f"The review finds no significant benefit on {_names(null)}.",
            _quotes(null),
            "weak",
        )
    return Verdict(
        "inconclusive",
        "review.no_conclusion",
        "The review draws no conclusion on progression or survival.",
        _quotes(r.other) or [f"title: {s.title}"],
    )


def unreadable(problem: str, a: ArticleData, s: Signals) -> Verdict:
    """Inconclusive, saying why the abstract could not be read."""
    languages = ", ".join(a.languages) or "not given"
    return Verdict(
        "inconclusive",
        "paper.unreadable_abstract",
        f"{problem}, so the rules cannot read a result; it needs a human reader.",
        [f"title: {s.title}", f"language: {languages}", f"abstract: {_trim(a.abstract_text, 120)}"],
    )


def _names(statements: list[Statement]) -> str:
    return " and ".join(dict.fromkeys(g for x in statements for g in x.groups))


def _quotes(statements: list[Statement]) -> list[str]:
    return list(dict.fromkeys(_trim(x.quote) for x in statements))[:4]


def _trim(text: str, limit: int = 320) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
