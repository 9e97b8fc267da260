"""The evidence signals read where the sync parses, and records the rules cannot read.

The sync's parse workers read each record's signals and the sync stores them with the
record's version (record_signals); the judging pass then reads no record again, and judges
exactly as it would have by reading the records itself. A record the rules cannot read is
stored with the reason and is not tried again until its version or the rules change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, select
from sqlmodel import col

from tests.evaluation import Case, load_cases, store_cases
from tests.evidence.test_evidence_incremental import judge, judgements
from tracker.config import DEFAULT_CONFIG, load_config
from tracker.evidence import plan as plan_module
from tracker.evidence.rules import assess as assess_module
from tracker.evidence.rules.vocab import compile_vocab
from tracker.evidence.signal_rows import ClaimReader, decode_signals, signal_rows
from tracker.ids import Source
from tracker.records.article import ArticleData
from tracker.records.trial import TrialData
from tracker.store.db import open_database, session_scope
from tracker.store.models import Assessment, ChangeEvent, EvidenceMark, Link, RecordSignals, Trial

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
CONFIG = load_config(DEFAULT_CONFIG, env={})
RULES_HASH = compile_vocab(CONFIG.claim).rules_hash


def _signal_rows(engine: Engine) -> dict[str, RecordSignals]:
    with session_scope(engine) as session:
        return {r.record_id: r for r in session.scalars(select(RecordSignals))}


def _forget_judgements(engine: Engine) -> None:
    with session_scope(engine) as session:
        for table in (Assessment, ChangeEvent, EvidenceMark, RecordSignals):
            session.execute(delete(table))
        session.execute(delete(Link).where(col(Link.provenance) == "inferred"))


def test_the_sync_reads_the_signals_and_the_judging_reads_no_record(
    simulator, db_url, tmp_path, monkeypatch
):
    """`tracker sync` over real sockets, its pages parsed in a worker process: every trial's
    signals are stored at its version, the judging reads none of the records, and its
    judgements equal those of a pass that reads every record itself."""
    from typer.testing import CliRunner

    import tracker.cli.main  # noqa: F401  (registers the commands)
    import tracker.store.db as db_module
    from tests.e2e_support import build_world, write_config_file
    from tracker.cli.app import app
    from tracker.ingest import ctgov_workers

    monkeypatch.setattr(ctgov_workers, "MIN_PARALLEL_BYTES", 0)  # the worker parses every page
    build_world(simulator.ctgov)
    config = write_config_file(tmp_path, simulator, db_url)
    real = plan_module.read_stored  # type: ignore[attr-defined]
    read: list[str] = []

    def spy(session, claim, wanted, pool):  # noqa: ANN001, ANN202
        read.extend(wanted)
        yield from real(session, claim, wanted, pool)

    monkeypatch.setattr(plan_module, "read_stored", spy)
    opened: list[Engine] = []

    def tracked(url: str) -> Engine:  # the command's engines, closed after it
        opened.append(open_database(url))
        return opened[-1]

    monkeypatch.setattr(db_module, "open_database", tracked)
    try:
        result = CliRunner().invoke(app, ["--config", str(config), "sync", "--source", "ctgov"])
    finally:
        for one in opened:
            one.dispose()
    assert result.exit_code == 0, result.output
    engine = open_database(db_url)
    try:
        with session_scope(engine) as session:
            versions = dict(session.execute(select(col(Trial.nct_id), col(Trial.version))).all())
        rows = _signal_rows(engine)
        assert set(rows) == set(versions) and len(versions) > 5
        assert all(
            r.version == versions[rid] and r.rules_hash == RULES_HASH for rid, r in rows.items()
        )
        assert all(r.error is None and r.signals for r in rows.values())
        assert read == []  # judged from the stored signals alone
        synced = judgements(engine)
        assert synced[0], "the sync judged what it stored"
        today = datetime.now(UTC).date()
        _forget_judgements(engine)
        assert judge(engine, today).read == len(versions)  # counted in the pass's tally
        assert set(read) == set(versions)  # this time every record was read
        assert judgements(engine) == synced
    finally:
        engine.dispose()


def test_the_parse_workers_read_what_the_judging_would_read():
    """The rows the workers compute are the rules' own reading of the parsed records."""
    from tracker.evidence.rules.judgement import Record
    from tracker.ingest import ctgov_workers, pubmed_workers
    from tracker.simulator import make_bulk_articles, make_bulk_studies
    from tracker.sources.pubmed_parse import iter_records

    reader = ClaimReader.of(CONFIG.claim)
    studies = [msgspec_raw(s) for s in make_bulk_studies(6)]
    prepared = ctgov_workers.prepare(studies, reader)
    trials = [_trial(p.data) for p in prepared]
    expected = signal_rows([Record(Source.CTGOV, t) for t in trials], CONFIG.claim)
    assert [p.signals for p in prepared] == expected
    assert all(p.signals is None for p in ctgov_workers.prepare(studies))  # no reader, none
    body = b"<?xml version='1.0'?><PubmedArticleSet>%s</PubmedArticleSet>" % b"".join(
        a.xml for a in make_bulk_articles(5)
    )
    records = [r for r, _raw in iter_records(body)]
    rows = [p[4] for p in pubmed_workers.prepare(body, reader)]
    assert rows == signal_rows([Record(Source.PUBMED, r) for r in records], CONFIG.claim)
    assert all(r is not None and r.relevant for r in rows)  # every bulk article is relevant
    first = rows[0]
    assert first is not None and first.signals is not None
    assert decode_signals(first.signals).id == records[0].id


def msgspec_raw(study: object):  # noqa: ANN201
    import msgspec

    return msgspec.Raw(msgspec.json.encode(study))


def _trial(data: bytes | None) -> TrialData:
    import msgspec

    assert data is not None
    return msgspec.json.decode(data, type=TrialData)


def _changed(case: Case) -> Case:
    payload = json.loads(case.payload)
    payload["protocolSection"]["identificationModule"]["briefTitle"] += " (amended)"
    return Case(case.id, case.source, case.path, json.dumps(payload).encode(), case.label)


def test_a_record_the_rules_cannot_read_is_stored_as_such_and_tried_again_only_when_it_changes(
    engine, monkeypatch
):
    cases = load_cases()
    broken = next(c for c in cases if c.source == "ctgov")
    real = assess_module.trial_signals  # type: ignore[attr-defined]
    tried: list[str] = []

    def trips(t: TrialData, vocab):  # noqa: ANN001, ANN202
        if t.nct_id == broken.id:
            tried.append(t.nct_id)
            raise ValueError("a rule tripped on this record")
        return real(t, vocab)

    monkeypatch.setattr(assess_module, "trial_signals", trips)
    store_cases(engine, cases, now=T0)
    first = judge(engine, T0.date())
    assert tried == [broken.id]
    row = _signal_rows(engine)[broken.id]
    assert (row.version, row.rules_hash, row.signals) == (1, RULES_HASH, None)
    assert row.error == "ValueError: a rule tripped on this record"
    with session_scope(engine) as session:
        assert session.get(Assessment, broken.id) is None  # left unjudged
        judged = session.scalar(select(Assessment).limit(1))
        assert judged is not None  # the others were judged
    assert first.judged == len(cases) - 1
    # The next passes neither read it again nor write anything.
    for day in (1, 2):
        again = judge(engine, (T0 + timedelta(days=day)).date())
        assert (again.judged, again.written, tried) == (0, 0, [broken.id])
    # A new version of it is read again (and still fails, so stays unjudged).
    store_cases(engine, [_changed(broken)], now=T0 + timedelta(days=3))
    judge(engine, (T0 + timedelta(days=3)).date())
    assert tried == [broken.id] * 2
    assert _signal_rows(engine)[broken.id].version == 2
    assert judge(engine, (T0 + timedelta(days=4)).date()).judged == 0
    # So is it after a change of the rules; once it can be read, it is judged.
    monkeypatch.setattr(assess_module, "trial_signals", real)
    terms = (*CONFIG.claim.population.terms, "motor neurone disease")
    population = CONFIG.claim.population.model_copy(update={"terms": terms})
    renamed = CONFIG.model_copy(
        update={"claim": CONFIG.claim.model_copy(update={"population": population})}
    )
    judge(engine, (T0 + timedelta(days=5)).date(), renamed)
    with session_scope(engine) as session:
        assessment = session.get(Assessment, broken.id)
        assert assessment is not None and assessment.record_version == 2


@pytest.mark.parametrize("record", [TrialData(nct_id="NCT00000001"), ArticleData(id="PMID:1")])
def test_a_reader_that_fails_as_a_whole_leaves_the_records_to_the_judging(record, monkeypatch):
    """Evidence never fails a sync: a reader that raises gives no rows, and the judging
    then reads those records itself."""
    from tracker.store.readings import read_signals

    def broken(records):  # noqa: ANN001, ANN202
        raise RuntimeError("boom")

    assert read_signals(broken, [("ctgov", record)]) == {}
    assert read_signals(None, [("ctgov", record)]) == {}


def test_the_stored_signals_are_the_rules_own_json_of_every_field():
    """An assessment row stores signals_dict (the fast copy in tracker.evidence.write): it
    must hold what Signals.to_json gives, field for field, design included, context left
    out; a field added to Signals or Design later is covered too."""
    from dataclasses import fields, replace

    from tracker.evidence.rules.signals import Design, Signals
    from tracker.evidence.write import signals_dict

    def filled(cls: type, base: object) -> object:
        values: dict[str, object] = {}
        for f in fields(cls):
            old = getattr(base, f.name)
            if isinstance(old, Design):
                values[f.name] = filled(Design, old)
            elif isinstance(old, bool):
                values[f.name] = not old
            elif isinstance(old, list):
                values[f.name] = [f"{f.name} finding"]
            elif isinstance(old, dict):
                values[f.name] = {"rTMS": f.name}
            else:
                values[f.name] = 7 if f.name == "n" else f"{f.name} text"
        return replace(base, **values)  # type: ignore[type-var]

    base = Signals(id="NCT1", source="ctgov", kind="trial", title="t", date=None)
    full = filled(Signals, base)
    assert isinstance(full, Signals)
    assert full.context and full.design.n == 7 and full.population
    assert signals_dict(full) == full.to_json()
    assert "context" not in signals_dict(full)
    assert signals_dict(base) == base.to_json()
