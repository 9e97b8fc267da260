"""Who a record studies: animal and cell studies are excluded as preclinical, whatever they
find; a human trial that mentions a mouse model in passing is not."""

from __future__ import annotations

import pytest

from tests.test_evidence_rules import judge, paper
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
