"""Relevant papers without a PMID are chased too: Europe PMC is asked who cites them by their
own Europe PMC id (/PPR/PPR…/citations for a preprint, /PMC/PMC…/citations for a PMC record,
the id a DOI-keyed record's data names), and what that brings in names the paper it cites
by its stored id (`cites:PPR:…`, `cites:PMC:…`, `cites:DOI:…`). A relevant paper with no id
Europe PMC can be asked by is named in the sync's output and by `tracker status`, not
skipped in silence. Over real
sockets, on both backends.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select, update
from sqlmodel import col

from tests.chase_support import (
    article,
    cited_asked,
    cli,
    closed_engines,  # noqa: F401  (autouse)
    config,
)
from tracker.ingest.runs import utcnow
from tracker.records.article import AbstractSection, ArticleData, ArticleId
from tracker.simulator import RegistrySimulator, make_article, make_epmc_record, make_preprint
from tracker.store.articles import FetchedArticle, save_articles
from tracker.store.db import open_database, session_scope
from tracker.store.models import Citation, CitationChase

RCT = ("randomized controlled trial", "journal article")
PREPRINT, PMC_ONLY, PMC_DOI = "PPR800001", "PMC7000001", "PMC7000002"
DOI = "10.9999/als.2025.2"
FINDING = (
    "Twenty patients with amyotrophic lateral sclerosis were randomised to real or sham "
    "{kind}. Real {kind} significantly slowed ALSFRS-R decline compared with sham (p = 0.01)."
)
UPDATE = "We summarise what stimulation of the brain has shown in ALS so far."


def build(sim: RegistrySimulator) -> None:
    """Three relevant trials the shipped query finds, none with a PMID, and a paper citing
    each that no query finds (no 'magnetic', the disease only as 'ALS')."""
    world = sim.europepmc
    world.add(
        make_preprint(
            PREPRINT,
            title="Transcranial static magnetic stimulation in amyotrophic lateral sclerosis",
            first_publication_date="2025-02-01",
            abstract=FINDING.format(kind="tSMS"),
        )
    )
    for pmc, doi, kind in ((PMC_ONLY, None, "rTMS"), (PMC_DOI, DOI, "tSMS")):
        world.add(
            make_epmc_record(
                pmc,
                source="PMC",
                pmcid=pmc,
                doi=doi,
                title=f"{kind} in amyotrophic lateral sclerosis: a randomised trial",
                first_publication_date="2025-01-15",
                pub_types=RCT,
                abstract=FINDING.format(kind=kind),
            )
        )
    citing = (
        ("39800011", "MED", PREPRINT),
        ("PPR900011", "PPR", f"PMC:{PMC_ONLY}"),
        ("39800012", "MED", f"PMC:{PMC_DOI}"),
    )
    for rid, source, cited in citing:
        world.add(
            make_epmc_record(
                rid,
                source=source,
                title=f"Brain stimulation in ALS: an update ({rid})",
                first_publication_date="2025-06-01",
                journal=None if source == "PPR" else "Brain Stimul",
                abstract=UPDATE,
            )
        )
        world.cite(f"{source}:{rid}", cited)


def test_relevant_papers_without_a_pmid_are_chased_by_their_europepmc_ids(
    simulator, db_url, tmp_path
):
    build(simulator)
    path = config(tmp_path, simulator, db_url)
    out = cli(path, "sync", "--source", "europepmc")
    cited = {"PPR:PPR800001", f"PMC:{PMC_ONLY}", f"DOI:{DOI}"}
    for rid in cited:  # the query found them and the judging found them relevant
        paper, judged = article(db_url, rid)
        assert paper is not None and judged is not None and judged.relevant, rid
    assert {"PPR/PPR800001", f"PMC/{PMC_ONLY}", f"PMC/{PMC_DOI}"} <= set(cited_asked(simulator))
    expected = {
        "PMID:39800011": "cites:PPR:PPR800001",
        "PPR:PPR900011": f"cites:PMC:{PMC_ONLY}",
        "PMID:39800012": f"cites:DOI:{DOI}",
    }
    for rid, provenance in expected.items():
        paper, judged = article(db_url, rid)
        assert paper is not None and paper.provenance == provenance, rid
        assert judged is not None  # judged in the same command
    engine = open_database(db_url)
    try:
        with session_scope(engine) as session:
            rows = session.scalars(select(Citation).where(col(Citation.cited_id).in_(cited)))
            pairs = {(c.citing_id, c.cited_id, c.source) for c in rows}
    finally:
        engine.dispose()
    assert pairs == {(c, p.removeprefix("cites:"), "europepmc") for c, p in expected.items()}
    assert "cannot be chased" not in out
    status = json.loads(cli(path, "status", "--format", "json"))
    assert status["citations"] == {"unchaseable": []}
    before = len(simulator.requests)
    again = cli(path, "sync", "--source", "europepmc")
    assert cited_asked(simulator, before) == [] and "judged 0 records" in again


def test_a_relevant_paper_known_only_by_its_doi_is_named_not_skipped(simulator, db_url, tmp_path):
    """Europe PMC names every record by a source and an id; a record stored without one (and
    with no PMID or PMCID) has nothing to be asked by. The sync says so, each time."""
    path = config(tmp_path, simulator, db_url)
    doi = "10.9999/als.2020.9"
    record = ArticleData(
        id=f"DOI:{doi}",
        doi=doi,
        article_ids=[ArticleId(type="doi", value=doi)],
        title="rTMS in amyotrophic lateral sclerosis: a randomised trial",
        abstract=[AbstractSection(label=None, category=None, text=FINDING.format(kind="rTMS"))],
    )
    engine = open_database(db_url)
    try:
        with session_scope(engine) as session:
            fetched = FetchedArticle(id=record.id, raw=b"{}", record=record)
            save_articles(
                session.connection(), [fetched], source="europepmc", seen_at=utcnow(), run_id=None
            )
    finally:
        engine.dispose()
    line = (
        "europepmc: 1 relevant paper with no PMID and no Europe PMC id cannot be chased for "
        f"citations: DOI:{doi}"
    )
    out = cli(path, "sync", "--source", "europepmc")
    judged = article(db_url, f"DOI:{doi}")[1]
    assert judged is not None and judged.relevant
    assert line in out.replace("\n", " ")
    assert cited_asked(simulator) == []
    assert line in cli(path, "sync", "--source", "europepmc").replace("\n", " ")
    # Also where a person looks between syncs (a scheduled sync may run --quiet).
    assert line in " ".join(cli(path, "status").split())
    status = json.loads(cli(path, "status", "--format", "json"))
    assert status["citations"] == {"unchaseable": [f"DOI:{doi}"]}


def test_a_citing_record_europepmc_keys_by_its_doi_is_known_by_that_id(simulator, db_url, tmp_path):
    """Europe PMC's citation list names a citing record by its source and id (PMC/PMC…); a
    record with a DOI and no PMID is stored under 'DOI:…'. The citation, the provenance and
    the next chase's 'already stored' all go by the stored id."""
    build(simulator)
    doi = "10.9999/cites.1"
    simulator.europepmc.add(
        make_epmc_record(
            "PMC7100001",
            source="PMC",
            pmcid="PMC7100001",
            doi=doi,
            title="Brain stimulation in ALS: a second update",
            first_publication_date="2025-07-01",
            abstract=UPDATE,
        )
    )
    simulator.europepmc.cite("PMC:PMC7100001", PREPRINT)
    path = config(tmp_path, simulator, db_url)
    cli(path, "sync", "--source", "europepmc")
    paper, judged = article(db_url, f"DOI:{doi}")
    assert paper is not None and paper.provenance == "cites:PPR:PPR800001"
    assert judged is not None
    engine = open_database(db_url)
    try:
        with session_scope(engine) as session:
            rows = session.scalars(
                select(Citation).where(col(Citation.cited_id) == "PPR:PPR800001")
            )
            assert {c.citing_id for c in rows} == {"PMID:39800011", f"DOI:{doi}"}
            # Asked again (recheck_days passed): the record is stored, not fetched again.
            session.execute(update(CitationChase).values(chased_on=date(2000, 1, 1)))
    finally:
        engine.dispose()
    before = len(simulator.requests)
    cli(path, "sync", "--source", "europepmc")
    searches = [r.params.get("query", "") for r in simulator.requests.snapshot()[before:]]
    assert "PPR/PPR800001" in cited_asked(simulator, before)
    assert not any("PMC7100001" in q for q in searches), searches


def test_a_citing_record_that_is_a_paper_pubmed_gave_is_that_paper(simulator, db_url, tmp_path):
    """Europe PMC lists a citing PMC record; its DOI is a paper PubMed's query brought (with no
    PMCID in PubMed's record). The citation names that paper, which keeps no provenance: a
    query found it first."""
    build(simulator)
    doi = "10.9999/both.1"
    simulator.pubmed.add(
        make_article(
            "39700001",
            title="Repetitive transcranial magnetic stimulation in amyotrophic lateral sclerosis",
            doi=doi,
            abstract=((None, None, FINDING.format(kind="rTMS")),),
        )
    )
    simulator.europepmc.add(
        make_epmc_record(
            "PMC7200001",
            source="PMC",
            pmcid="PMC7200001",
            doi=doi,
            title="Brain stimulation in ALS: a report",
            first_publication_date="2025-07-01",
            abstract=UPDATE,
        )
    )
    simulator.europepmc.cite("PMC:PMC7200001", PREPRINT)
    path = config(tmp_path, simulator, db_url)
    cli(path, "sync", "--source", "pubmed", "--source", "europepmc")
    paper = article(db_url, "PMID:39700001")[0]
    assert paper is not None and paper.provenance is None
    assert article(db_url, f"DOI:{doi}") == (None, None)  # one paper, one record
    engine = open_database(db_url)
    try:
        with session_scope(engine) as session:
            rows = session.scalars(
                select(Citation).where(col(Citation.cited_id) == "PPR:PPR800001")
            )
            assert {c.citing_id for c in rows} == {"PMID:39800011", "PMID:39700001"}
    finally:
        engine.dispose()
