"""End-to-end PubMed syncs over real sockets against the simulator's E-utilities, on both
backends: first sync, links, a moving world (new paper, retraction), faults, the 10k cap."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from tests.e2e_support import count, make_config
from tests.rows import stored as stored_row
from tracker.errors import SourceError
from tracker.http import HttpStats, make_client
from tracker.ingest.pubmed import sync_pubmed
from tracker.simulator import make_article
from tracker.store.db import session_scope
from tracker.store.models import Article, ArticleVersion, ChangeEvent, Link, SyncRun

TODAY = date(2026, 11, 25)  # the tool's clock; the simulator's world has its own dates
ALS_MESH = (("D000690", "Amyotrophic Lateral Sclerosis", False, (("Q000628", "therapy", True),)),)
DEPRESSION = (("D003865", "Depressive Disorder, Major", False, ()),)


def add_world(world) -> list[str]:
    """Ten papers the shipped query must find, and two it must not."""
    found = []
    for i in range(10):
        pmid = str(39000000 + i)
        world.add(
            make_article(
                pmid,
                title=f"Transcranial static magnetic stimulation in ALS, report {i}",
                mesh=ALS_MESH,
                databanks=(("ClinicalTrials.gov", (f"NCT0500000{i % 8}",)),) if i < 4 else (),
                abstract=((None, None, f"Participants with ALS received tSMS (NCT0600000{i})."),),
                entrez_date=f"2024/07/{10 + i:02d}",
            )
        )
        found.append(f"PMID:{pmid}")
    world.add(
        make_article(
            "39100001",
            title="rTMS for major depression",
            mesh=DEPRESSION,
            abstract=((None, None, "Depression improved with rTMS."),),
            databanks=(),
        )
    )
    world.add(
        make_article(
            "39100002",
            title="Edaravone in ALS",
            mesh=ALS_MESH,
            abstract=((None, None, "A drug trial."),),
            databanks=(),
        )
    )
    return sorted(found)


def pubmed_config(sim, db_url, **kw):
    cfg = make_config(sim, db_url, **kw)
    return cfg.model_copy(
        update={
            "pubmed": cfg.pubmed.model_copy(
                update={"url": sim.pubmed_url, "rps": 0.0, "batch_size": 4}
            )
        }
    )


def run(engine, cfg, *, full=False, today=TODAY):
    stats = HttpStats()
    with make_client(cfg, rps_by_host={}, stats=stats) as client:
        return sync_pubmed(engine, cfg, client, stats, today=today, full=full), stats


def stored(engine) -> list[str]:
    with session_scope(engine) as session:
        return sorted(session.scalars(select(col(Article.id))))


def last_run(engine) -> SyncRun:
    with session_scope(engine) as session:
        run = session.scalars(select(SyncRun).order_by(col(SyncRun.id).desc())).first()
        assert run is not None, "no sync run recorded"
        return run


@pytest.fixture
def world(simulator):
    simulator.expected = add_world(simulator.pubmed)
    return simulator


def test_first_sync_stores_every_match_with_links(world, engine, db_url):
    outcome, _ = run(engine, pubmed_config(world, db_url))
    assert outcome.complete and outcome.full
    assert stored(engine) == world.expected
    assert (outcome.fetched, outcome.expected, outcome.new_records) == (10, 10, 10)
    run_row = last_run(engine)
    assert (run_row.source, run_row.status, run_row.pages) == ("pubmed", "ok", 3)  # batches of 4
    assert run_row.watermark == "2024-07-19"  # the newest Entrez date
    with session_scope(engine) as session:
        links = set(
            session.execute(select(col(Link.article_id), col(Link.trial_id), col(Link.provenance)))
        )
        assert ("PMID:39000000", "NCT05000000", "databank") in links
        assert ("PMID:39000007", "NCT06000007", "abstract") in links
        assert sum(1 for *_, how in links if how == "databank") == 4
        article = stored_row(session, Article, "PMID:39000003")
        assert article.in_pubmed and (article.title or "").startswith("Transcranial static")
    # Every request identifies the tool and its operator, as NCBI asks.
    posted = [r for r in world.requests.snapshot() if r.path.endswith(".fcgi")]
    assert posted and all(
        r.params.get("tool") == "tracker" and r.params.get("email") for r in posted
    )


def test_incremental_sync_sees_new_papers_and_retractions(world, engine, db_url):
    cfg = pubmed_config(world, db_url)
    run(engine, cfg)
    world.pubmed.advance(30)
    world.pubmed.add(
        make_article(
            "39000100",
            title="Theta burst stimulation in ALS",
            mesh=ALS_MESH,
            entrez_date=world.pubmed.today,
            mdat=world.pubmed.today,
            abstract=((None, None, "iTBS in ALS."),),
            databanks=(),
        )
    )
    world.pubmed.retract("39000002", "39000200")
    outcome, _ = run(engine, cfg)
    assert not outcome.full and outcome.complete
    assert "PMID:39000100" in stored(engine)
    with session_scope(engine) as session:
        events = {(e.record_id, e.field) for e in session.scalars(select(ChangeEvent))}
        assert ("PMID:39000002", "retraction") in events
        assert stored_row(session, Article, "PMID:39000002").retracted
    searches = [r for r in world.requests.snapshot() if r.path.endswith("esearch.fcgi")]
    windows = [r.params["datetype"] for r in searches if "datetype" in r.params]
    assert windows[-2:] == ["edat", "mdat"]
    # And an unchanged world makes no new versions.
    versions = count(engine, ArticleVersion)
    outcome, _ = run(engine, cfg)
    assert (outcome.new_records, outcome.new_versions) == (0, 0)
    assert count(engine, ArticleVersion) == versions


@pytest.mark.parametrize(
    ("kind", "options"),
    [("429", {}), ("500", {}), ("truncate", {}), ("503", {"count": 2})],
)
def test_transient_efetch_faults_are_retried(world, engine, db_url, kind, options):
    world.faults.inject(kind, path="/entrez/eutils/efetch.fcgi", after=1, **options)
    outcome, stats = run(engine, pubmed_config(world, db_url))
    assert outcome.complete and stored(engine) == world.expected
    assert stats.retries >= 1


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [("malformed", {}, "malformed PubMed XML"), ("500", {"count": 20}, "HTTP 500")],
)
def test_fatal_efetch_fault_keeps_earlier_batches(world, engine, db_url, kind, options, message):
    cfg = pubmed_config(world, db_url, retries=1)
    world.faults.inject(kind, path="/entrez/eutils/efetch.fcgi", after=1, **options)
    stats = HttpStats()
    with make_client(cfg, rps_by_host={}, stats=stats) as client, pytest.raises(SourceError) as err:
        sync_pubmed(engine, cfg, client, stats, today=TODAY)
    assert message in str(err.value) and "#2" in str(err.value)
    assert len(stored(engine)) == 4  # the first batch was stored
    assert (last_run(engine).status, last_run(engine).complete) == ("failed", False)
    world.faults.clear()
    outcome, _ = run(engine, cfg)
    assert outcome.complete and stored(engine) == world.expected


def test_more_than_the_esearch_cap_is_split_into_date_windows(simulator, tmp_path):
    from tracker.simulator import make_bulk_articles
    from tracker.store.db import open_database

    simulator.pubmed.add_many(make_bulk_articles(10_050, size_kb=1))
    engine = open_database(f"sqlite:///{tmp_path / 'cap.db'}")
    cfg = pubmed_config(simulator, f"sqlite:///{tmp_path / 'cap.db'}")
    cfg = cfg.model_copy(update={"pubmed": cfg.pubmed.model_copy(update={"batch_size": 5000})})
    outcome, _ = run(engine, cfg)
    with session_scope(engine) as session:
        total = session.scalar(select(func.count()).select_from(Article)) or 0
    assert outcome.complete
    assert total == outcome.expected == outcome.fetched
    assert total > 9999


def test_papers_citing_the_index_are_fetched_marked_and_announced(world, engine, db_url):
    pubmed = world.pubmed
    pubmed.add(
        make_article(
            "39101019",
            title="Home tSMS in ALS: the STIMALS trial",
            mesh=ALS_MESH,
            abstract=((None, None, "tSMS in ALS."),),
        )
    )
    # One citing paper the query finds anyway, one it does not (a general review).
    pubmed.cite_index("39000001", "39101019")
    pubmed.add(
        make_article(
            "39500001",
            title="Neuromodulation: a narrative review",
            mesh=(),
            abstract=((None, None, "We review brain stimulation."),),
            databanks=(),
        )
    )
    pubmed.cite_index("39500001", "39101019")
    cfg = pubmed_config(world, db_url)  # index pmid left empty: resolved from the DOI
    assert cfg.claim.index.doi == "10.1016/j.lanepe.2024.101019" and not cfg.claim.index.pmid
    outcome, _ = run(engine, cfg)
    assert outcome.complete
    with session_scope(engine) as session:
        citing = set(session.scalars(select(col(Article.id)).where(col(Article.cites_index))))
        assert citing == {"PMID:39000001", "PMID:39500001"}
        events = [
            (e.record_id, e.new)
            for e in session.scalars(
                select(ChangeEvent).where(col(ChangeEvent.field) == "cited_by")
            )
        ]
        assert sorted(events) == [
            ("PMID:39101019", "PMID:39000001"),
            ("PMID:39101019", "PMID:39500001"),
        ]
    # The same day, nobody is asked again who cites the index: no elink request at all.
    asked = len(world.requests.snapshot())
    run(engine, cfg)
    assert not [r for r in world.requests.snapshot()[asked:] if r.path.endswith("elink.fcgi")]
    # Ten days on, it is asked again: a paper that newly cites the index is one new event;
    # old ones are not repeated.
    pubmed.advance(10)
    pubmed.add(
        make_article(
            "39600001",
            title="Magnetic fields and motor neurons",
            mesh=(),
            abstract=((None, None, "Bench work."),),
            databanks=(),
            entrez_date=pubmed.today,
        )
    )
    pubmed.cite_index("39600001", "39101019")
    run(engine, cfg, today=TODAY + timedelta(days=10))
    with session_scope(engine) as session:
        citing_papers = [
            e.new or ""
            for e in session.scalars(
                select(ChangeEvent).where(col(ChangeEvent.field) == "cited_by")
            )
        ]
        assert sorted(citing_papers) == ["PMID:39000001", "PMID:39500001", "PMID:39600001"]
        assert stored_row(session, Article, "PMID:39600001").cites_index


def test_digest_and_show_cover_articles_and_links_both_ways(world, engine, db_url):
    from tracker.ingest.runs import utcnow
    from tracker.reports.digest import build_digest
    from tracker.reports.record import build_record_view

    run(engine, pubmed_config(world, db_url))
    with session_scope(engine) as session:
        digest = build_digest(session, since=None, until=utcnow())
        assert sorted(i.id for i in digest.new if i.source == "pubmed") == world.expected
        pubmed_health = next(h for h in digest.health if h.source == "pubmed")
        assert (pubmed_health.stored, pubmed_health.complete) == (10, True)
        paper = build_record_view(session, "39000000")  # a bare PMID is accepted
        assert paper.id == "PMID:39000000" and paper.source == "pubmed"
        assert {(link.id, link.provenance) for link in paper.links} == {
            ("NCT05000000", "databank"),
            ("NCT06000000", "abstract"),
        }
    # The trial side lists its papers once the trial is stored.
    from tests.e2e_support import build_world, run_sync

    build_world(world.ctgov)
    cfg = pubmed_config(world, db_url)
    run_sync(engine, cfg)
    with session_scope(engine) as session:
        trial = build_record_view(session, "nct05000001")
        assert ("PMID:39000001", "databank") in {(link.id, link.provenance) for link in trial.links}
