"""A value longer than its column: the record is stored unparsed with the reason, its page
neighbours stored as usual, and the two backends agree. A database error on a page fails
that source with a message and the other sources still run."""

from __future__ import annotations

import sqlalchemy.exc
from sqlalchemy import select

from tests.e2e_support import make_config
from tracker.http import HttpStats, make_client
from tracker.ids import Source
from tracker.ingest import ctgov as ingest_ctgov
from tracker.ingest.every import sync_sources
from tracker.simulator import make_epmc_record, make_study
from tracker.store.db import session_scope
from tracker.store.models import Article, SyncRun, Trial

ALS = ["Amyotrophic Lateral Sclerosis"]


def _both(simulator, db_url):
    cfg = make_config(simulator, db_url)
    return cfg.model_copy(
        update={"europepmc": cfg.europepmc.model_copy(update={"url": simulator.europepmc_url})}
    )


def _sync(engine, cfg, sources):
    stats = HttpStats()
    with make_client(cfg, rps_by_host={}, stats=stats) as client:
        return sync_sources(sources, engine, cfg, client, stats, full=False)


def test_an_overlong_value_makes_its_record_unparsed_and_keeps_the_page(
    simulator, engine, db_url
) -> None:
    long_acronym = "A" * 300
    simulator.ctgov.add(
        make_study(
            "NCT05000001", title="rTMS in ALS", conditions=ALS, interventions=[("DEVICE", "rTMS")]
        )
    )
    bad = make_study(
        "NCT05000002", title="iTBS in ALS", conditions=ALS, interventions=[("DEVICE", "iTBS")]
    )
    bad["protocolSection"]["identificationModule"]["acronym"] = long_acronym
    simulator.ctgov.add(bad)
    simulator.europepmc.add(
        make_epmc_record(
            "38900001",
            title="rTMS in amyotrophic lateral sclerosis",
            doi="10.1000/" + "x" * 300,
        )
    )
    report = _sync(engine, _both(simulator, db_url), [Source.CTGOV, Source.EUROPEPMC])
    with session_scope(engine) as session:
        trials = {t.nct_id: t for t in session.scalars(select(Trial))}
        articles = {a.id: a for a in session.scalars(select(Article))}
        assert trials["NCT05000001"].parse_error is None
        assert trials["NCT05000001"].brief_title == "rTMS in ALS"
        unparsed = trials["NCT05000002"]
        assert unparsed.acronym is None and unparsed.brief_title is None
        assert "acronym is 300 characters, more than the 200" in (unparsed.parse_error or "")
        article = articles["PMID:38900001"]
        assert article.doi is None
        assert "doi is 308 characters, more than the 255" in (article.parse_error or "")
    errors = [e for o in report.outcomes for e in o.errors]
    assert any("NCT05000002: stored unparsed: does not fit the database" in e for e in errors)


def test_a_database_error_on_a_page_fails_that_source_and_the_others_run(
    simulator, engine, db_url, monkeypatch
) -> None:
    simulator.ctgov.add(
        make_study(
            "NCT05000001", title="rTMS in ALS", conditions=ALS, interventions=[("DEVICE", "rTMS")]
        )
    )
    simulator.europepmc.add(
        make_epmc_record("38900001", title="rTMS in amyotrophic lateral sclerosis")
    )

    def refuse(*args, **kwargs):
        raise sqlalchemy.exc.DataError(
            "INSERT INTO trials ...", {}, Exception("value too long for type character varying(16)")
        )

    monkeypatch.setattr(ingest_ctgov, "save_prepared", refuse)
    report = _sync(engine, _both(simulator, db_url), [Source.CTGOV, Source.EUROPEPMC])
    assert report.failures[0].startswith(
        "ctgov: the database refused a page: Exception: value too long"
    )
    assert [o.source for o in report.outcomes] == ["europepmc"]
    with session_scope(engine) as session:
        runs = {r.source: r for r in session.scalars(select(SyncRun))}
        assert runs["ctgov"].status == "failed"
        assert "the database refused a page" in runs["ctgov"].errors
        assert runs["europepmc"].status == "ok"
        assert session.scalars(select(Trial)).all() == []
        assert [a.id for a in session.scalars(select(Article))] == ["PMID:38900001"]
