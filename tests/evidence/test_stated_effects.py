"""Effect estimates read from abstracts (tracker.evidence.rules.stated_effects): pure, text
in, estimates out. The abstracts are written here for the test, in the wordings journals use."""

from __future__ import annotations

import pytest

from tracker.config import DEFAULT_CONFIG, load_config
from tracker.evidence.rules.stated_effects import StatedEffect, stated_effects
from tracker.evidence.rules.vocab import Lexicon

CLAIM = load_config(DEFAULT_CONFIG, env={}).claim
OUTCOMES = Lexicon({**CLAIM.outcomes, **CLAIM.other_outcomes})


def read(text: str) -> list[StatedEffect]:
    return stated_effects(text, OUTCOMES)


def triple(e: StatedEffect) -> tuple[str, float, float, float]:
    return e.measure, e.value, e.lower, e.upper


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Median survival was longer with active stimulation (HR 0.62, 95% CI 0.40–0.95).",
            ("hazard ratio", 0.62, 0.40, 0.95),
        ),
        (
            "Survival favoured the active arm (hazard ratio = 0.62 (0.40 to 0.95); p = 0.03).",
            ("hazard ratio", 0.62, 0.40, 0.95),
        ),
        (
            "Patients on rTMS were more likely to respond (OR 1.8 [95% CI, 1.1-2.9]).",
            ("odds ratio", 1.8, 1.1, 2.9),
        ),
        (
            "Mortality was lower with treatment (hazard ratio, 0·71; 95% CI, 0·52 to 0·97).",
            ("hazard ratio", 0.71, 0.52, 0.97),
        ),
        (
            "The relative risk of death was 0.85 (95% confidence interval 0.70—1.03).",
            ("risk ratio", 0.85, 0.70, 1.03),
        ),
        (
            "The ALSFRS-R slope differed between groups (mean difference −2.1 points, "
            "95% CI −3.9 to −0.3, P<0.001).",
            ("mean difference", -2.1, -3.9, -0.3),
        ),
        (
            "Tracheostomy-free survival improved (aHR=0.55; p=0.01; 95%CI: 0.33-0.91).",
            ("hazard ratio", 0.55, 0.33, 0.91),
        ),
        (
            "The decline was slower (MD 1.9 [0.4; 3.4]) at 12 months.",
            ("mean difference", 1.9, 0.4, 3.4),
        ),
        (
            "Death occurred less often (RR 0.8, 95% CI 0.64, 0.99).",
            ("risk ratio", 0.8, 0.64, 0.99),
        ),
        (
            "The hazard ratio (HR) for survival was 0.62 (95 % CI: 0.40 - 0.95).",
            ("hazard ratio", 0.62, 0.40, 0.95),
        ),
        (
            "Vital capacity fell less (mean difference 3.1% (95% CI, 0.9% to 5.3%)).",
            ("mean difference", 3.1, 0.9, 5.3),
        ),
    ],
)
def test_the_common_written_forms(sentence, expected):
    [found] = read(f"Background text. {sentence} Conclusions follow.")
    assert triple(found) == pytest.approx(expected)
    assert found.quote == sentence


def test_outcome_named_before_in_the_gap_or_after_the_estimate():
    text = (
        "Active stimulation reduced mortality (HR 0.60, 95% CI 0.40-0.90) but not FVC "
        "decline (HR 0.90, 95% CI 0.70–1.20). "
        "The hazard ratio for death or tracheostomy was 0.70 (0.52 to 0.94). "
        "The effect was HR 0.80 (95% CI 0.61–1.05) for progression to the next stage. "
        "Among patients with FVC above 70%, survival was longer (HR 0.5, 95% CI 0.3-0.8)."
    )
    found = read(text)
    assert [(e.outcome, e.outcome_words) for e in found] == [
        ("survival", "mortality"),
        ("respiration", "FVC decline"),
        ("survival", "death or tracheostomy"),
        ("progression", "progression"),
        ("survival", "survival"),
    ]


def test_no_outcome_when_the_sentence_names_none():
    [found] = read("The primary analysis gave OR 2.1 (95% CI 1.2 to 3.6).")
    assert found.outcome is None and found.outcome_words is None
    assert found.measure == "odds ratio" and found.ratio


def test_p_values_and_numbers_that_are_not_estimates_are_ignored():
    text = (
        "Survival differed between groups (p = 0.03). "
        "The hazard ratio was 0.62 (p = 0.04). "  # no interval: nothing to plot
        "Enrollment was 120 (60 to 180 per site). "  # no measure named
        "HR 0.62 (90% CI 0.45-0.85) for survival. "  # not a 95% interval
        "HR 1.40 (95% CI 0.40-0.95) for death. "  # the number lies outside its interval
        "OR 0 (95% CI 0 to 0) in the safety set. "  # an empty interval
        "Odds ratio -0.5 (95% CI -1.0 to -0.1). "  # a ratio below zero
        "HR 0.50 (12 to 18 months) for death."  # the brackets hold months
    )
    assert read(text) == []


def test_mean_difference_keeps_its_unit_and_a_sentence_may_hold_several():
    text = (
        "At 6 months the ALSFRS-R score was higher with real stimulation (mean between-group "
        "difference 2.4 points per month, 95% CI 0.6 to 4.2), and death was less frequent "
        "(odds ratio 0.5, 95% CI 0.3–0.9)."
    )
    first, second = read(text)
    assert triple(first) == pytest.approx(("mean difference", 2.4, 0.6, 4.2))
    assert first.unit == "points per month" and first.outcome == "progression"
    assert not first.ratio
    assert triple(second) == pytest.approx(("odds ratio", 0.5, 0.3, 0.9))
    assert second.outcome == "survival" and second.unit == ""


def test_lower_case_or_is_a_word_not_an_odds_ratio():
    assert read("Death or tracheostomy 0.5 (0.3 to 0.9) was rare.") == []


def test_without_a_lexicon_estimates_are_read_without_outcomes():
    [found] = stated_effects("Survival was longer (HR 0.62, 95% CI 0.40–0.95).")
    assert found.outcome is None and triple(found) == pytest.approx(
        ("hazard ratio", 0.62, 0.40, 0.95)
    )
    assert stated_effects(None) == [] and stated_effects("") == []


@pytest.mark.parametrize(
    "text",
    [
        "The adjusted hazard ratio was 0.7 (95% CI 0.5-0.9); aHR 0.8 (0.6 to 0.99) in the "
        "MOTOR cohort, OR 1.5 (1.1-2.0), risk ratio 0.9 (95% CI 0.8 to 1.0), MD 2 (1 to 3).",
        "İstanbul cohort: hazard ratio 0.6 (95% CI 0.4–0.9) for death.",  # lower() grows it
        "Relative risk, odds and mean values were described; no estimate is given.",
    ],
)
def test_the_quick_search_finds_what_the_whole_pattern_finds(text):
    from tracker.evidence.rules.stated_effects import _ESTIMATE, _matches

    assert [m.span() for m in _matches(text)] == [m.span() for m in _ESTIMATE.finditer(text)]
