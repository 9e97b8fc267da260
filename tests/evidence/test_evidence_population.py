"""Who a record studies: animal and cell studies are excluded as preclinical, whatever they
find; a human trial that mentions a mouse model in passing is not."""

from __future__ import annotations

import pytest

from tests.evidence.test_evidence_rules import judge, paper
from tracker.records.article import MeshHeading

MOUSE = (
    "Repetitive TMS sessions were given daily to SOD1 G93A mice. Treated mice lived longer "
    "than sham-treated mice, and motor neuron counts in the rat spinal cord rose as well."
)
HUMAN = (
    "Earlier work in mice suggested a benefit. Forty patients with ALS were randomised to "
    "real or sham rTMS sessions; survival was significantly longer with real stimulation "
    "(p = 0.01) in patients and participants of both sexes."
)


def mesh(*names: str) -> list[MeshHeading]:
    return [MeshHeading(ui=None, name=n, major=False) for n in names]


@pytest.mark.parametrize(
    ("title", "abstract", "headings", "excluded"),
    [
        ("rTMS in ALS", HUMAN, mesh("Animals", "Amyotrophic Lateral Sclerosis"), True),
        ("rTMS in ALS", HUMAN, mesh("Animals", "Humans"), False),
        ("rTMS prolongs survival in an ALS mouse model", HUMAN, [], True),
        ("rTMS sessions in ALS", MOUSE, [], True),
        ("rTMS sessions in ALS", HUMAN, [], False),
    ],
)
def test_animal_and_cell_studies_are_preclinical(title, abstract, headings, excluded):
    j = judge(paper(title=title, abstract=[("", abstract)], mesh=headings))["PMID:1"]
    assert (j.relevance.exclusion == "preclinical") is excluded
    if excluded:
        assert not j.relevance.relevant and j.role.role == "excluded"
        assert j.verdict.verdict == "not_applicable" and j.relevance.evidence


SEVERAL = ["Amyotrophic Lateral Sclerosis", "Parkinson Disease", "Multiple Sclerosis", "Stroke"]


def symptom_trial(**kw):
    from tests.evidence.test_evidence_rules import trial
    from tracker.records.trial import Outcome

    base = {
        "conditions": SEVERAL,
        "primary_outcomes": [Outcome(measure="Pain (VAS)", description=None, time_frame=None)],
        "secondary_outcomes": [Outcome(measure="Fatigue", description=None, time_frame=None)],
    }
    return trial(**(base | kw))


def test_one_of_several_conditions_without_a_part_of_its_own_is_not_the_population():
    j = judge(symptom_trial())["NCT09000001"]
    assert (j.relevance.relevant, j.relevance.exclusion, j.role.role) == (
        False,
        "other_condition",
        "excluded",
    )


def test_one_of_several_conditions_with_an_arm_of_its_own_is():
    from tracker.records.trial import Arm

    arm = Arm(label="ALS: real rTMS", type="EXPERIMENTAL", description=None, intervention_names=[])
    j = judge(symptom_trial(arms=[arm]))["NCT09000001"]
    assert j.relevance.relevant
    assert any("arm of its own" in e for e in j.relevance.evidence)
    # its outcomes (pain, fatigue) lie outside the claim
    assert (j.verdict.verdict, j.verdict.rule) == ("not_applicable", "outcomes.outside_claim")
