"""The second shipped question (examples/tofersen-sod1-als) end to end, with only its config:
a loopback simulator world built from its frozen labelled records, the real `tracker` CLI
run against it, and the standing, reasons and exclusion names it prints checked for the
first question's words (tests/first_question.py)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import paths
from tests.cli.test_cli import tracker
from tests.first_question import foreign_terms, hits
from tracker.records.article import ArticleData
from tracker.simulator import RegistrySimulator, make_article, make_epmc_record
from tracker.sources.pubmed_parse import iter_records

EXAMPLE = paths.REPO / "examples" / "tofersen-sod1-als"
RECORDS = EXAMPLE / "evaluation"
CONFIG = EXAMPLE / "config.toml"
TODAY = "2026-11-25"


def add_trials(sim: RegistrySimulator) -> None:
    """The frozen CT.gov records as they are: real v2 study objects."""
    for path in sorted((RECORDS / "ctgov").glob("*.json")):
        sim.ctgov.add(json.loads(path.read_text()))


def add_pubmed(sim: RegistrySimulator) -> None:
    """Each frozen PubMed record served byte for byte; the simulator's search index is built
    from the fields the project's own parser reads from it."""
    for path in sorted((RECORDS / "pubmed").glob("*.xml")):
        (data, element), *_ = iter_records(path.read_bytes())
        edat = (data.entrez_date or data.article_date or f"{_year(data)}-01-01").replace("-", "/")
        indexed = make_article(
            data.pmid or "",
            title=data.title or "",
            abstract=tuple((s.label, s.category, s.text) for s in data.abstract),
            authors=tuple(
                (a.last_name or "", a.fore_name or "", a.initials or "")
                for a in data.authors
                if a.last_name
            ),
            journal=(data.journal.iso_abbreviation if data.journal else None) or "J",
            year=_year(data),
            entrez_date=edat,
            mdat=edat,
            pub_types=tuple((p.ui or "", p.name) for p in data.publication_types),
            mesh=tuple(
                (
                    m.ui or "",
                    m.name,
                    m.major,
                    tuple((q.ui or "", q.name, q.major) for q in m.qualifiers),
                )
                for m in data.mesh
            ),
            keywords=tuple(data.keywords),
            databanks=tuple((d.name, tuple(d.accessions)) for d in data.databanks),
            doi=data.doi,
        )
        sim.pubmed.add(dataclasses.replace(indexed, xml=element))


def add_europepmc(sim: RegistrySimulator) -> None:
    for path in sorted((RECORDS / "europepmc").glob("*.json")):
        r = json.loads(path.read_text())
        year = r.get("pubYear") or "2024"
        sim.europepmc.add(
            make_epmc_record(
                r["id"],
                title=r["title"],
                source=r["source"],
                authors=[a["fullName"] for a in r.get("authorList", {}).get("author", [])]
                or ["Anon A"],
                first_publication_date=r.get("firstPublicationDate") or f"{year}-06-01",
                journal=r.get("journalInfo", {}).get("journal", {}).get("ISOAbbreviation"),
                doi=r.get("doi"),
                pmcid=r.get("pmcid"),
                pub_types=r.get("pubTypeList", {}).get("pubType", ["journal article"]),
                abstract=r.get("abstractText", ""),
            )
        )


def _year(data: ArticleData) -> str:
    if data.pub_date is not None and data.pub_date.value[:4].isdigit():
        return data.pub_date.value[:4]
    return (data.article_date or data.entrez_date or "2024")[:4]


def write_config(tmp: Path, sim: RegistrySimulator, db_url: str) -> Path:
    """The example's config as shipped, with only the registries' addresses, pacing and
    the database changed: nothing of the claim is touched."""
    text = CONFIG.read_text()
    text = text.replace(
        'url = "https://clinicaltrials.gov/api/v2"\nrps = 1.0', f'url = "{sim.ctgov_url}"\nrps = 0'
    )
    text = text.replace(
        'url = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"',
        f'url = "{sim.pubmed_url}"\nrps = 0',
    )
    text = text.replace(
        'url = "https://www.ebi.ac.uk/europepmc/webservices/rest"\nrps = 2.0',
        f'url = "{sim.europepmc_url}"\nrps = 0',
    )
    text = text.replace('url = "sqlite:///tracker.db"', f'url = "{db_url}"')
    assert text.count("127.0.0.1") == 3, "the example config's registry sections moved"
    path = tmp / "config.toml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """`tracker run`, then `tracker evidence --format json`, once for the module's tests."""
    tmp = tmp_path_factory.mktemp("second-question")
    with RegistrySimulator() as sim:
        for world in (sim.ctgov, sim.pubmed, sim.europepmc):
            world.today = TODAY.replace("-", "/") if world is sim.pubmed else TODAY
        add_trials(sim)
        add_pubmed(sim)
        add_europepmc(sim)
        config = write_config(tmp, sim, f"sqlite:///{tmp / 'tofersen.db'}")
        tracker("run", config=config)
        yield json.loads(tracker("evidence", "--format", "json", config=config).stdout)


FOREIGN = foreign_terms(CONFIG)


def test_the_second_question_runs_end_to_end_with_only_its_config(ledger):
    items = {i["id"]: i for i in ledger["items"]}
    # Every registry answered: trials, PubMed papers and a Europe PMC-only paper are judged.
    assert {"NCT02623699", "PMID:36129998", "DOI:10.1002/mus.27818"} <= set(items)
    assert items["NCT02623699"]["role"] == "index"
    assert ledger["claim"]["family"] == "tofersen"
    # The head a reviewer would write: VALOR's follow-ups so far are uncontrolled series and
    # a meta-analysis that pools VALOR itself, so the claim is open.
    summary = ledger["summary"]
    assert summary["state"] == "open"
    assert summary["standing"].startswith("Open: no controlled follow-up for or against yet")
    assert "a systematic review of 12 studies found a benefit" in summary["standing"]
    assert hits([summary["standing"]], FOREIGN) == []


def test_its_reasons_and_exclusions_name_nothing_of_the_first_question(ledger):
    reasons = [i["reason"] for i in ledger["items"]]
    exclusions = sorted({i["exclusion"] for i in ledger["items"] if i["exclusion"]})
    assert hits(exclusions, FOREIGN) == []
    assert hits(reasons, FOREIGN) == []


def test_the_foreign_words_are_the_first_questions_own():
    # The check is only as good as its word list: the words a drug question must never show.
    assert {"magnetic", "stimulation", "tSMS", "TMS", "rTMS", "STIMALS", "tDCS"} <= set(FOREIGN)
    assert "primary lateral sclerosis" in FOREIGN  # ALS wording the example does not use
    # ... and nothing the example's own [claim] says, though the shipped one says it too.
    assert not {"ALS", "amyotrophic lateral sclerosis", "ALSFRS-R", "survival"} & set(FOREIGN)
    assert hits(["not_magnetic", "cannot show that stimulation caused it"], FOREIGN) == [
        ("magnetic", "not_magnetic"),
        ("stimulation", "cannot show that stimulation caused it"),
    ]
    assert hits(["The ALS cohort", "intervention assessments", "RTMS"], FOREIGN) == []
