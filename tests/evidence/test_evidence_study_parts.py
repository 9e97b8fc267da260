"""Which records are one study, and which findings test the claim at all: the patterns the
second question's labelled set taught (a phase 1-2 report beside the phase 3 index, the
index registration and paper without a link, a paper whose only treatment effect is on a
biomarker), written here in this question's words."""

from __future__ import annotations

import pytest

from tests.evidence.test_evidence_rules import CLAIM, judge, paper, trial
from tracker.evidence.rules.studies import phase_of
from tracker.records.article import PublicationType as PT
from tracker.records.trial import Outcome, PartialDate

RCT = [PT(ui=None, name="Randomized Controlled Trial")]


@pytest.mark.parametrize(
    ("title", "phase"),
    [
        ("Phase 1-2 Trial of rTMS for ALS", "1-2"),
        ("A phase I/II study of theta-burst stimulation", "1-2"),
        ("Phase III trial of rTMS in ALS", "3"),
        ("rTMS in ALS: a phase 2 and 3 programme", "2-3"),
        ("A phase IIb trial", "2b"),
        ("Trial of rTMS for ALS", ""),
        ("Phase of disease and rTMS response", ""),
    ],
)
def test_phase_of(title: str, phase: str) -> None:
    assert phase_of(title) == phase


def test_a_phase_1_2_report_is_not_a_duplicate_of_the_later_trial_with_the_same_title() -> None:
    early = paper(
        "PMID:1",
        title="Phase 1-2 Trial of Repetitive TMS for ALS",
        abstract=[("", "ALS is fatal. Twenty patients received rTMS or sham. It was safe.")],
        pub_date=PartialDate(value="2020-07", precision="month"),
    )
    later = paper(
        "PMID:2",
        title="Trial of Repetitive TMS for ALS",
        abstract=[("", "ALS is fatal. Ninety patients received rTMS or sham. It was safe.")],
        pub_date=PartialDate(value="2025-07", precision="month"),
    )
    same = paper(
        "PMID:3",
        title="Trial of repetitive TMS for ALS.",
        abstract=[("", "ALS is fatal. Ninety patients received rTMS or sham. Abstract.")],
        pub_date=PartialDate(value="2025-01", precision="month"),
    )
    judged = judge(early, later, same)
    assert judged["PMID:2"].study == judged["PMID:3"].study  # a duplicate report still joins
    assert judged["PMID:1"].study != judged["PMID:2"].study


def test_the_configured_index_trial_and_paper_are_one_study_without_a_link() -> None:
    registry = trial(nct=CLAIM.index.nct_id)
    report = paper("PMID:9", title="Static magnetic stimulation in ALS", doi=CLAIM.index.doi)
    judged = judge(registry, report)
    assert judged["PMID:9"].study == judged[CLAIM.index.nct_id].study
    assert judged["PMID:9"].role.role == judged[CLAIM.index.nct_id].role.role == "index"


BIOMARKER_ONLY = [
    (
        "",
        "ALS caused by rare variants varies in its course. We describe 60 carriers and the "
        "effect of rTMS sessions in eight of them. Carriers of the first variant had a median "
        "survival of 20 months compared with 150 months in carriers of the second (p < 0.001). "
        "During rTMS, all eight showed a reduction of serum neurofilament levels. Carriers of the "
        "two variants differ in course.",
    )
]


def test_a_paper_whose_treatment_moves_only_a_biomarker_does_not_test_the_claim() -> None:
    p = paper(title="Clinical features of two ALS variants", abstract=BIOMARKER_ONLY)
    v = judge(p)["PMID:1"].verdict
    assert (v.verdict, v.rule) == ("not_applicable", "paper.outcomes_outside_claim")
    assert "biomarkers" in v.reason and any("neurofilament" in e for e in v.evidence)


def test_a_biomarker_benefit_where_the_treatment_is_tied_to_progression_stays_inconclusive():
    abstract = [
        (
            "",
            "rTMS has been proposed to slow the progression of ALS. Forty patients were "
            "randomised to real or sham rTMS. Serum neurofilament was significantly reduced "
            "with real rTMS (p = 0.01). It was well tolerated.",
        )
    ]
    p = paper(abstract=abstract, publication_types=RCT)
    v = judge(p)["PMID:1"].verdict
    assert (v.verdict, v.rule) == ("inconclusive", "paper.benefit_other_outcomes")


def test_a_handbook_chapter_on_treating_als_with_brain_stimulation_is_background() -> None:
    chapter = paper(
        "DOI:10.1/chapter",
        title="Treating ALS with non-invasive brain and spinal stimulation: a handbook chapter",
        pub_date=PartialDate(value="2023-02", precision="month"),
    )
    j = judge(chapter)["DOI:10.1/chapter"]
    assert j.relevance.relevant, j.relevance.reason
    assert (j.role.role, j.verdict.verdict) == ("background", "not_applicable")


def test_a_trial_of_paired_brain_spinal_stimulation_in_als_is_relevant() -> None:
    t = trial(
        brief_title="Paired stimulation for hand function in ALS",
        brief_summary="People with ALS receive two-week programs of paired brain-spinal "
        "stimulation, aiming at a clinical benefit on hand function.",
        interventions=[],
        arms=[],
        primary_outcomes=[],
    )
    j = judge(t)["NCT09000001"]
    assert j.relevance.relevant, j.relevance.reason
    assert j.verdict.rule == "outcomes.outside_claim"


EXTENSION = {
    "brief_title": "Long-term evaluation of rTMS in ALS",
    "official_title": "An Extension Study to Assess the Long-Term Safety and Effect on Disease "
    "Progression of rTMS in Adults With ALS Who Completed an Earlier Trial",
    "overall_status": "ACTIVE_NOT_RECRUITING",
    "allocation": "NON_RANDOMIZED",
    "masking": "NONE",
    "arms": [],
    "primary_outcomes": [
        Outcome(
            measure="Number of participants with adverse events", description=None, time_frame=None
        )
    ],
    "secondary_outcomes": [],
}


def test_an_open_label_extension_that_aims_at_progression_is_inconclusive_not_pending() -> None:
    v = judge(trial(**EXTENSION))["NCT09000001"].verdict
    assert (v.verdict, v.rule) == ("inconclusive", "registry.open_label_extension")


def test_the_official_title_states_an_aim_but_not_every_outcome_word_in_it_is_one() -> None:
    # Without the aim in its title the extension lists only safety: outside the claim.
    plain = EXTENSION | {"official_title": "An Extension Study of the Long-Term Safety of rTMS"}
    assert judge(trial(**plain))["NCT09000001"].verdict.rule == "outcomes.outside_claim"
    muscle = EXTENSION | {
        "official_title": "Neuromuscular Magnetic Stimulation Counteracts Muscle Decline in ALS"
    }
    assert judge(trial(**muscle))["NCT09000001"].verdict.rule == "outcomes.outside_claim"


def test_a_controlled_extension_is_still_pending() -> None:
    controlled = EXTENSION | {"allocation": "RANDOMIZED", "masking": "DOUBLE"}
    controlled["arms"] = trial().arms
    v = judge(trial(**controlled))["NCT09000001"].verdict
    assert (v.verdict, v.rule) == ("pending", "registry.pending_status")
