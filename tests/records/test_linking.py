"""Paper-to-trial links and article change events: pure rules, table tests."""

from __future__ import annotations

import pytest

from tracker.records.article import (
    AbstractSection,
    ArticleData,
    CommentCorrection,
    DataBank,
    PublicationType,
)
from tracker.records.changes import article_material_changes
from tracker.records.links import article_links, nct_ids_in, trial_links
from tracker.records.trial import Reference, TrialData


def make_article(**overrides) -> ArticleData:
    return ArticleData(**({"id": "PMID:38962538", "pmid": "38962538"} | overrides))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("registered as NCT04393467.", ["NCT04393467"]),
        ("(ClinicalTrials.gov: nct04393467)", ["NCT04393467"]),
        ("NCT 04393467 and NCT04393467 again", ["NCT04393467"]),
        ("NCT0439346 is too short; NCT043934671 too long", []),
        ("two trials: NCT00000001, NCT00000002", ["NCT00000001", "NCT00000002"]),
        ("no id here", []),
    ],
)
def test_nct_ids_in(text, expected):
    assert nct_ids_in(text) == expected


def test_article_links_from_databank_and_abstract_keep_provenance():
    article = make_article(
        title="Home tSMS in ALS",
        abstract=[AbstractSection(label="METHODS", category="METHODS", text="Trial NCT04393467.")],
        databanks=[
            DataBank(name="ClinicalTrials.gov", accessions=["NCT04393467"]),
            DataBank(name="ISRCTN", accessions=["ISRCTN12345678"]),
        ],
    )
    assert article_links(article) == [
        ("PMID:38962538", "NCT04393467", "databank"),
        ("PMID:38962538", "NCT04393467", "abstract"),
    ]


def test_trial_links_come_from_reference_pmids():
    trial = TrialData(
        nct_id="NCT04393467",
        references=[
            Reference(pmid="38962538", type="RESULT", citation="Di Lazzaro V et al."),
            Reference(pmid=None, type="BACKGROUND", citation="A book."),
        ],
    )
    assert trial_links([trial]) == [("PMID:38962538", "NCT04393467", "ctgov_reference")]


RETRACTED = [PublicationType(ui="D016441", name="Retracted Publication")]
RETRACTION_IN = [CommentCorrection(ref_type="RetractionIn", pmid="39999999", source="Lancet 2025")]
ERRATUM_IN = [CommentCorrection(ref_type="ErratumIn", pmid="39000001", source="Lancet 2025")]
NCT_BANK = [DataBank(name="ClinicalTrials.gov", accessions=["NCT04393467"])]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({}, {}, []),
        (
            {},
            {"publication_types": RETRACTED, "comments_corrections": RETRACTION_IN},
            [
                ("retraction", "retracted (notice PMID:39999999)"),
                ("corrections", "RetractionIn PMID:39999999"),
            ],
        ),
        ({}, {"comments_corrections": ERRATUM_IN}, [("corrections", "ErratumIn PMID:39000001")]),
        ({"comments_corrections": ERRATUM_IN}, {"comments_corrections": ERRATUM_IN}, []),
        ({}, {"databanks": NCT_BANK}, [("databank_links", "NCT04393467")]),
        ({"databanks": NCT_BANK}, {}, []),  # a removed accession is not news
        ({}, {"deleted": True}, [("deleted", "PMID withdrawn by PubMed")]),
        ({}, {"title": "A new title"}, []),
    ],
)
def test_article_material_changes(old, new, expected):
    changes = article_material_changes(make_article(**old), make_article(**new))
    assert [(c.field, c.new) for c in changes] == expected
