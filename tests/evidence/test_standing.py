"""The standing rule (tracker.evidence.rules.standing): one table case per state, then how
strength, human verdicts, retractions and reviews weigh, and the sentence that says it."""

from __future__ import annotations

import pytest

from tracker.evidence.rules.signals import Design
from tracker.evidence.rules.standing import Pooled, StudyEvidence, weigh
from tracker.evidence.rules.standing_text import pooled_in, standing_sentence

RCT = Design(randomised=True, sham=True, blinded=True, controlled=True, n=150)
"""Randomised, placebo-controlled, blinded, large: strong when the outcome is primary."""
SMALL_RCT = Design(randomised=True, controlled=True, n=20)
"""Randomised, open, small: weak."""
SERIES = Design(uncontrolled=True, n=7)


def study(name, verdict, *, role="follow_up", design=RCT, n=None, primary=True, **kw):
    return StudyEvidence(
        study=name,
        role=role,
        verdict=verdict,
        participants=n if n is not None else design.n,
        design=design,
        on_primary=primary,
        **kw,
    )


def standing(*studies):
    weighed = weigh(studies)
    return weighed.state, standing_sentence(weighed)


CASES = {
    "confirmed": (
        [study("A", "confirms", n=120), study("B", "pending", design=Design(), n=60)],
        "Confirmed: 1 controlled follow-up found a benefit (n = 120); 1 pending (n = 60).",
    ),
    "not_supported": (
        [
            study("A", "refutes", n=200),
            study("B", "refutes", n=100),
            study("C", "pending", design=Design(), n=0),
        ],
        "Not supported: 2 controlled follow-ups found no benefit (n = 300); 1 pending.",
    ),
    "contested": (
        [study("A", "confirms", n=80), study("B", "refutes", n=150), study("C", "refutes")],
        "Contested: 1 controlled follow-up found a benefit (n = 80), 2 found none (n = 300).",
    ),
    "open": (
        [
            study("A", "pending", design=Design(), n=212),
            study("B", "inconclusive", design=SMALL_RCT, n=18),
            study("C", "confirms", design=SERIES),
        ],
        "Open: no controlled follow-up for or against yet; 1 uncontrolled follow-up found a "
        "benefit (n = 7); 1 pending (n = 212); 1 inconclusive (n = 18).",
    ),
    "untested": (
        [study("I", "not_applicable", role="index", n=40), study("P", "confirms", role="prior")],
        "Untested: no follow-up yet; earlier studies: 1 for.",
    ),
}


@pytest.mark.parametrize("state", list(CASES))
def test_one_case_per_state(state):
    studies, sentence = CASES[state]
    assert standing(*studies) == (state, sentence)


def test_a_weaker_opposite_result_does_not_unsettle_a_stronger_one():
    strong_for = study("A", "confirms", strength="strong")
    weak_against = study("B", "refutes", design=SMALL_RCT, strength="weak")
    assert standing(strong_for, weak_against) == (
        "confirmed",
        "Confirmed: 1 controlled follow-up found a benefit (n = 150); 1 weaker controlled "
        "follow-up found no benefit (n = 20).",
    )
    weak_for = study("A", "confirms", design=SMALL_RCT, strength="weak")
    strong_against = study("B", "refutes", strength="strong")
    # Any controlled confirmation keeps a refutation from settling it: contested.
    assert standing(weak_for, strong_against)[0] == "contested"
    assert standing(strong_against)[0] == "not_supported"
    # Equally strong: contested, whichever has more studies.
    assert standing(weak_for, study("B", "refutes", design=SMALL_RCT))[0] == "contested"


def test_strength_comes_from_the_design_when_none_is_stored():
    # No stored strength: randomised + sham + blinded + n >= 100 + primary = strong, which
    # outweighs a weak confirmation (contested, not confirmed); a small open trial without
    # the primary outcome is weaker than a moderate confirmation, which then stands.
    weak_for = study("A", "confirms", design=SMALL_RCT, strength="weak")
    assert standing(weak_for, study("B", "refutes"))[0] == "contested"
    moderate_for = study("A", "confirms", strength="moderate")
    small_against = study("B", "refutes", design=Design(randomised=True, n=40), primary=False)
    assert standing(moderate_for, small_against)[0] == "confirmed"
    assert standing(weak_for, small_against)[0] == "contested"


def test_human_verdicts_count_as_given():
    # A human says a study that the rules read as uncontrolled confirms: it counts, with the
    # strength its design earns, not the automatic verdict's.
    judged = study("A", "confirms", design=SERIES, manual=True, strength="strong")
    assert standing(judged)[0] == "confirmed"
    against = study("B", "refutes", design=SMALL_RCT, strength="weak")
    assert standing(judged, against)[0] == "contested"  # both weak once the human decides


def test_retracted_studies_never_count():
    retracted = study("A", "confirms", retracted=True)
    state, sentence = standing(retracted, study("B", "pending", design=Design(), n=30))
    assert state == "open"
    assert sentence == (
        "Open: no controlled follow-up for or against yet; 1 pending (n = 30); "
        "1 retracted study not counted."
    )
    assert weigh([retracted]).state == "untested"


def test_reviews_are_reported_apart_and_never_decide():
    meta = study(
        "M",
        "refutes",
        role="review",
        n=900,
        review="meta-analysis",
        pooled=Pooled(4, "trials"),
    )
    others = [
        study(f"R{i}", "inconclusive", role="review", review="systematic review") for i in range(3)
    ]
    state, sentence = standing(study("A", "pending", design=Design(), n=40), meta, *others)
    assert state == "open"
    assert sentence == (
        "Open: no controlled follow-up for or against yet; 1 pending (n = 40); "
        "a meta-analysis of 4 trials found no benefit; 3 reviews found the evidence inconclusive."
    )
    # Its participants are never added to the studies': the trials it pools count themselves.
    assert weigh([meta]).basis.refutes.studies == 0
    assert standing(meta)[0] == "untested"


def test_follow_ups_outside_the_claim_do_not_test_it():
    safety_only = study("A", "not_applicable", design=Design(), n=12)
    assert standing(safety_only) == ("untested", "Untested: no follow-up tests the claim yet.")


@pytest.mark.parametrize(
    ("abstract", "pooled"),
    [
        (
            "Results: Twelve studies with 195 tofersen-treated patients were included: two "
            "randomized controlled trials (RCTs), five cohort studies.",
            Pooled(12, "studies"),
        ),
        ("We included 4 randomised controlled trials (n = 380).", Pooled(4, "trials")),
        ("Seven RCTs met the inclusion criteria.", Pooled(7, "trials")),
        (
            "Two reviewers screened 312 records. Of these, 5 studies were eligible.",
            Pooled(5, "studies"),
        ),
        ("Two studies compared two doses.", None),  # no inclusion: not what was pooled
        ("", None),
    ],
)
def test_what_a_review_pooled(abstract, pooled):
    assert pooled_in(abstract) == pooled
