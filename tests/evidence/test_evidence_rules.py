"""Table tests of the evidence rules: pure functions, parsed records in, judgements out.

Records are built in code (TrialData / ArticleData) with only the fields a rule reads, and
`today` is always passed in; the claim is the shipped STIMALS configuration.
"""

from __future__ import annotations

from datetime import date

import pytest

from tracker.config import DEFAULT_CONFIG, load_config
from tracker.evidence.rules.assess import Record, judge_records
from tracker.evidence.rules.reading import clause_effect
from tracker.evidence.rules.registry import classify_why_stopped
from tracker.evidence.rules.signals import Design
from tracker.evidence.rules.strength import strength_of
from tracker.evidence.rules.text import clauses, p_values, sample_size, sentences
from tracker.ids import Source
from tracker.records.article import AbstractSection, ArticleData, MeshHeading, MeshQualifier
from tracker.records.article import PublicationType as PT
from tracker.records.trial import (
    Analysis,
    Arm,
    Intervention,
    Outcome,
    PartialDate,
    ResultGroup,
    ResultOutcome,
    ResultValue,
    TrialData,
)

TODAY = date(2026, 11, 25)
CLAIM = load_config(DEFAULT_CONFIG, env={}).claim


def trial(nct="NCT09000001", **kw) -> TrialData:
    base = {
        "nct_id": nct,
        "brief_title": "Repetitive TMS in ALS",
        "overall_status": "RECRUITING",
        "first_submitted": "2025-03-01",
        "study_type": "INTERVENTIONAL",
        "allocation": "RANDOMIZED",
        "primary_purpose": "TREATMENT",
        "masking": "DOUBLE",
        "enrollment": 60,
        "conditions": ["Amyotrophic Lateral Sclerosis"],
        "arms": [
            Arm(label="Real rTMS", type="EXPERIMENTAL", description=None, intervention_names=[]),
            Arm(label="Sham rTMS", type="SHAM_COMPARATOR", description=None, intervention_names=[]),
        ],
        "interventions": [
            Intervention(
                type="DEVICE",
                name="Repetitive transcranial magnetic stimulation",
                description="Ten daily sessions over the motor cortex.",
                other_names=[],
                arm_group_labels=[],
            )
        ],
        "primary_outcomes": [
            Outcome(measure="Change in ALSFRS-R", description=None, time_frame="6 months")
        ],
    }
    base.update(kw)
    return TrialData(**base)


def paper(
    pid="PMID:1", title="rTMS for ALS: a randomised sham-controlled trial", abstract=(), **kw
):
    sections = [AbstractSection(label=lab, category=lab, text=txt) for lab, txt in abstract]
    base = {
        "id": pid,
        "title": title,
        "abstract": sections,
        "pub_date": PartialDate(value="2025-06", precision="month"),
        "publication_types": [PT(ui=None, name="Journal Article")],
    }
    base.update(kw)
    return ArticleData(**base)


def judge(*records, links=()):
    judged, _ = judge_records(
        [Record(Source.CTGOV if isinstance(r, TrialData) else Source.PUBMED, r) for r in records],
        links,
        CLAIM,
        TODAY,
    )
    return {j.id: j for j in judged}


# --- text helpers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("p = 0.83", [("=", 0.83)]),
        ("(P<0.001) and p-value = 1.00", [("<", 0.001), ("=", 1.0)]),
        ("p &lt; 0.05", [("<", 0.05)]),
        ("no p here", []),
    ],
)
def test_p_values(text, expected):
    assert p_values(text) == expected


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("Forty participants were randomly assigned to real (n = 21) or placebo", 40),
        ("80 ALS patients were randomized; 72 patients completed", 80),
        ("Twenty-two consecutive patients", 22),
        ("no size given", None),
    ],
)
def test_sample_size(text, n):
    assert sample_size(text) == n


def test_sentences_keep_et_al_and_vs_together():
    text = "As Di Lazzaro et al. showed, real vs. sham differed. Survival was longer."
    assert sentences(text) == [
        "As Di Lazzaro et al. showed, real vs. sham differed.",
        "Survival was longer.",
    ]


def test_clauses_split_where_the_sentence_turns():
    assert clauses("tSMS did not modify disease progression, but survival was higher") == [
        "tSMS did not modify disease progression",
        "survival was higher",
    ]


# --- negation and significance ------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "effect"),
    [
        ("There was no significant difference in ALSFRS-R decline", "null"),
        ("rTMS did not slow the decline of ALSFRS-R", "null"),
        ("the MPR did not differ between arms (p = 0.83)", "null"),
        ("ALSFRS-R slope was not significantly different", "null"),
        ("stimulation failed to prolong survival", "null"),
        ("the ALSFRS-R decline was similar in both groups", "null"),
        ("the slope differed (p = 0.41)", "null"),
        ("tracheostomy-free survival was significantly higher with real stimulation", "benefit"),
        ("ALSFRS-R decline was slower in the active group (p = 0.02)", "benefit"),
        ("progression was significantly faster with active stimulation", "harm"),
        ("active patients showed a slower decline", "trend"),
        ("patients were assessed monthly", None),
    ],
)
def test_clause_effect(clause, effect):
    assert clause_effect(clause, clause) == effect


@pytest.mark.parametrize(
    ("why", "label"),
    [
        ("Futility at interim analysis", "futility"),
        ("Lack of efficacy", "futility"),
        ("Slow recruitment", "recruitment"),
        ("COVID-19 pandemic", "recruitment"),
        ("Funding ended", "funding"),
        ("Sponsor decision (business reasons)", "sponsor"),
        ("Two seizures in the active arm", "safety"),
        ("", None),
    ],
)
def test_why_stopped_classes(why, label):
    assert classify_why_stopped(why) == label


@pytest.mark.parametrize(
    ("design", "on_primary", "strength"),
    [
        (Design(randomised=True, sham=True, blinded=True, controlled=True, n=120), True, "strong"),
        (Design(randomised=True, sham=True, blinded=True, controlled=True, n=40), True, "moderate"),
        (
            Design(randomised=True, sham=True, blinded=True, controlled=True, n=120),
            False,
            "moderate",
        ),
        (Design(controlled=True, sham=True, n=20), True, "weak"),
        (Design(uncontrolled=True, n=300), True, "weak"),
    ],
)
def test_strength(design, on_primary, strength):
    assert strength_of(design, on_primary=on_primary) == strength


# --- relevance and role -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "relevant", "exclusion"),
    [
        (trial(), True, None),
        (
            trial(
                conditions=["Major Depressive Disorder"],
                brief_title="rTMS for depression",
            ),
            False,
            "other_condition",
        ),
        (
            trial(
                brief_title="Riluzole and cortical excitability in ALS",
                arms=[],
                interventions=[
                    Intervention(
                        type="DRUG",
                        name="Riluzole",
                        description=None,
                        other_names=[],
                        arm_group_labels=[],
                    )
                ],
                primary_outcomes=[
                    Outcome(
                        measure="SICI measured by paired-pulse TMS",
                        description=None,
                        time_frame=None,
                    )
                ],
            ),
            False,
            "diagnostic_use",
        ),
        (
            trial(
                brief_title="TMS to diagnose upper motor neuron involvement in ALS",
                primary_purpose="DIAGNOSTIC",
                arms=[],
                interventions=[
                    Intervention(
                        type="DIAGNOSTIC_TEST",
                        name="Transcranial magnetic stimulation",
                        description=None,
                        other_names=[],
                        arm_group_labels=[],
                    )
                ],
            ),
            False,
            "diagnostic_use",
        ),
        (
            trial(
                brief_title="tDCS in ALS",
                arms=[],
                interventions=[
                    Intervention(
                        type="DEVICE",
                        name="Transcranial direct current stimulation",
                        description="Anodal tDCS, 10 sessions",
                        other_names=["tDCS"],
                        arm_group_labels=[],
                    )
                ],
            ),
            False,
            "look_alike",
        ),
        (
            paper(
                title="Cortical excitability in ALS: a threshold tracking TMS study",
                abstract=[
                    (
                        "RESULTS",
                        "Short-interval intracortical inhibition measured by TMS was reduced in "
                        "ALS patients.",
                    )
                ],
            ),
            False,
            "diagnostic_use",
        ),
        (
            paper(
                title="Comment on a tSMS trial in ALS",
                publication_types=[PT(ui=None, name="Comment")],
            ),
            False,
            "not_a_study",
        ),
        (
            paper(
                title="Theta burst stimulation in healthy volunteers",
                abstract=[("RESULTS", "In 12 healthy volunteers, iTBS raised MEP amplitude.")],
            ),
            False,
            "healthy_volunteers",
        ),
    ],
)
def test_relevance(record, relevant, exclusion):
    j = judge(record)[record.nct_id if isinstance(record, TrialData) else record.id]
    assert (j.relevance.relevant, j.relevance.exclusion) == (relevant, exclusion)
    assert j.relevance.reason and j.relevance.evidence
    if not relevant:
        assert j.role.role == "excluded" and j.verdict.verdict == "not_applicable"


@pytest.mark.parametrize(
    ("submitted", "role"),
    [("2025-03-01", "follow_up"), ("2019-01-10", "prior"), ("2024-07-01", "follow_up")],
)
def test_role_by_date_against_the_index(submitted, role):
    assert judge(trial(first_submitted=submitted))["NCT09000001"].role.role == role


@pytest.mark.parametrize(
    ("submitted", "role"), [("2025-03-01", "follow_up"), ("2019-01-10", "prior")]
)
def test_outcomes_outside_the_claim_keep_the_role_by_date_and_are_not_applicable(submitted, role):
    """The role says when and what kind; the verdict whether it tests the claim."""
    t = trial(
        first_submitted=submitted,
        primary_outcomes=[
            Outcome(
                measure="Modified Ashworth Scale (spasticity)", description=None, time_frame=None
            )
        ],
    )
    j = judge(t)["NCT09000001"]
    assert (j.role.role, j.verdict.verdict, j.verdict.rule) == (
        role,
        "not_applicable",
        "outcomes.outside_claim",
    )
    assert "spasticity" in j.verdict.reason


def test_a_narrative_review_is_background():
    p = paper(
        title="Brain stimulation in ALS: a narrative review",
        abstract=[("", "Repetitive TMS sessions were given as a therapy in ALS in three trials.")],
        publication_types=[PT(ui=None, name="Review")],
    )
    j = judge(p)["PMID:1"]
    assert (j.role.role, j.verdict.verdict, j.verdict.rule) == (
        "background",
        "not_applicable",
        "role.background",
    )


def test_the_configured_index_is_never_a_follow_up():
    j = judge(trial(nct=CLAIM.index.nct_id))[CLAIM.index.nct_id]
    assert (j.role.role, j.verdict.verdict) == ("index", "not_applicable")


# --- registry verdicts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "verdict", "rule"),
    [
        ({"overall_status": "RECRUITING"}, "pending", "registry.pending_status"),
        ({"overall_status": "NOT_YET_RECRUITING"}, "pending", "registry.pending_status"),
        (
            {
                "overall_status": "COMPLETED",
                "primary_completion_date": PartialDate(value="2025-01", precision="month"),
            },
            "pending",
            "registry.results_overdue",
        ),
        (
            {
                "overall_status": "COMPLETED",
                "primary_completion_date": PartialDate(value="2027-01-31", precision="day"),
            },
            "pending",
            "registry.awaiting_results",
        ),
        (
            {"overall_status": "TERMINATED", "why_stopped": "Futility at interim analysis"},
            "refutes",
            "registry.stopped_futility",
        ),
        (
            {"overall_status": "TERMINATED", "why_stopped": "Slow recruitment"},
            "inconclusive",
            "registry.stopped_recruitment",
        ),
        (
            {"overall_status": "SUSPENDED", "why_stopped": "Funding"},
            "inconclusive",
            "registry.stopped_funding",
        ),
        (
            {"overall_status": "TERMINATED", "why_stopped": "Seizure in one participant"},
            "inconclusive",
            "registry.stopped_safety",
        ),
        ({"overall_status": "WITHDRAWN", "enrollment": 0}, "not_applicable", "registry.withdrawn"),
    ],
)
def test_registry_verdicts(changes, verdict, rule):
    j = judge(trial(**changes))["NCT09000001"]
    assert (j.verdict.verdict, j.verdict.rule) == (verdict, rule)
    assert j.verdict.reason and j.verdict.evidence


def test_overdue_results_say_how_long():
    t = trial(
        overall_status="COMPLETED",
        primary_completion_date=PartialDate(value="2025-05-15", precision="day"),
    )
    assert "18 months" in judge(t)["NCT09000001"].verdict.reason


# --- posted results ------------------------------------------------------------------------


def _results(
    p_value: str, real: str, sham: str, title="ALSFRS-R change from baseline"
) -> list[ResultOutcome]:
    return [
        ResultOutcome(
            type="PRIMARY",
            title=title,
            param_type="MEAN",
            unit="points",
            time_frame="6 months",
            groups=[
                ResultGroup(id="OG000", title="Real rTMS"),
                ResultGroup(id="OG001", title="Sham rTMS"),
            ],
            values=[
                ResultValue(group_id="OG000", value=real),
                ResultValue(group_id="OG001", value=sham),
            ],
            analyses=[
                Analysis(
                    group_ids=["OG000", "OG001"],
                    p_value=p_value,
                    method="ANCOVA",
                    param_type=None,
                    param_value=None,
                    ci_pct=None,
                    ci_lower=None,
                    ci_upper=None,
                )
            ],
        )
    ]


@pytest.mark.parametrize(
    ("p", "real", "sham", "title", "verdict", "rule"),
    [
        (
            "0.01",
            "-2.1",
            "-5.3",
            "ALSFRS-R change from baseline",
            "confirms",
            "results.primary_benefit",
        ),
        (
            "0.64",
            "-4.9",
            "-5.3",
            "ALSFRS-R change from baseline",
            "refutes",
            "results.primary_no_benefit",
        ),
        (
            "0.03",
            "-7.0",
            "-4.0",
            "ALSFRS-R change from baseline",
            "refutes",
            "results.primary_harm",
        ),
        (
            "<0.001",
            "0.4",
            "0.9",
            "Monthly ALSFRS-R decline rate",
            "confirms",
            "results.primary_benefit",
        ),
    ],
)
def test_posted_results(p, real, sham, title, verdict, rule):
    t = trial(
        overall_status="COMPLETED", has_results=True, result_outcomes=_results(p, real, sham, title)
    )
    j = judge(t)["NCT09000001"]
    assert (j.verdict.verdict, j.verdict.rule) == (verdict, rule)
    assert any(p in e for e in j.verdict.evidence)


# --- abstracts and reviews ----------------------------------------------------------------


def _trial_paper(
    results: str, conclusions: str, methods: str = "The primary outcome was the ALSFRS-R slope."
):
    return paper(
        abstract=[
            (
                "METHODS",
                "Sixty patients were randomised to real or sham rTMS, daily for 4 weeks. "
                f"{methods}",
            ),
            ("RESULTS", results),
            ("CONCLUSIONS", conclusions),
        ],
        publication_types=[PT(ui=None, name="Randomized Controlled Trial")],
    )


@pytest.mark.parametrize(
    ("results", "conclusions", "verdict", "rule"),
    [
        (
            "The ALSFRS-R slope did not differ between groups (p = 0.83).",
            "A confirmatory trial seems unjustified.",
            "refutes",
            "paper.primary_no_benefit",
        ),
        (
            "ALSFRS-R decline was significantly slower with real rTMS (p = 0.01).",
            "rTMS may slow ALS progression.",
            "confirms",
            "paper.claim_benefit",
        ),
        (
            "Apathy scores improved significantly (p = 0.02); the ALSFRS-R slope was unchanged.",
            "rTMS improved apathy.",
            "refutes",
            "paper.primary_no_benefit",
        ),
        (
            "The ALSFRS-R slope did not differ (p = 0.5), but survival was significantly longer "
            "with real rTMS (p = 0.01).",
            "Mixed findings.",
            "inconclusive",
            "paper.mixed",
        ),
    ],
)
def test_trial_abstracts(results, conclusions, verdict, rule):
    j = judge(_trial_paper(results, conclusions))["PMID:1"]
    assert (j.verdict.verdict, j.verdict.rule) == (verdict, rule)
    assert j.verdict.evidence


def test_benefit_only_outside_the_claim_is_inconclusive_and_says_so():
    p = _trial_paper(
        "ECAS scores improved significantly (p = 0.01). The ALSFRS-R did not differ.",
        "rTMS helps cognition.",
        methods="The primary outcome was the ECAS total score.",
    )
    j = judge(p)["PMID:1"]
    assert (j.verdict.verdict, j.verdict.rule) == ("inconclusive", "paper.benefit_other_outcomes")
    assert "outside the claim" in j.verdict.reason and "cognition" in j.verdict.reason


def test_uncontrolled_series_is_inconclusive():
    p = paper(
        title="Open-label rTMS in five ALS patients",
        abstract=[
            (
                "RESULTS",
                "In this open-label pilot, ALSFRS-R decline slowed significantly (p = 0.04).",
            )
        ],
    )
    assert judge(p)["PMID:1"].verdict.rule == "paper.uncontrolled"


@pytest.mark.parametrize(
    ("conclusion", "verdict", "rule"),
    [
        (
            "There is insufficient evidence to determine the efficacy of rTMS in ALS.",
            "inconclusive",
            "review.insufficient",
        ),
        (
            "Pooled analysis showed a significantly slower ALSFRS-R decline with rTMS (p = 0.01).",
            "confirms",
            "review.pooled_benefit",
        ),
    ],
)
def test_reviews(conclusion, verdict, rule):
    r = paper(
        title="Repetitive TMS for ALS: a systematic review and meta-analysis",
        abstract=[
            ("RESULTS", "Five sham-controlled trials of rTMS treatment were included."),
            ("CONCLUSIONS", conclusion),
        ],
        publication_types=[PT(ui=None, name="Systematic Review")],
    )
    j = judge(r)["PMID:1"]
    assert (j.role.role, j.verdict.verdict, j.verdict.rule) == ("review", verdict, rule)


@pytest.mark.parametrize(
    ("kind", "title", "verdict", "rule"),
    [
        (
            "Meta-Analysis",
            "rTMS for ALS: a meta-analysis",
            "refutes",
            "review.meta_analysis_no_benefit",
        ),
        (
            "Systematic Review",
            "rTMS for ALS: a systematic review",
            "inconclusive",
            "review.no_pooled_benefit",
        ),
    ],
)
def test_a_meta_analysis_finding_no_benefit_refutes_a_review_without_pooling_does_not(
    kind, title, verdict, rule
):
    r = paper(
        title=title,
        abstract=[
            ("RESULTS", "Five sham-controlled trials of rTMS treatment were included."),
            (
                "CONCLUSIONS",
                "The ALSFRS-R decline did not differ between rTMS and sham (p = 0.41).",
            ),
        ],
        publication_types=[PT(ui=None, name=kind)],
    )
    j = judge(r)["PMID:1"]
    assert (j.role.role, j.verdict.verdict, j.verdict.rule) == ("review", verdict, rule)


# --- studies ----------------------------------------------------------------------------------


def test_a_trial_and_its_linked_paper_are_one_study_with_one_verdict():
    t = trial(
        overall_status="COMPLETED",
        primary_completion_date=PartialDate(value="2025-06", precision="month"),
    )
    p = _trial_paper("The ALSFRS-R slope did not differ between groups (p = 0.83).", "No benefit.")
    out = judge(t, p, links=[("PMID:1", "NCT09000001")])
    assert out["PMID:1"].study == out["NCT09000001"].study == "NCT09000001"
    assert out["NCT09000001"].verdict.verdict == out["PMID:1"].verdict.verdict == "refutes"
    assert "from PMID:1" in out["NCT09000001"].verdict.reason
    assert out["NCT09000001"].own.verdict == "pending"  # its own reading stays in signals


def test_an_unlinked_report_is_matched_by_acronym_and_flagged_inferred():
    t = trial(acronym="MAGNALS", overall_status="COMPLETED")
    p = paper(
        title="MAGNALS: rTMS in ALS, a randomised sham-controlled trial",
        abstract=[("RESULTS", "Sixty patients received real or sham rTMS sessions daily.")],
        publication_types=[PT(ui=None, name="Randomized Controlled Trial")],
    )
    judged, inferred = judge_records(
        [Record(Source.CTGOV, t), Record(Source.PUBMED, p)], [], CLAIM, TODAY
    )
    assert [(m.article_id, m.trial_id) for m in inferred] == [("PMID:1", "NCT09000001")]
    assert "acronym" in inferred[0].why
    assert {j.study for j in judged} == {"NCT09000001"}


def test_mesh_qualifiers_tell_therapy_from_measurement():
    mesh = [
        MeshHeading(
            ui=None,
            name="Amyotrophic Lateral Sclerosis",
            major=True,
            qualifiers=[MeshQualifier(ui=None, name="therapy", major=True)],
        ),
        MeshHeading(
            ui=None,
            name="Transcranial Magnetic Stimulation",
            major=False,
            qualifiers=[MeshQualifier(ui=None, name="methods", major=False)],
        ),
    ]
    treated = paper(title="Transcranial magnetic stimulation in ALS", mesh=mesh)
    assert judge(treated)["PMID:1"].relevance.relevant
    measured = paper(
        title="Transcranial magnetic stimulation in ALS",
        mesh=[
            MeshHeading(
                ui=None,
                name="Amyotrophic Lateral Sclerosis",
                major=True,
                qualifiers=[MeshQualifier(ui=None, name="diagnosis", major=True)],
            ),
            mesh[1],
        ],
    )
    assert judge(measured)["PMID:1"].relevance.exclusion == "diagnostic_use"


# --- harder papers: schedules, aims outside the claim, undirected significance ------------

RCT = [PT(ui=None, name="Randomized Controlled Trial")]


@pytest.mark.parametrize(
    ("record", "exclusion", "rule"),
    [
        (
            paper(
                title="Longitudinal changes in cortical excitability in ALS",
                abstract=[
                    (
                        "RESULTS",
                        "Threshold-tracking TMS was performed every 3 months for 12 months in 25 "
                        "ALS patients. Short-interval intracortical inhibition declined over time.",
                    )
                ],
            ),
            "diagnostic_use",
            "relevance.diagnostic_use",
        ),
        (
            paper(
                title="Riluzole normalises cortical hyperexcitability in ALS: a randomized study",
                abstract=[
                    (
                        "RESULTS",
                        "Forty patients were treated with riluzole or placebo for 4 weeks. "
                        "Cortical excitability measured with paired-pulse TMS (SICI) was restored "
                        "by riluzole (p = 0.01).",
                    )
                ],
            ),
            "diagnostic_use",
            "relevance.diagnostic_use",
        ),
        (
            paper(
                title="Deep TMS for depression in patients with ALS: a randomized sham-controlled "
                "trial",
                abstract=[
                    (
                        "RESULTS",
                        "Thirty patients received 20 sessions of real or sham deep TMS. Depression "
                        "scores improved significantly (p = 0.01) with real stimulation. ALSFRS-R "
                        "did not change.",
                    )
                ],
                publication_types=RCT,
            ),
            None,
            "paper.benefit_other_outcomes",
        ),
        (
            paper(
                title="Low-frequency rTMS in ALS: a randomised double-blind sham-controlled trial",
                abstract=[
                    (
                        "METHODS",
                        "Eighty patients were randomised to real or sham 1 Hz rTMS, five days a "
                        "month for a year. The primary outcome was survival without tracheostomy.",
                    ),
                    (
                        "RESULTS",
                        "Tracheostomy-free survival at 24 months was 62% with real rTMS vs 38% "
                        "with sham (HR 0.51, p = 0.03).",
                    ),
                    ("CONCLUSIONS", "Low-frequency rTMS prolonged tracheostomy-free survival."),
                ],
                publication_types=RCT,
            ),
            None,
            "paper.claim_benefit",
        ),
    ],
)
def test_harder_papers(record, exclusion, rule):
    j = judge(record)["PMID:1"]
    assert (j.relevance.exclusion, j.verdict.rule) == (exclusion, rule)
    assert j.verdict.reason and j.verdict.evidence


def test_a_rule_failing_on_one_record_leaves_the_others_judged(monkeypatch, caplog):
    import tracker.evidence.rules.assess as assess
    from tracker.evidence.rules.signals_ctgov import trial_signals as real

    def flaky(t, vocab):
        if t.nct_id == "NCT09000002":
            raise ValueError("odd record")
        return real(t, vocab)

    monkeypatch.setattr(assess, "trial_signals", flaky)
    out = judge(trial(), trial("NCT09000002"))
    assert set(out) == {"NCT09000001"}
    assert "NCT09000002" in caplog.text

    monkeypatch.setattr(assess, "trial_signals", real)
    monkeypatch.setattr(assess, "registry_verdict", lambda *a: 1 / 0)
    j = judge(trial())["NCT09000001"]
    assert (j.verdict.verdict, j.verdict.rule) == ("inconclusive", "rules.failed")


@pytest.mark.parametrize(
    ("summary", "relevant", "exclusion"),
    [
        # The given technique is named only as 'transcranial stimulation'; the summary says it
        # is magnetic brain stimulation, paired with electrical stimulation: relevant.
        (
            "Hand exercise paired with magnetic brain stimulation and electrical stimulation of "
            "the spinal cord.",
            True,
            None,
        ),
        # 'Brain stimulation' that is tDCS, with TMS only measuring excitability: not magnetic.
        (
            "Anodal tDCS over the motor cortex; cortical excitability is measured with TMS.",
            False,
            "look_alike",
        ),
    ],
)
def test_a_wider_family_name_counts_only_when_a_magnetic_kind_is_given(
    summary, relevant, exclusion
):
    t = trial(
        brief_title="Non-invasive brain stimulation in ALS",
        arms=[],
        interventions=[
            Intervention(
                type="DEVICE",
                name="Cervical plus transcranial stimulation",
                description=None,
                other_names=[],
                arm_group_labels=[],
            )
        ],
        brief_summary=summary,
    )
    j = judge(t)["NCT09000001"]
    assert (j.relevance.relevant, j.relevance.exclusion) == (relevant, exclusion)
