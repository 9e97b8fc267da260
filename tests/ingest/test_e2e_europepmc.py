"""End-to-end Europe PMC syncs over real sockets against the simulator, on both backends:
first sync, one record per paper across PubMed and Europe PMC (by PMID and by DOI),
annotation links, faults, a moving world and an unchanged one."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import col

from tests.e2e_support import count, make_config
from tests.rows import stored as stored_row
from tracker.errors import SourceError
from tracker.http import HttpStats, make_client
from tracker.ingest.europepmc import sync_europepmc
from tracker.ingest.pubmed import sync_pubmed
from tracker.simulator import from_pubmed, make_article, make_epmc_record, make_preprint
from tracker.sources import europepmc
from tracker.store.db import session_scope
from tracker.store.models import Article, ArticleVersion, Link, SyncRun

TODAY = date(2026, 11, 25)  # the PubMed sync's clock; the simulated worlds have their own
SEARCH = "/europepmc/webservices/rest/search"
ALS_MESH = (("D000690", "Amyotrophic Lateral Sclerosis", False, (("Q000628", "therapy", True),)),)


def pubmed_papers():
    """Three PubMed papers the shipped queries find; each names a trial in its abstract."""
    return [
        make_article(
            str(39000000 + i),
            title=f"Transcranial static magnetic stimulation in ALS, report {i}",
            mesh=ALS_MESH,
            databanks=(),
            abstract=((None, None, f"Participants with ALS received tSMS (NCT0600000{i})."),),
            entrez_date=f"2024/07/{10 + i:02d}",
        )
        for i in range(3)
    ]


def epmc_only():
    """What Europe PMC has beyond PubMed: two preprints, one MED record PubMed lacks, and a
    paper the shipped query must not find."""
    return [
        make_preprint(
            "PPR100001",
            title="Static magnetic stimulation in amyotrophic lateral sclerosis: a pilot",
            abstract="A home tSMS protocol (NCT04393467).",
            first_publication_date="2024-08-01",
        ),
        make_preprint(
            "PPR100002",
            title="Theta burst stimulation in motor neuron disease",
            first_publication_date="2024-08-02",
        ),
        make_epmc_record(
            "38900001",
            title="rTMS in amyotrophic lateral sclerosis: a case series",
            first_publication_date="2024-06-01",
            doi="10.1000/case.series.1",
        ),
        make_epmc_record("38900002", title="rTMS for depression", doi="10.1000/depression"),
    ]


EPMC_ONLY_IDS = ["PMID:38900001", "PPR:PPR100001", "PPR:PPR100002"]


def configure(sim, db_url, **kw):
    """The shipped config (its real queries) pointed at the simulator's two literature APIs."""
    cfg = make_config(sim, db_url, **kw)
    return cfg.model_copy(
        update={
            "pubmed": cfg.pubmed.model_copy(
                update={"url": sim.pubmed_url, "rps": 0.0, "batch_size": 4}
            ),
            "europepmc": cfg.europepmc.model_copy(update={"url": sim.europepmc_url, "rps": 0.0}),
        }
    )


def run(engine, cfg, *, full=False):
    stats = HttpStats()
    with make_client(cfg, rps_by_host={}, stats=stats) as client:
        return sync_europepmc(engine, cfg, client, stats, full=full), stats


def run_pubmed(engine, cfg):
    stats = HttpStats()
    with make_client(cfg, rps_by_host={}, stats=stats) as client:
        return sync_pubmed(engine, cfg, client, stats, today=TODAY)


def articles(engine) -> dict[str, tuple[bool, bool, str | None]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(Article))
        return {a.id: (a.in_pubmed, a.in_europepmc, a.title) for a in rows}


def links(engine, provenance: str) -> set[tuple[str, str]]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(col(Link.article_id), col(Link.trial_id)).where(
                col(Link.provenance) == provenance
            )
        )
        return {(a, t) for a, t in rows}


def last_run(engine) -> SyncRun:
    with session_scope(engine) as session:
        run = session.scalars(select(SyncRun).order_by(col(SyncRun.id).desc())).first()
        assert run is not None, "no sync run recorded"
        return run


@pytest.fixture
def world(simulator, monkeypatch):
    """PubMed holds three papers; Europe PMC holds them too (with its own spelling of the
    titles) plus what PubMed lacks. Pages of two, so every sync walks several cursors."""
    monkeypatch.setattr(europepmc, "PAGE_SIZE", 2)
    papers = pubmed_papers()
    simulator.pubmed.add_many(papers)
    simulator.europepmc.add_many(
        [from_pubmed(p, title=f"{p.title} (Europe PMC)") for p in papers] + epmc_only()
    )
    simulator.pmids = [f"PMID:{p.pmid}" for p in papers]
    return simulator


@pytest.mark.parametrize("cursor_end", ["absent", "repeat"])
def test_first_sync_stores_every_hit(world, engine, db_url, cursor_end):
    world.europepmc.cursor_end = cursor_end
    outcome, _ = run(engine, configure(world, db_url))
    hits = len(world.europepmc.search(configure(world, db_url).europepmc.query))
    assert hits == 6 and outcome.complete and outcome.full
    assert (outcome.fetched, outcome.expected, outcome.new_records) == (hits, hits, hits)
    stored = articles(engine)
    assert sorted(stored) == sorted(world.pmids + EPMC_ONLY_IDS)
    assert all(not pubmed and in_epmc for pubmed, in_epmc, _ in stored.values())
    assert (stored["PPR:PPR100001"][2] or "").startswith("Static magnetic stimulation")
    run_row = last_run(engine)
    assert (run_row.source, run_row.status, run_row.pages) == ("europepmc", "ok", 3)
    assert run_row.watermark == "2024-08-02"  # the newest firstIndexDate
    searches = [r.params for r in world.requests.snapshot() if r.path == SEARCH]
    assert searches[0]["cursorMark"] == "*"
    assert all((p["resultType"], p["pageSize"]) == ("core", "2") for p in searches)
    assert len(searches) == (4 if cursor_end == "repeat" else 3)


def test_a_paper_pubmed_has_stays_one_record_with_pubmeds_parse(world, engine, db_url):
    cfg = configure(world, db_url)
    assert run_pubmed(engine, cfg).complete
    before = articles(engine)
    outcome, _ = run(engine, cfg)
    assert outcome.complete and (outcome.fetched, outcome.expected) == (6, 6)
    assert outcome.new_records == 3  # only what PubMed lacks
    stored = articles(engine)
    assert sorted(stored) == sorted(world.pmids + EPMC_ONLY_IDS)
    for pmid in world.pmids:
        assert stored[pmid] == (True, True, before[pmid][2])  # PubMed's title kept
        assert not (stored[pmid][2] or "").endswith("(Europe PMC)")
    assert count(engine, ArticleVersion) == 3 + 3  # no version from Europe PMC on PubMed's
    # Europe PMC's text-mined trials land on the one record, beside PubMed's own links.
    annotated = links(engine, "europepmc_annotation")
    assert {(p, f"NCT0600000{i}") for i, p in enumerate(world.pmids)} <= annotated
    assert ("PPR:PPR100001", "NCT04393467") in annotated
    assert ("PPR:PPR100001", "NCT04393467") in links(engine, "abstract")
    assert ("PMID:39000000", "NCT06000000") in links(engine, "abstract")  # from PubMed


def test_a_record_without_pmid_merges_into_the_paper_with_its_doi(world, engine, db_url):
    cfg = configure(world, db_url)
    run_pubmed(engine, cfg)
    pubmed_doi = world.pubmed.get("39000001").doi
    world.europepmc.add(
        make_epmc_record(
            "AGR5000001",
            source="AGR",
            title="Static magnetic stimulation in amyotrophic lateral sclerosis (AGRICOLA)",
            doi=pubmed_doi.upper(),
            abstract="Same paper, another index (NCT06000001).",
            accessions=["NCT06000001"],
        )
    )
    outcome, _ = run(engine, cfg)
    assert outcome.complete and outcome.fetched == 7
    stored = articles(engine)
    assert f"DOI:{pubmed_doi.lower()}" not in stored and len(stored) == 6
    assert stored["PMID:39000001"][:2] == (True, True)
    assert ("PMID:39000001", "NCT06000001") in links(engine, "europepmc_annotation")


def test_europepmc_first_then_pubmed_still_one_record(world, engine, db_url):
    cfg = configure(world, db_url)
    run(engine, cfg)
    run_pubmed(engine, cfg)  # PubMed's parse takes over the record Europe PMC created
    outcome, _ = run(engine, cfg, full=True)
    assert outcome.complete and (outcome.new_records, outcome.new_versions) == (0, 0)
    stored = articles(engine)
    assert len(stored) == 6
    assert all(stored[p][:2] == (True, True) for p in world.pmids)


@pytest.mark.parametrize(("kind", "options"), [("429", {}), ("500", {}), ("truncate", {})])
def test_transient_faults_are_retried(world, engine, db_url, kind, options):
    world.faults.inject(kind, path=SEARCH, after=1, **options)
    outcome, stats = run(engine, configure(world, db_url))
    assert outcome.complete and len(articles(engine)) == 6
    assert stats.retries >= 1


def test_a_malformed_page_fails_the_run_but_keeps_earlier_pages(world, engine, db_url):
    cfg = configure(world, db_url, retries=1)
    world.faults.inject("malformed", path=SEARCH, after=1)
    with pytest.raises(SourceError, match="search page 2: malformed JSON"):
        run(engine, cfg)
    assert len(articles(engine)) == 2  # page 1 was stored
    assert (last_run(engine).status, last_run(engine).complete) == ("failed", False)
    world.faults.clear()
    outcome, _ = run(engine, cfg)
    assert outcome.complete and outcome.full and len(articles(engine)) == 6


def test_a_refused_query_is_a_source_error_with_the_apis_message(world, engine, db_url):
    cfg = configure(world, db_url)
    cfg = cfg.model_copy(
        update={"europepmc": cfg.europepmc.model_copy(update={"query": "GRANT_AGENCY:MRC"})}
    )
    with pytest.raises(SourceError) as err:
        run(engine, cfg)
    assert "search page 1: Europe PMC says:" in str(err.value)
    assert "GRANT_AGENCY" in str(err.value) and "(HTTP 400)" in str(err.value)


def test_incremental_sync_sees_new_papers_and_an_unchanged_world_makes_no_versions(
    world, engine, db_url
):
    cfg = configure(world, db_url)
    run(engine, cfg)
    versions = count(engine, ArticleVersion)
    outcome, _ = run(engine, cfg)
    assert not outcome.full and outcome.since == date(2024, 7, 26)  # watermark - 7 days
    assert outcome.complete and (outcome.new_records, outcome.new_versions) == (0, 0)
    assert count(engine, ArticleVersion) == versions
    query = [r.params["query"] for r in world.requests.snapshot() if r.path == SEARCH][-1]
    assert query.endswith(") AND FIRST_IDATE:[2024-07-26 TO 3000-01-01]")
    # A preprint indexed later is found by the window.
    world.europepmc.add(
        make_preprint(
            "PPR100003",
            title="Static magnetic stimulation in amyotrophic lateral sclerosis: one year on",
            first_publication_date="2024-09-15",
        )
    )
    outcome, _ = run(engine, cfg)
    assert outcome.complete and outcome.new_records == 1
    assert "PPR:PPR100003" in articles(engine)
    assert last_run(engine).watermark == "2024-09-15"


def test_europepmc_citations_of_the_index_are_recorded_once_across_sources(world, engine, db_url):
    from tracker.store.models import ChangeEvent, Citation

    cfg = configure(world, db_url)
    index = cfg.claim.index.model_copy(update={"pmid": "39000000"})
    cfg = cfg.model_copy(update={"claim": cfg.claim.model_copy(update={"index": index})})
    world.europepmc.cite("PPR100001", "MED:39000000")  # a preprint PubMed cannot see
    world.europepmc.cite("MED:39000001", "MED:39000000")
    world.pubmed.cite_index("39000001", "39000000")  # PubMed reports this one too
    run_pubmed(engine, cfg)
    outcome, _ = run(engine, cfg)
    assert outcome.complete
    with session_scope(engine) as session:
        pairs = {(c.citing_id, c.source) for c in session.scalars(select(Citation))}
        assert pairs == {
            ("PMID:39000001", "pubmed_elink"),
            ("PMID:39000001", "europepmc"),
            ("PPR:PPR100001", "europepmc"),
        }
        announced = sorted(
            e.new or ""
            for e in session.scalars(
                select(ChangeEvent).where(col(ChangeEvent.field) == "cited_by")
            )
        )
        assert announced == ["PMID:39000001", "PPR:PPR100001"]  # each citing paper once
        assert stored_row(session, Article, "PPR:PPR100001").cites_index
