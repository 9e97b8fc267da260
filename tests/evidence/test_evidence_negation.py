"""Negation and its scope (tracker/evidence/rules/negation.py), read the NegEx/ConText way:
hand-written sentences of the kind abstracts print, each with the outcome term it is about
and what the sentence says of it; then the same sentences through the reading of a clause,
and the trickiest ones through a whole judgement."""

from __future__ import annotations

import pytest

from tests.evidence.test_evidence_rules import CLAIM, judge, paper
from tracker.evidence.rules.negation import negations, triggers
from tracker.evidence.rules.reading import clause_statements
from tracker.evidence.rules.vocab import compile_vocab
from tracker.records.article import PublicationType as PT

VOCAB = compile_vocab(CLAIM)


def status(sentence: str, term: str) -> str | None:
    """What the negations of `sentence` say of the first `term` in it."""
    start = sentence.index(term)
    spans = VOCAB.outcomes.spans(sentence) + VOCAB.other_outcomes.spans(sentence)
    found, _orphans = negations(sentence, [(s, e) for s, e, _g in spans])
    negation = next(n for (s, _e, _g), n in zip(spans, found, strict=True) if s == start)
    return negation.status if negation else None


CASES: list[tuple[str, str, str | None]] = [
    # pre-negation: the scope runs forward from the trigger
    (
        "There was no significant difference in ALSFRS-R decline between groups",
        "ALSFRS-R",
        "negated",
    ),
    ("rTMS did not slow the decline of ALSFRS-R", "ALSFRS-R", "negated"),
    ("Stimulation did not significantly slow decline", "decline", "negated"),
    ("Real stimulation failed to prolong survival", "survival", "negated"),
    (
        "We found no evidence of slowing of disease progression",
        "disease progression",
        "negated",
    ),
    ("Neither ALSFRS-R decline nor survival differed between arms", "survival", "negated"),
    ("Neither ALSFRS-R decline nor survival differed between arms", "ALSFRS-R", "negated"),
    ("no difference in ALSFRS-R (p = 0.62)", "ALSFRS-R", "negated"),
    ("Active stimulation had no effect on survival", "survival", "negated"),
    ("without any effect on the rate of decline", "rate of decline", "negated"),
    ("The treatment was not associated with longer survival", "survival", "negated"),
    ("Stimulation did not alter survival", "survival", "negated"),
    # post-negation: the scope runs back to the subject
    ("A slowing of ALSFRS-R decline was not observed", "ALSFRS-R", "negated"),
    ("Differences in survival were not significant", "survival", "negated"),
    ("ALSFRS-R slopes did not differ between active and sham", "ALSFRS-R", "negated"),
    ("The ALSFRS-R decline was similar in both groups", "ALSFRS-R", "negated"),
    ("The progression rate remained unchanged", "progression rate", "negated"),
    (
        "The difference in survival did not reach statistical significance",
        "survival",
        "negated",
    ),
    (
        "The rate of decline in ALSFRS-R total score over 24 weeks did not differ",
        "ALSFRS-R",
        "negated",
    ),
    ("ALSFRS-R decline was not significantly different between groups", "ALSFRS-R", "negated"),
    # pseudo-negation: negative words that negate nothing
    ("rTMS not only was safe but also slowed ALSFRS-R decline", "ALSFRS-R", None),
    ("Stimulation not only slowed decline but also prolonged survival", "decline", None),
    ("Active stimulation did not fail to slow ALSFRS-R decline", "ALSFRS-R", None),
    ("Median survival was not reached in the active group", "survival", None),
    ("There is no doubt that survival was longer", "survival", None),
    # terminators close a scope
    ("No patient discontinued; survival was significantly longer", "survival", None),
    ("No serious adverse events occurred, but survival was longer", "survival", None),
    (
        "There was no increase in adverse events, but the rate of decline slowed",
        "rate of decline",
        None,
    ),
    ("ALSFRS-R did not change; however, survival improved", "survival", None),
    ("Fatigue did not differ, whereas ALSFRS-R decline was slower", "ALSFRS-R", None),
    ("Cognition was unchanged although survival was longer", "survival", None),
    # a negation about another outcome leaves this one alone
    (
        "Survival was significantly longer with rTMS, with no difference in fatigue",
        "Survival",
        None,
    ),
    ("rTMS slowed ALSFRS-R decline and did not cause seizures", "ALSFRS-R", None),
    ("rTMS slowed ALSFRS-R decline, and was not painful", "ALSFRS-R", None),
    # the window: a negation far after its subject does not reach back to it
    (
        "ALSFRS-R decline was slower in the active group than in the sham group after six "
        "months of daily sessions, which did not cause any discomfort",
        "ALSFRS-R",
        None,
    ),
    # harm denied is not a benefit claim either way
    ("Stimulation was not associated with a higher risk of death", "death", "no_harm"),
    ("There was no increase in mortality with active stimulation", "mortality", "no_harm"),
    ("rTMS did not accelerate disease progression", "disease progression", "no_harm"),
    ("Real stimulation did not worsen the ALSFRS-R decline", "ALSFRS-R", "no_harm"),
    ("Progression was not faster with active stimulation", "Progression", "no_harm"),
    # events that did not happen are no comparison
    ("No patient died during the study", "died", "absent"),
    ("Deaths were not observed in either group", "Deaths", "absent"),
    ("None of the patients required tracheostomy", "tracheostomy", "absent"),
    # plain affirmatives
    ("ALSFRS-R decline was slower in the active group (p = 0.02)", "ALSFRS-R", None),
    ("Noninvasive stimulation prolonged survival", "survival", None),
    ("Non-invasive stimulation prolonged survival", "survival", None),
]
"""(sentence, outcome term, what the sentence says of it: None when nothing negates it).
benchmarks/negation_libraries.py scores the negation libraries on them too."""


@pytest.mark.parametrize(("sentence", "term", "expected"), CASES)
def test_what_a_negation_says_of_an_outcome(sentence: str, term: str, expected: str | None) -> None:
    assert status(sentence, term) == expected


def test_a_pseudo_trigger_is_matched_before_the_negation_inside_it() -> None:
    kinds = [(t.kind, t.words) for t in triggers("It did not fail to slow decline, not only X")]
    assert kinds == [("pseudo", "did not fail to"), ("pseudo", "not only")]


def test_a_negation_about_no_outcome_is_returned_apart() -> None:
    found, orphans = negations("This difference was not significant", [])
    assert found == [] and [o.status for o in orphans] == ["negated"]
    assert [o.status for o in negations("No patient dropped out", [])[1]] == ["absent"]


def said(clause: str) -> dict[str, str]:
    """Outcome group -> the effect the clause states on it."""
    out = clause_statements(clause, clause, VOCAB)
    assert out is not None
    return {g: effect for side in out for groups, effect in side for g in groups}


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("rTMS did not significantly slow decline", {"progression": "null"}),
        ("no difference in ALSFRS-R (p = 0.62)", {"progression": "null"}),
        (
            "survival was significantly longer with rTMS, with no difference in fatigue",
            {"survival": "benefit", "mood": "null"},
        ),
        ("stimulation was not associated with a higher risk of death", {}),
        ("no patient died", {}),
        (
            "real stimulation did not fail to slow ALSFRS-R decline (p = 0.01)",
            {"progression": "benefit"},
        ),
        (
            "survival was longer in the active group, which was not significant",
            {"survival": "null"},
        ),
        (
            "ALSFRS-R decline was significantly slower with real stimulation",
            {"progression": "benefit"},
        ),
        ("progression was significantly faster with active stimulation", {"progression": "harm"}),
    ],
)
def test_clause_statements(clause: str, expected: dict[str, str]) -> None:
    assert said(clause) == expected


def test_a_clause_naming_no_outcome_is_left_to_the_sentence() -> None:
    assert clause_statements("this did not reach significance", "x", VOCAB) is None


RCT = [PT(ui=None, name="Randomized Controlled Trial")]


def verdict(*sentences: str) -> tuple[str, str]:
    text = " ".join(("ALS is a fatal disease.", *sentences))
    p = paper(
        title="rTMS in ALS: a randomised sham-controlled trial",
        abstract=[("", text)],
        publication_types=RCT,
    )
    v = judge(p)["PMID:1"].verdict
    return v.verdict, v.rule


def test_a_survival_benefit_after_a_semicolon_is_not_negated_by_no_patient() -> None:
    assert verdict(
        "Forty patients were randomised to real or sham stimulation.",
        "No patient discontinued stimulation; survival was significantly longer with real "
        "stimulation (p = 0.01).",
        "It was well tolerated.",
    ) == ("confirms", "paper.claim_benefit")


def test_not_only_but_also_is_a_benefit() -> None:
    assert verdict(
        "Forty patients were randomised.",
        "Real stimulation was not only safe but also significantly slowed ALSFRS-R decline "
        "(p = 0.02).",
        "It was well tolerated.",
    ) == ("confirms", "paper.claim_benefit")


def test_no_higher_risk_of_death_is_neither_a_benefit_nor_a_null_result() -> None:
    assert verdict(
        "Forty patients were randomised.",
        "Real stimulation was not associated with a higher risk of death.",
        "It was well tolerated.",
    ) == ("inconclusive", "paper.no_claim_result")


def test_did_not_significantly_slow_decline_is_a_null_result() -> None:
    assert verdict(
        "Forty patients were randomised.",
        "Real stimulation did not significantly slow ALSFRS-R decline compared with sham.",
        "Stimulation cannot be recommended.",
    ) == ("refutes", "paper.primary_no_benefit")


def test_a_benefit_with_no_difference_in_another_outcome_still_confirms() -> None:
    # Clause by clause, 'no difference' once made the whole clause null: survival with it.
    assert verdict(
        "Forty patients were randomised.",
        "Survival was significantly longer with real stimulation (p = 0.01), with no "
        "difference in adverse events.",
        "It was well tolerated.",
    ) == ("confirms", "paper.claim_benefit")
