"""One study across registries: numbers read from CT.gov, PubMed and abstracts, and joins."""

from __future__ import annotations

import msgspec
import pytest

from tests.flag_support import study_json
from tracker.evidence.rules.registration_joins import join_registrations
from tracker.records.article import AbstractSection, ArticleData, DataBank
from tracker.records.registrations import (
    article_registrations,
    registrations_in,
    registry_of,
    trial_registrations,
)
from tracker.sources.ctgov_parse import read_study


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Registered as ISRCTN 12345678.", [("ISRCTN", "ISRCTN12345678")]),
        ("EudraCT number 2020-001234-56", [("EudraCT", "EudraCT:2020-001234-56")]),
        ("EU CT number 2023-503456-12-00", [("CTIS", "CTIS:2023-503456-12-00")]),
        ("DRKS00012345", [("DRKS", "DRKS00012345")]),
        ("ACTRN12615000123456", [("ANZCTR", "ACTRN12615000123456")]),
        ("ChiCTR-IOR-17011234 and ChiCTR2000029308", [
            ("ChiCTR", "ChiCTR-IOR-17011234"), ("ChiCTR", "ChiCTR2000029308")
        ]),
        ("CTRI/2020/05/025318", [("CTRI", "CTRI/2020/05/025318")]),
        ("nct 04393467", [("ClinicalTrials.gov", "NCT04393467")]),
        # not registrations: a grant, a date range, a phone-like number, a short ISRCTN
        ("R01 NS012345; 2019-2021; 555-123456-78-9; ISRCTN1234", []),
    ],
)  # fmt: skip
def test_registration_numbers_by_registry_pattern(text, expected):
    got = [(r.registry, r.id) for r in registrations_in(text, "abstract")]
    assert got == expected
    assert all(registry_of(rid) == registry for registry, rid in expected)


def test_ctgov_secondary_ids_and_aliases_are_read_at_parse_time():
    study = study_json(
        "NCT09000010",
        secondary_ids=[
            {"id": "2014-005181-30", "type": "EUDRACT_NUMBER"},
            {"id": "ISRCTN87654321", "type": "REGISTRY", "domain": "ISRCTN"},
            {"id": "P60DK020579", "type": "NIH"},
            {"id": "ABCSG 42", "type": "OTHER", "domain": "ABCSG GmbH"},
        ],
        aliases=["NCT01000001"],
    )
    fetched = read_study(msgspec.json.encode(study))
    assert fetched.trial is not None and fetched.aliases == ("NCT01000001",)
    regs = trial_registrations(fetched.trial, list(fetched.aliases))
    assert [(r.id, r.provenance) for r in regs] == [
        ("EudraCT:2014-005181-30", "ctgov_secondary_id"),
        ("ISRCTN87654321", "ctgov_secondary_id"),
        ("NCT01000001", "ctgov_alias"),
    ]


def test_pubmed_databank_and_abstract_numbers():
    paper = ArticleData(
        id="PMID:1",
        databanks=[
            DataBank(name="ISRCTN", accessions=["ISRCTN11111111"]),
            DataBank(name="EudraCT", accessions=["2019-000111-22"]),
            DataBank(name="GENBANK", accessions=["AB123456"]),
        ],
        abstract=[
            AbstractSection(label=None, category=None, text="Trial registration: DRKS00022222.")
        ],
    )
    assert [(r.id, r.provenance) for r in article_registrations(paper)] == [
        ("ISRCTN11111111", "databank"),
        ("EudraCT:2019-000111-22", "databank"),
        ("DRKS00022222", "abstract"),
    ]


def test_a_paper_with_only_a_non_nct_number_joins_its_trial():
    joins = join_registrations(
        {"NCT00000001": ["ISRCTN11111111"], "PMID:5": ["ISRCTN11111111"], "PMID:6": ["DRKS1"]}
    )
    assert joins.links == [("PMID:5", "NCT00000001")]
    assert joins.ambiguous == []


def test_two_ctgov_records_of_one_trial_are_one_study():
    joins = join_registrations(
        {
            "NCT00000001": ["EudraCT:2014-005181-30"],
            "NCT00000002": ["EudraCT:2014-005181-30"],
            "NCT00000003": ["NCT00000004"],
            "NCT00000004": [],
            "PMID:7": ["EudraCT:2014-005181-30"],
        }
    )
    assert ("NCT00000001", "NCT00000002") in joins.links
    assert ("NCT00000003", "NCT00000004") in joins.links
    assert ("PMID:7", "NCT00000001") in joins.links
    assert joins.ambiguous == []


def test_a_number_matching_two_studies_is_reported_not_merged():
    joins = join_registrations(
        {
            "NCT00000001": ["ISRCTN11111111"],
            "NCT00000002": ["ISRCTN11111111"],
            "PMID:8": ["ISRCTN11111111"],
        }
    )
    assert joins.links == []
    assert [(a.reg_id, a.trials) for a in joins.ambiguous] == [
        ("ISRCTN11111111", [["NCT00000001"], ["NCT00000002"]])
    ]
