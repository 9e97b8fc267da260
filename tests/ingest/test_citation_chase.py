"""Recall beyond the queries: papers citing a relevant study's papers are fetched, kept with
their provenance and judged like any other record; the chase is bounded per run, remembered
between runs, and survives registry faults. Over real sockets, on both backends.

The world (tests/chase_support.py): the STIMALS paper and an earlier sham-controlled rTMS
trial's paper, which the shipped queries find; a systematic review of "noninvasive brain
stimulation (NIBS)" that never says "magnetic", has no MeSH and names the disease only as
"ALS" (so no query finds it), and cites the trial's paper; and a stroke paper citing it too
(fetched, not relevant).
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import col

from tests.chase_support import (
    CITATIONS,
    ELINK,
    INDEX,
    LATE,
    REVIEW,
    STROKE,
    TRIAL,
    article,
    asked,
    build_europepmc,
    build_pubmed,
    chased,
    cited_asked,
    cli,
    closed_engines,  # noqa: F401  (autouse)
    config,
    review,
)
from tests.rows import stored
from tracker.config import CitationsConfig
from tracker.ingest.chase import due
from tracker.store.db import open_database, session_scope
from tracker.store.models import Article, Citation


def test_a_review_no_query_finds_is_fetched_by_citation_and_judged_relevant(
    simulator, db_url, tmp_path
):
    build_pubmed(simulator)
    path = config(tmp_path, simulator, db_url)
    sync = ("sync", "--source", "pubmed")
    out = cli(path, *sync)
    # The trial, judged relevant by this sync's judging, is asked about in the same command
    # (tests/ingest/test_citation_chase_same_sync.py follows the order).
    assert TRIAL in [i for r in asked(simulator, 0, ELINK) for i in r["id"].split(",")]
    paper, judged = article(db_url, f"PMID:{REVIEW}")
    # A provenance: the chase fetched it, the shipped query (umbrella terms included) did not.
    assert paper is not None and paper.provenance == f"cites:PMID:{TRIAL}"
    assert paper.in_pubmed and paper.version == 1
    assert judged is not None and judged.relevant, judged
    assert (judged.role, judged.verdict) == ("review", "inconclusive")
    assert "judged 0 records" not in out
    # Fetched like any other and judged like any other: the stroke paper is not relevant.
    stroke, other = article(db_url, f"PMID:{STROKE}")
    assert stroke is not None and stroke.provenance == f"cites:PMID:{TRIAL}"
    assert other is not None and not other.relevant
    # Shown and exported with its provenance.
    shown = cli(path, "show", REVIEW)
    assert "found by" in shown and f"cites:PMID:{TRIAL}" in shown
    assert json.loads(cli(path, "show", REVIEW, "--format", "json"))["provenance"] == (
        f"cites:PMID:{TRIAL}"
    )
    exported = json.loads(cli(path, "export", "--format", "json"))["items"]
    rows = {r["id"]: r for r in exported}
    assert rows[f"PMID:{REVIEW}"]["provenance"] == f"cites:PMID:{TRIAL}"
    assert rows[f"PMID:{TRIAL}"]["provenance"] is None
    assert "provenance" in cli(path, "export", "--format", "csv").splitlines()[0]
    # An unchanged world: nothing is asked about again, nothing is judged.
    before = len(simulator.requests)
    again = cli(path, *sync)
    assert asked(simulator, before, ELINK) == []
    assert "judged 0 records" in again


def test_the_chase_is_bounded_per_run_and_remembered(simulator, db_url, tmp_path):
    build_pubmed(simulator)
    simulator.pubmed.add(review(LATE))  # a second review citing the trial
    path = config(tmp_path, simulator, db_url, max_per_run=1, max_records_per_run=2)
    sync = ("sync", "--source", "pubmed")
    cli(path, *sync)
    assert set(chased(db_url)) == {(f"PMID:{INDEX}", "pubmed_elink")}  # one paper a run
    cli(path, *sync)
    # The trial's three citing papers: two fetched, the run's bound; not remembered yet.
    assert (f"PMID:{TRIAL}", "pubmed_elink") not in chased(db_url)
    fetched = [article(db_url, f"PMID:{p}")[0] for p in (REVIEW, STROKE, LATE)]
    assert sum(a is not None for a in fetched) == 2
    cli(path, *sync)
    assert all(article(db_url, f"PMID:{p}")[0] is not None for p in (REVIEW, STROKE, LATE))
    assert (f"PMID:{TRIAL}", "pubmed_elink") in chased(db_url)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_failing_elink_fails_the_source_in_one_line_and_the_next_run_catches_up(
    simulator, db_url, tmp_path
):
    build_pubmed(simulator)
    path = config(tmp_path, simulator, db_url)
    simulator.faults.inject("500", path=ELINK, count=10)
    out = cli(path, "sync", "--source", "pubmed", code=1)
    assert "elink pubmed_pubmed_citedin" in out and "HTTP 500" in out
    assert "Traceback" not in out
    assert article(db_url, f"PMID:{TRIAL}")[0] is not None  # the query's records are kept
    assert article(db_url, f"PMID:{REVIEW}")[0] is None
    assert "citations:" not in out  # a failed source is not chased again after the judging
    simulator.faults.clear()
    simulator.faults.inject("truncate", path=ELINK)  # a transient fault is retried
    cli(path, "sync", "--source", "pubmed")
    assert article(db_url, f"PMID:{REVIEW}")[1] is not None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_citing_pmid_pubmed_does_not_return_neither_fails_nor_repeats_the_chase(
    simulator, db_url, tmp_path
):
    """elink can list a PMID efetch no longer returns (withdrawn, merged): the run stays
    complete, says so, and the paper is not asked about again the next day."""
    build_pubmed(simulator)
    simulator.pubmed.cite_index("39899999", TRIAL)  # listed by elink, absent from efetch
    path = config(tmp_path, simulator, db_url)
    sync = ("sync", "--source", "pubmed")
    out = cli(path, *sync)  # the trial is chased after this sync's judging
    assert "sync incomplete" not in out and "tracker: error" not in out
    assert re.search(r"pubmed: full: fetched (\d+) of \1 expected", out), out
    assert "efetch 3 ids citing PMID:39200001: 2 of them came back" in out
    assert article(db_url, f"PMID:{REVIEW}")[0] is not None
    assert (f"PMID:{TRIAL}", "pubmed_elink") in chased(db_url)
    before = len(simulator.requests)
    again = cli(path, *sync)
    assert asked(simulator, before, ELINK) == [] and "sync incomplete" not in again


def test_europepmc_citations_bring_in_a_preprint_no_query_finds(simulator, db_url, tmp_path):
    build_europepmc(simulator)
    path = config(tmp_path, simulator, db_url)
    sync = ("sync", "--source", "europepmc")
    simulator.faults.inject("503", path=CITATIONS)  # retried
    cli(path, *sync)  # the trial is chased after this sync's judging
    paper, judged = article(db_url, "PPR:PPR900001")
    assert paper is not None and paper.provenance == f"cites:PMID:{TRIAL}"
    assert judged is not None and judged.relevant and judged.role == "review"
    engine = open_database(db_url)
    try:
        with session_scope(engine) as session:
            citation = session.scalars(
                select(Citation).where(col(Citation.citing_id) == "PPR:PPR900001")
            ).one()
            assert (citation.cited_id, citation.source) == (f"PMID:{TRIAL}", "europepmc")
            assert not stored(session, Article, "PPR:PPR900001").cites_index
    finally:
        engine.dispose()
    # The preprint, relevant in its turn, was asked about in the same command (by its
    # Europe PMC id: it has no PMID); the trial twice, as its first answer was the 503.
    # An unchanged world asks nothing more.
    assert cited_asked(simulator) == [f"MED/{TRIAL}", f"MED/{TRIAL}", "PPR/PPR900001"]
    before = len(simulator.requests)
    again = cli(path, *sync)
    assert cited_asked(simulator, before) == [] and "judged 0 records" in again


def test_due_asks_never_asked_papers_first_then_the_longest_unasked():
    cfg = CitationsConfig(max_per_run=3, recheck_days=7)
    today = date(2026, 12, 6)
    last = {"1": date(2026, 12, 1), "2": date(2026, 11, 20), "3": date(2026, 11, 25)}
    assert due(["1", "2", "3", "4", "4"], last, today=today, cfg=cfg) == ["4", "2", "3"]
    assert due(["1"], last, today=today, cfg=cfg) == []  # asked five days ago
    assert due(["1", "2"], last, today=today, cfg=cfg, full=True) == ["2", "1"]
    assert due(["9"], {}, today=today, cfg=CitationsConfig(max_per_run=0)) == []
