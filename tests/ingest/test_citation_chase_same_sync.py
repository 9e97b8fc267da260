"""A study that becomes relevant during a sync is chased in that same `tracker sync`: after the
judging, the papers of studies newly relevant are asked who cites them, what that brings in
is stored and judged, and so on while papers not asked yet become relevant. Nothing is asked
twice in one command, the per-run bounds and `recheck_days` hold, and a failure of that chase
keeps everything the sync stored. Over real sockets, on both backends (the world:
tests/chase_support.py).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.chase_support import (
    ELINK,
    INDEX,
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
)
from tracker.config import DEFAULT_CONFIG, load_config
from tracker.http import HttpStats
from tracker.ids import Source
from tracker.ingest.chase import Spent
from tracker.ingest.every import CHASE_AGAIN, SyncReport, chase_again
from tracker.ingest.runs import run_to_end, start_run, utcnow
from tracker.store.db import open_database, session_scope
from tracker.store.models import CitationChase, SyncRun


def only_run(db_url: str) -> SyncRun:
    engine = open_database(db_url)
    try:
        with session_scope(engine) as session:
            run = session.scalars(select(SyncRun)).one()
            session.expunge(run)
            return run
    finally:
        engine.dispose()


def test_a_study_newly_relevant_in_a_sync_has_its_citing_papers_fetched_and_judged_in_it(
    simulator, db_url, tmp_path
):
    build_pubmed(simulator)
    path = config(tmp_path, simulator, db_url)
    out = cli(path, "sync", "--source", "pubmed")
    # In the sync, only the index (nothing was judged relevant yet); after the judging, the
    # trial it found relevant; after judging what that brought, the review in its turn.
    assert [r["id"] for r in asked(simulator, 0, ELINK)] == [INDEX, TRIAL, REVIEW]
    paper, judged = article(db_url, f"PMID:{REVIEW}")
    assert paper is not None and paper.provenance == f"cites:PMID:{TRIAL}"
    assert judged is not None and judged.relevant
    assert (judged.role, judged.verdict) == ("review", "inconclusive")
    stroke, other = article(db_url, f"PMID:{STROKE}")
    assert stroke is not None and other is not None and not other.relevant
    assert re.search(r"evidence: judged [1-9]\d* more records after the citation chase", out)
    assert "citations: asked who cites 1 paper of newly relevant studies; 2 records new" in out
    assert (f"PMID:{TRIAL}", "pubmed_elink") in chased(db_url)
    # What the chase fetched counts in the sync's run, which stays complete.
    run = only_run(db_url)
    assert (run.status, run.complete, run.fetched) == ("ok", True, run.expected)
    assert run.new_records == 4 and run.watermark is not None


def test_an_unchanged_world_asks_no_citations_before_recheck_days_and_each_paper_once_after(
    simulator, db_url, tmp_path
):
    build_pubmed(simulator)
    build_europepmc(simulator)
    path = config(tmp_path, simulator, db_url)
    cli(path, "sync")
    before = len(simulator.requests)
    again = cli(path, "sync")
    assert asked(simulator, before, ELINK) == [] and cited_asked(simulator, before) == []
    assert "evidence: judged 0 records" in again and "citations:" not in again
    # All was asked in the first: down to the preprint review, relevant in its turn.
    assert ("PPR:PPR900001", "europepmc") in chased(db_url)
    # Once `recheck_days` have passed, every paper is asked about again, once per source.
    engine = open_database(db_url)
    try:
        with session_scope(engine) as session:
            aged = utcnow().date() - timedelta(days=7)
            session.execute(update(CitationChase).values(chased_on=aged))
    finally:
        engine.dispose()
    remembered = chased(db_url)
    before = len(simulator.requests)
    third = cli(path, "sync")
    elinked = [i for r in asked(simulator, before, ELINK) for i in r["id"].split(",")]
    europepmc = cited_asked(simulator, before)
    assert sorted(elinked) == sorted(
        c.removeprefix("PMID:") for c, via in remembered if via == "pubmed_elink"
    )
    assert len(europepmc) == len(set(europepmc)) == sum(v == "europepmc" for _, v in remembered)
    assert "evidence: judged 0 records" in third and "citations:" not in third


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_failing_chase_after_the_judging_keeps_what_the_sync_stored(simulator, db_url, tmp_path):
    build_pubmed(simulator)
    path = config(tmp_path, simulator, db_url)
    # The sync's own elink (the index) answers; the one after the judging fails throughout.
    simulator.faults.inject("500", path=ELINK, after=1, count=10)
    out = cli(path, "sync", "--source", "pubmed", code=1)
    failures = [line for line in out.splitlines() if line.startswith("tracker: error:")]
    assert len(failures) == 1, out
    assert "elink pubmed_pubmed_citedin" in failures[0] and "HTTP 500" in failures[0]
    assert "citation chase after the judging" in failures[0]
    assert "Traceback" not in out
    # The query's records are stored and judged; the citing papers are not there yet.
    trial = article(db_url, f"PMID:{TRIAL}")
    assert trial[0] is not None and trial[1] is not None and trial[1].relevant
    assert article(db_url, f"PMID:{REVIEW}") == (None, None)
    run = only_run(db_url)
    assert (run.status, run.complete, run.watermark) == ("failed", False, None)
    assert "in the citation chase" not in run.errors and "HTTP 500" in run.errors
    simulator.faults.clear()
    cli(path, "sync", "--source", "pubmed")
    paper, judged = article(db_url, f"PMID:{REVIEW}")
    assert paper is not None and judged is not None and judged.relevant


@pytest.mark.parametrize("expected", [3, 2], ids=["counts-differ", "a-warning-alone"])
def test_a_chase_after_the_judging_that_leaves_the_run_unreconciled_says_so(
    engine, monkeypatch, expected
):
    """The chase after the judging works inside the source's finished run; if what it
    fetched leaves the run's counts unreconciled, or it warned, the run is incomplete (as
    run_to_end decides it) and the command says so in one line, as the sync's own chase
    would (exit 1 in the CLI), not silently."""
    outcome, _ = start_run(engine, Source.PUBMED.value, "q", full=True, overlap_days=0)
    run_to_end(engine, outcome, HttpStats(), lambda: None)
    assert outcome.complete

    def chase(engine, cfg, client, outcome, reader, **_kw):  # what a source's chase may leave
        outcome.fetched += 2
        outcome.expected += expected
        outcome.errors.append("pubmed: elink listed 3 citing papers, efetch gave 2")

    monkeypatch.setitem(CHASE_AGAIN, Source.PUBMED, chase)
    report = SyncReport(outcomes=[outcome], chases={Source.PUBMED: Spent()})
    cfg = load_config(DEFAULT_CONFIG, env={})
    chase_again(report, engine, cfg, None, HttpStats(), full=False)  # type: ignore[arg-type]
    assert report.failures == [
        "pubmed: sync incomplete after the citation chase (pubmed: elink listed 3 citing"
        " papers, efetch gave 2); the next run asks again"
    ]
    with session_scope(engine) as session:
        run = session.get_one(SyncRun, outcome.run_id)
        assert (run.complete, run.watermark, run.fetched) == (False, None, 2)
        assert run.expected == expected
