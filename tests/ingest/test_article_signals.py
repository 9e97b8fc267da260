"""Every article a sync stores gets its evidence signals where it is parsed, not only those
the parse workers parse: PubMed's small efetch bodies (parsed in the main process), Europe
PMC's own records and the citation chase's records of both. The judging after the sync then
reads no record itself, and judges exactly as it does when it reads every record itself.

Over real sockets (the simulator) on both backends; the bodies are a few records each, far
under the parse workers' threshold, so no worker is started."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import col

from tests.chase_support import review
from tests.evidence.test_evidence_incremental import judge, judgements
from tests.ingest.test_e2e_europepmc import configure, epmc_only, pubmed_papers
from tracker.config import DEFAULT_CONFIG, Config, load_config
from tracker.evidence.rules.vocab import compile_vocab
from tracker.evidence.signal_rows import ClaimReader
from tracker.http import HttpStats, make_client
from tracker.ids import Source
from tracker.ingest import pubmed_workers
from tracker.ingest.every import sync_sources
from tracker.simulator import RegistrySimulator, from_pubmed, make_preprint
from tracker.store.db import open_database, session_scope
from tracker.store.models import Article, RecordSignals
from tracker.store.readings import SignalReader

INDEX = "39000000"  # the first of pubmed_papers(), configured as the index publication
CITING_PUBMED = "PMID:39800001"  # found only by PubMed's elink citedin of the index
CITING_EPMC = "PPR:PPR900001"  # found only by Europe PMC's citations of the index
T = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
NIBS = (
    "We systematically reviewed randomised sham-controlled trials of NIBS in people with "
    "ALS. Six trials (212 patients) were included. NIBS did not significantly slow "
    "ALSFRS-R decline compared with sham (p = 0.31)."
)


def build(sim: RegistrySimulator) -> None:
    """PubMed's three papers (Europe PMC has them too: merged, not new records), what only
    Europe PMC has, and two reviews of the index that no query finds, one in each source."""
    papers = pubmed_papers()
    sim.pubmed.add_many([*papers, review(CITING_PUBMED.removeprefix("PMID:"), cites=INDEX)])
    sim.europepmc.add_many([from_pubmed(p) for p in papers] + epmc_only())
    sim.europepmc.add(
        make_preprint(
            CITING_EPMC.removeprefix("PPR:"),
            title="Noninvasive brain stimulation (NIBS) for ALS: a systematic review",
            first_publication_date="2025-03-03",
            abstract=NIBS,
        )
    )
    sim.europepmc.cite(CITING_EPMC.removeprefix("PPR:"), f"MED:{INDEX}")


def config(sim: RegistrySimulator, db_url: str) -> Config:
    cfg: Config = configure(sim, db_url)  # efetch batches of 4 records
    index = cfg.claim.index.model_copy(update={"pmid": INDEX})
    return cfg.model_copy(update={"claim": cfg.claim.model_copy(update={"index": index})})


def sync(engine: Engine, cfg: Config, reader: SignalReader | None) -> None:
    stats = HttpStats()
    with make_client(cfg, rps_by_host={}, stats=stats) as client:
        report = sync_sources(
            [Source.PUBMED, Source.EUROPEPMC], engine, cfg, client, stats, full=False, reader=reader
        )
    assert not report.failures and len(report.outcomes) == 2


def articles(engine: Engine) -> dict[str, tuple[int, bool, str | None]]:
    """Stored article -> (version, in PubMed, provenance)."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(
                col(Article.id),
                col(Article.version),
                col(Article.in_pubmed),
                col(Article.provenance),
            )
        )
        return {rid: (version, in_pubmed, found) for rid, version, in_pubmed, found in rows}


def signal_rows(engine: Engine) -> dict[str, tuple[int, str, str | None, str | None]]:
    with session_scope(engine) as session:
        return {
            r.record_id: (r.version, r.rules_hash, r.signals, r.error)
            for r in session.scalars(select(RecordSignals))
        }


def test_every_article_a_sync_parses_itself_is_stored_with_its_signals(
    simulator, db_url, tmp_path: Path, monkeypatch: Any
) -> None:
    """Small efetch bodies, Europe PMC's own records and both chases' records: each has a
    reading under the current rules at its current version; the judging reads none of them
    and judges them as a pass that reads them all itself (a sync given no reader) does."""
    started: list[object] = []
    monkeypatch.setattr(pubmed_workers.ParsePool, "run", lambda *a, **k: started.append(a))
    build(simulator)
    cfg = config(simulator, db_url)
    rules_hash = compile_vocab(cfg.claim).rules_hash
    today = datetime.now(UTC).date()
    engine = open_database(db_url)
    plain = open_database(f"sqlite:///{tmp_path / 'no-reader.db'}")
    try:
        sync(engine, cfg, ClaimReader.of(cfg.claim))
        assert started == []  # every body was parsed in the main process
        stored = articles(engine)
        own = {rid for rid, (_v, in_pubmed, _p) in stored.items() if not in_pubmed}
        assert own == {"PMID:38900001", "PPR:PPR100001", "PPR:PPR100002", CITING_EPMC}
        assert stored[CITING_PUBMED][1:] == (True, f"cites:PMID:{INDEX}")  # PubMed's chase
        assert stored[CITING_EPMC][2] == f"cites:PMID:{INDEX}"  # Europe PMC's chase
        rows = signal_rows(engine)
        assert set(rows) == set(stored) and len(stored) == 8
        for rid, (version, *_rest) in stored.items():
            assert rows[rid][:2] == (version, rules_hash), rid
            assert rows[rid][2] and rows[rid][3] is None, rid
        tally = judge(engine, today, cfg)
        assert (tally.judged, tally.read) == (len(stored), 0)  # judged from the stored signals

        sync(plain, cfg, None)
        assert signal_rows(plain) == {} and articles(plain) == stored
        alone = judge(plain, today, cfg)
        assert (alone.judged, alone.read) == (len(stored), len(stored))  # read them all itself
        assert judgements(engine) == judgements(plain)
        relevant = {
            row[0] for row in judgements(engine)[0] if row[3]
        }  # (id, source, study, relevant...)
        assert {CITING_PUBMED, CITING_EPMC, "PPR:PPR100001"} <= relevant, relevant
    finally:
        engine.dispose()
        plain.dispose()


class Spy:
    """The reader `tracker sync` gives, remembering which records it was asked to read."""

    def __init__(self, cfg: Config) -> None:
        self.reader = ClaimReader.of(cfg.claim)
        self.asked: list[str] = []

    def __call__(self, records: Any) -> Any:
        self.asked += [record.id for _source, record in records]
        return self.reader(records)


def test_a_later_sync_reads_only_the_new_versions_and_stores_them_against_them(
    simulator, db_url, tmp_path: Path
) -> None:
    """A PubMed paper revised and a Europe PMC preprint revised: only they are read (the
    unchanged records fetched again keep their stored reading), their readings are stored
    at version 2, and the judging reads nothing itself and judges as a pass reading all."""
    build(simulator)
    cfg = config(simulator, db_url)
    today = datetime.now(UTC).date()
    engine = open_database(db_url)
    plain = open_database(f"sqlite:///{tmp_path / 'no-reader.db'}")
    try:
        for db, reader in ((engine, Spy(cfg)), (plain, None)):
            sync(db, cfg, reader)
            judge(db, today, cfg)
        simulator.pubmed.update("39000001", lambda a: a.update(title=f"{a['title']} (erratum)"))
        preprint = simulator.europepmc.get("PPR", "PPR100001")
        assert preprint is not None
        simulator.europepmc.add(
            replace(preprint, title=f"{preprint.title}, version 2", first_index_date="2024-09-01")
        )
        spy = Spy(cfg)
        sync(engine, cfg, spy)
        assert sorted(spy.asked) == ["PMID:39000001", "PPR:PPR100001"]
        rows, stored = signal_rows(engine), articles(engine)
        assert {rid for rid, (version, *_rest) in stored.items() if version == 2} == set(spy.asked)
        assert all(rows[rid][0] == stored[rid][0] for rid in stored)
        tally = judge(engine, today, cfg)
        assert tally.read == 0 and tally.judged >= 2
        sync(plain, cfg, None)
        alone = judge(plain, today, cfg)
        assert (alone.judged, alone.read) == (tally.judged, 2)  # the new versions, read there
        assert judgements(engine) == judgements(plain)
    finally:
        engine.dispose()
        plain.dispose()


def test_the_main_process_reads_only_what_no_worker_read_and_only_what_changed(engine) -> None:
    """One chunk as a batch a worker failed part-way through gives it: the first records
    prepared (and read) by the worker, the rest parsed in the main process. Only the latter
    are read again; a chunk stored a second time, unchanged, is read and written not at all;
    a revised record is read and stored against its new version."""
    from tracker.ingest.article_signals import save_article_signals
    from tracker.ingest.pubmed_workers import prepare
    from tracker.simulator import make_bulk_articles
    from tracker.sources.pubmed_parse import iter_records
    from tracker.store.articles import FetchedArticle, save_articles

    cfg = load_config(DEFAULT_CONFIG, env={})
    xml = [a.xml for a in make_bulk_articles(6)]
    doc = b"<?xml version='1.0'?><PubmedArticleSet>%s</PubmedArticleSet>"
    in_worker = Spy(cfg)
    prepared = prepare(doc % b"".join(xml[:2]), in_worker)
    from_worker = [
        FetchedArticle(id=rid, raw=b"", record=None, packed=p, data=d, summary=s, signals=row)
        for rid, d, p, s, row in prepared
    ]

    def store(body: bytes, reader: Spy) -> int:
        parsed = [FetchedArticle(id=r.id, raw=raw, record=r) for r, raw in iter_records(body)]
        chunk = from_worker + parsed
        with session_scope(engine) as session:
            conn = session.connection()
            saved = save_articles(conn, chunk, source="pubmed", seen_at=T, run_id=None)
            return save_article_signals(conn, chunk, saved, source=Source.PUBMED, reader=reader)

    here = Spy(cfg)
    assert store(doc % b"".join(xml[2:]), here) == 6
    ids = [rid for rid, *_ in prepared]
    assert len(in_worker.asked) == 2 and len(here.asked) == 4
    assert not set(here.asked) & set(ids)  # the worker's readings are taken as they are
    rows = signal_rows(engine)
    assert sorted(rows) == sorted([*ids, *here.asked])
    assert all(r[0] == 1 and r[2] and r[3] is None for r in rows.values())
    again = Spy(cfg)
    assert store(doc % b"".join(xml[2:]), again) == 0 and again.asked == []  # unchanged
    revised = xml[3].replace(b"</ArticleTitle>", b" (corrected)</ArticleTitle>", 1)
    assert store(doc % b"".join([xml[2], revised, *xml[4:]]), again) == 1
    assert again.asked == [here.asked[1]] and signal_rows(engine)[here.asked[1]][0] == 2
