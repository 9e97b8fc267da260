"""Reading an abstract as a careful reviewer does: sentences split by a maintained segmenter,
sections by their labels, design from structured data before words, and abstracts that
cannot be read said so."""

from __future__ import annotations

import pytest

from tests.evidence.test_evidence_rules import judge, paper, trial
from tracker.evidence.rules.text import sentences
from tracker.records.article import AbstractSection, DataBank, MeshHeading
from tracker.records.article import PublicationType as PT
from tracker.records.trial import Arm

POSITIVE = (
    "120 patients with ALS were randomised. tSMS significantly slowed ALSFRS-R decline "
    "compared with sham (p = 0.01)."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (POSITIVE, 2),  # a lower-case acronym opens the second sentence
        ("Survival improved (p = 0.01). rTMS was safe. iTBS, too.", 3),
        ("As Di Lazzaro et al. showed, real vs. sham differed. Survival was longer.", 2),
        ("Mean age 61.5 years (95% CI 58.2-64.8), n = 40. Fig. 2 shows it.", 2),
        ("Zanette et al. (2008) found a benefit. It lasted ca. 18 months.", 2),
        ("", 0),
    ],
)
def test_sentences(text, expected):
    assert len(sentences(text)) == expected


def test_a_positive_rct_whose_finding_opens_with_a_lower_case_acronym_confirms():
    p = paper(
        title="Transcranial static magnetic stimulation in ALS: a multicentre trial",
        abstract=[("", f"ALS is a fatal disease. {POSITIVE} It was well tolerated.")],
        publication_types=[PT(ui=None, name="Randomized Controlled Trial")],
    )
    v = judge(p)["PMID:1"].verdict
    assert (v.verdict, v.rule) == ("confirms", "paper.claim_benefit")
    assert any("tSMS significantly slowed" in e for e in v.evidence)


PILOT = [
    ("BACKGROUND", "Static magnetic fields may slow ALS."),
    (
        "METHODS",
        "A randomised sham-controlled pilot trial; the primary outcome was the ALSFRS-R "
        "decline over six months.",
    ),
    ("RESULTS", "The ALSFRS-R decline was not significantly different between groups (p = 0.62)."),
]


def test_pilot_never_means_uncontrolled():
    p = paper(title="tSMS in ALS: a randomised sham-controlled pilot trial", abstract=PILOT)
    j = judge(p)["PMID:1"]
    assert j.signals.design.controlled and not j.signals.design.uncontrolled
    assert j.verdict.rule != "paper.uncontrolled"
    assert (j.verdict.verdict, j.verdict.rule) == ("refutes", "paper.primary_no_benefit")


def test_design_from_publication_type_then_mesh_then_words():
    plain = [("", "Patients with ALS received rTMS sessions. Survival was longer (p = 0.02).")]
    typed = paper(
        abstract=plain, publication_types=[PT(ui=None, name="Randomized Controlled Trial")]
    )
    meshed = paper(
        abstract=plain, mesh=[MeshHeading(ui=None, name="Double-Blind Method", major=False)]
    )
    worded = paper(abstract=plain, title="rTMS for ALS")
    d = {
        k: judge(p)["PMID:1"].signals.design
        for k, p in (("t", typed), ("m", meshed), ("w", worded))
    }
    assert (d["t"].basis, d["t"].randomised, d["t"].controlled) == ("publication type", True, True)
    assert (d["m"].basis, d["m"].blinded, d["m"].controlled) == ("MeSH", True, True)
    assert (d["w"].basis, d["w"].controlled) == ("words", False)


def test_a_linked_trials_registry_design_decides_a_papers_design():
    t = trial(
        allocation="RANDOMIZED",
        masking="DOUBLE",
        arms=[
            Arm(label="real rTMS", type="EXPERIMENTAL", description=None, intervention_names=[]),
            Arm(label="sham rTMS", type="SHAM_COMPARATOR", description=None, intervention_names=[]),
        ],
    )
    p = paper(
        title="rTMS sessions in ALS: an open-label report",
        abstract=[
            ("", "Patients with ALS received rTMS sessions. Survival was longer (p = 0.02).")
        ],
        databanks=[DataBank(name="ClinicalTrials.gov", accessions=["NCT09000001"])],
    )
    j = judge(t, p, links=[("PMID:1", "NCT09000001")])["PMID:1"]
    assert j.signals.design.basis == "registry (NCT09000001)"
    assert (
        j.signals.design.sham and j.signals.design.randomised and not j.signals.design.uncontrolled
    )


def test_structured_sections_are_read_by_their_labels():
    # no NLM category, only printed labels: the methods' sentence is not a finding
    p = paper(
        abstract=[],
    )
    sections = [
        AbstractSection(
            label="Methods",
            category=None,
            text="Forty patients with ALS were randomised to real or sham rTMS; "
            "we compared survival, which was significantly longer in earlier work.",
        ),
        AbstractSection(
            label="Main results",
            category=None,
            text="Survival did not differ between groups (p = 0.71).",
        ),
    ]
    p = paper(abstract=[], publication_types=[PT(ui=None, name="Randomized Controlled Trial")])
    p = p.__class__(**{**{f: getattr(p, f) for f in p.__struct_fields__}, "abstract": sections})
    v = judge(p)["PMID:1"].verdict
    assert v.verdict != "confirms"
    assert all("earlier work" not in e for e in v.evidence)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("<p> </p> <b></b>", "empty or holds only markup"),
        (
            "Die repetitive Magnetstimulation wurde bei Patienten mit ALS angewendet und "
            "verlängerte das Überleben nicht signifikant.",
            "not in English",
        ),
        ("反复经颅磁刺激治疗肌萎缩侧索硬化症患者的疗效观察与分析研究", "not in English"),
    ],
)
def test_an_unreadable_abstract_is_inconclusive_and_says_why(text, why):
    p = paper(abstract=[("", text)], languages=["ger"])
    v = judge(p)["PMID:1"].verdict
    assert (v.verdict, v.rule) == ("inconclusive", "paper.unreadable_abstract")
    assert why in v.reason and v.evidence
