"""Exports: CSV, JSON, RIS and BibTeX over the ledger and the records; each read back with
an independent parser (csv, json, rispy, bibtexparser)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
import rispy
from bibtexparser import middlewares
from bibtexparser.entrypoint import parse_string
from sqlmodel import Session

from tests.digest_support import AMP_TITLE, SCRIPT_TITLE, T1, assess, busy_world
from tracker.export.rows import export_rows
from tracker.export.writers import write_bibtex, write_csv, write_json, write_ris
from tracker.store.models import Article, Override

PAPER: dict[str, Any] = {
    "id": "PMID:500",
    "title": "Static magnetic stimulation in ALS: 18-month follow-up of 40% & more",
    "authors": [
        {"last_name": "Di Lazzaro", "fore_name": "Vincenzo"},
        {"last_name": "Müller", "fore_name": "Ana"},
        {"collective_name": "STIMALS and Friends Study Group"},
    ],
    "journal": {"title": "Lancet Reg Health Eur", "volume": "40", "issue": "2", "pages": "101-109"},
    "abstract": [{"label": None, "category": None, "text": "Forty patients were followed."}],
    "keywords": ["tSMS"],
}


@pytest.fixture
def world(engine):
    with Session(engine) as session:
        busy_world(session)
        session.add(
            Article(
                id="PMID:500",
                pmid="500",
                doi="10.1016/j.lanepe.2024.101_019",
                title=PAPER["title"],
                journal="Lancet Reg Health Eur",
                pub_date="2024-08",
                in_pubmed=True,
                content_hash="h",
                first_seen_at=T1,
                last_seen_at=T1,
                last_changed_at=T1,
                data=json.dumps(PAPER),
                raw=b"",
            )
        )
        assess(session, "PMID:500", relevant=True, verdict="inconclusive", study="NCT00000001")
        # A human override on one record of a study gives the whole study its verdict.
        session.add(Override(record_id="PMID:500", verdict="refutes", note="read it", at=T1))
        session.commit()
    return engine


def _export(engine, writer, *, relevant_only=False, **kwargs) -> tuple[str, int]:
    out = io.StringIO()
    with Session(engine) as session:
        count = writer(export_rows(session, relevant_only=relevant_only), out, **kwargs)
    return out.getvalue(), count


def test_csv_has_every_record_with_its_effective_verdict(world):
    text, count = _export(world, write_csv)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert count == len(rows) == 9
    assert rows["NCT00000001"]["verdict"] == "refutes"  # the study's override
    assert rows["NCT00000001"]["overridden"] == "true"
    assert rows["PMID:500"]["verdict"] == "refutes"
    assert rows["NCT00000003"]["relevant"] == "false"
    assert rows["NCT00000004"]["verdict"] == ""  # not assessed yet
    assert rows["NCT00000001"]["title"] == SCRIPT_TITLE
    assert rows["PMID:500"]["authors"].startswith("Di Lazzaro Vincenzo; Müller Ana; STIMALS")
    assert rows["PMID:500"]["url"] == "https://pubmed.ncbi.nlm.nih.gov/500/"


def test_relevant_only(world):
    text, count = _export(world, write_csv, relevant_only=True)
    ids = {r["id"] for r in csv.DictReader(io.StringIO(text))}
    assert ids == {"NCT00000001", "NCT00000002", "PMID:100", "PMID:200", "PMID:400", "PMID:500"}
    assert count == 6


def test_json_carries_the_ledger_summary(world):
    text, count = _export(world, write_json, summary={"counts": {"refutes": 1}})
    data = json.loads(text)
    assert data["summary"] == {"counts": {"refutes": 1}}
    assert len(data["items"]) == count == 9
    paper = next(i for i in data["items"] if i["id"] == "PMID:500")
    assert paper["authors"][0] == "Di Lazzaro Vincenzo"
    assert paper["doi"] == "10.1016/j.lanepe.2024.101_019"


def test_ris_reads_back_with_rispy(world):
    text, count = _export(world, write_ris)
    entries = {e.get("accession_number"): e for e in rispy.loads(text)}
    assert len(entries) == count == 9
    paper = entries["PMID:500"]
    assert paper["type_of_reference"] == "JOUR"
    assert paper["title"] == PAPER["title"]
    assert paper["authors"][:2] == ["Di Lazzaro, Vincenzo", "Müller, Ana"]
    assert paper["doi"] == "10.1016/j.lanepe.2024.101_019"
    assert paper["urls"] == ["https://pubmed.ncbi.nlm.nih.gov/500/"]
    assert (paper["start_page"], paper["end_page"], paper["volume"]) == ("101", "109", "40")
    assert paper["date"] == "2024/08//"
    assert "verdict refutes (human override)" in paper["notes"][0]
    trial = entries["NCT00000002"]
    assert trial["type_of_reference"] == "ELEC"
    assert trial["title"] == AMP_TITLE
    assert trial["urls"] == ["https://clinicaltrials.gov/study/NCT00000002"]
    assert trial["name_of_database"] == "ClinicalTrials.gov"
    assert not text.startswith("1.")


def test_bibtex_reads_back_with_bibtexparser(world):
    text, count = _export(world, write_bibtex)
    library = parse_string(text, append_middleware=[middlewares.LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    entries = {e.key: e for e in library.entries}
    assert len(entries) == count == 9
    paper = entries["PMID500"]
    assert paper.entry_type == "article"
    assert paper["title"] == PAPER["title"]  # & and % survive the round trip
    assert paper["journal"] == "Lancet Reg Health Eur"
    assert "pages = {101--109}" in text
    assert "{10.1016/j.lanepe.2024.101_019}" in text  # a DOI stays verbatim
    assert paper["pmid"] == "500"
    # A group author is one name, braced so "and" inside it does not split it.
    assert "and {STIMALS and Friends Study Group}}" in text
    assert paper["author"].startswith("Di Lazzaro, Vincenzo and Müller, Ana and ")
    trial = entries["NCT00000001"]
    assert trial.entry_type == "misc"
    assert trial["title"] == SCRIPT_TITLE
    assert trial["url"] == "https://clinicaltrials.gov/study/NCT00000001"
