"""A review that names the intervention only by its umbrella term (NIBS, "noninvasive brain
stimulation", "neuromodulation") in ALS is relevant, though it never says "magnetic" and has
no MeSH: the citation chase fetches such reviews, and they must count once fetched. Named
only beside a non-magnetic look-alike, the umbrella term is not enough."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.config import DEFAULT_CONFIG, load_config
from tracker.evidence.rules.assess import Record, judge_records
from tracker.ids import Source
from tracker.records.article import AbstractSection, ArticleData
from tracker.records.article import PublicationType as PT
from tracker.records.trial import PartialDate

CLAIM = load_config(DEFAULT_CONFIG, env={}).claim
TODAY = date(2026, 11, 25)
SYSTEMATIC = [PT(ui=None, name="Journal Article"), PT(ui=None, name="Systematic Review")]


def review(title: str, text: str) -> ArticleData:
    return ArticleData(
        id="PMID:39800001",
        title=title,
        abstract=[AbstractSection(label=None, category=None, text=text)],
        pub_date=PartialDate(value="2025-03", precision="month"),
        publication_types=SYSTEMATIC,
    )


@pytest.mark.parametrize(
    ("title", "text", "relevant", "exclusion"),
    [
        (
            "Noninvasive brain stimulation (NIBS) for ALS: a systematic review",
            "Noninvasive brain stimulation (NIBS) has been tried as a treatment to slow ALS. We "
            "reviewed sham-controlled trials of NIBS in people with ALS: it did not "
            "significantly slow ALSFRS-R decline compared with sham (p = 0.31).",
            True,
            None,
        ),
        (
            "Neuromodulation in amyotrophic lateral sclerosis: a systematic review",
            "We reviewed randomised trials of neuromodulation given as a therapy to people with "
            "amyotrophic lateral sclerosis; the evidence on progression was insufficient.",
            True,
            None,
        ),
        (
            "Noninvasive brain stimulation (NIBS) for ALS: a systematic review",
            "We reviewed sham-controlled trials of NIBS in ALS, all of them of transcranial "
            "direct current stimulation (tDCS); tDCS did not slow ALSFRS-R decline.",
            False,
            "look_alike",
        ),
    ],
)
def test_an_umbrella_review_in_als(title, text, relevant, exclusion):
    (judged,), _ = judge_records([Record(Source.PUBMED, review(title, text))], [], CLAIM, TODAY)
    assert (judged.relevance.relevant, judged.relevance.exclusion) == (relevant, exclusion)
    assert judged.role.role == ("review" if relevant else "excluded")
