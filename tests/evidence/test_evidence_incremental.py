"""Judging only what can have changed gives exactly what judging everything gives.

On both backends: a store grown in two syncs (new papers joining stored studies, a changed
trial, a trial whose results fall due) and judged after each equals the same store judged
once at the end; a recheck date is honoured to the day; a change of claim re-judges all."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlmodel import col

from tests.evaluation import Case, load_cases, store_cases
from tests.rows import stored
from tracker.config import DEFAULT_CONFIG, Config, load_config
from tracker.evidence.reassess import Tally, reassess
from tracker.store.db import open_database, session_scope
from tracker.store.models import Assessment, Link

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=30)
CONFIG = load_config(DEFAULT_CONFIG, env={})
DUE = "NCT06834269"  # made a completed trial whose results fall due after January 2027
PAPER, TRIAL = "PMID:19682544", "NCT00833820"  # an unlinked paper and the trial it reports
COMPARED = [c for c in Assessment.__table__.columns if c.name not in ("assessed_at", "changed_at")]  # type: ignore[attr-defined]


def _due(case: Case, status: str, completion: str) -> Case:
    payload = json.loads(case.payload)
    payload["protocolSection"]["statusModule"] = {
        "overallStatus": status,
        "primaryCompletionDateStruct": {"date": completion, "type": "ESTIMATED"},
    }
    return Case(case.id, case.source, case.path, json.dumps(payload).encode(), case.label)


def _split() -> tuple[list[Case], list[Case]]:
    cases = load_cases()
    if not {DUE, PAPER, TRIAL} <= {c.id for c in cases}:
        pytest.skip("evaluation records not present")
    by_id = {c.id: c for c in cases}
    first = [c for i, c in enumerate(cases) if i % 3 and c.id != PAPER]
    first = [_due(c, "RECRUITING", "2026-12") if c.id == DUE else c for c in first]
    later = [c for c in cases if c not in first and c.id != DUE]
    later.append(_due(by_id[DUE], "COMPLETED", "2027-01"))  # a new version of a stored trial
    return first, later


def judge(engine: Engine, today: date, config: Config = CONFIG) -> Tally:
    tally = Tally()
    at = datetime.combine(today, T0.timetz())
    with session_scope(engine) as session:
        reassess(session, config, today, now=at, tally=tally)
    return tally


def judgements(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[str, str]]]:
    with engine.connect() as conn:
        rows = conn.execute(select(*COMPARED)).all()
        links = conn.execute(
            select(col(Link.article_id), col(Link.trial_id)).where(
                col(Link.provenance) == "inferred"
            )
        ).all()
    return sorted(tuple(r) for r in rows), sorted((a, t) for a, t in links)


def test_judging_only_what_changed_equals_judging_everything(engine, tmp_path):
    first, later = _split()
    store_cases(engine, first, now=T0)
    assert judge(engine, T0.date()).judged == len(first)
    store_cases(engine, later, now=T1)
    second = judge(engine, T1.date())
    whole = open_database(f"sqlite:///{tmp_path / 'whole.db'}")
    try:
        store_cases(whole, first, now=T0)
        store_cases(whole, later, now=T1)
        judge(whole, T1.date())
        expected = judgements(whole)
    finally:
        whole.dispose()
    assert judgements(engine) == expected
    assert 0 < second.judged < len(first) + len(later) - 1  # only what could have changed
    with session_scope(engine) as session:
        paper, trial = stored(session, Assessment, PAPER), stored(session, Assessment, TRIAL)
        # The new paper joined a stored trial's study: the trial was judged again with it.
        assert paper.study == trial.study == TRIAL
        assert json.loads(trial.members) == sorted([PAPER, TRIAL])
        due = stored(session, Assessment, DUE)
        assert (due.rule, due.record_version) == ("registry.awaiting_results", 2)
        assert due.recheck_on == date(2027, 2, 2)  # the day after January 2027 has ended
    assert (judge(engine, T1.date()).judged, judge(engine, T1.date()).written) == (0, 0)


def test_a_recheck_date_is_honoured_to_the_day_and_equals_a_full_judgement(engine, tmp_path):
    first, later = _split()
    store_cases(engine, first, now=T0)
    store_cases(engine, [c for c in later if c.id == DUE], now=T0)
    judge(engine, T0.date())
    with session_scope(engine) as session:
        assert stored(session, Assessment, DUE).recheck_on == date(2027, 2, 2)
    assert judge(engine, date(2027, 2, 1)).judged == 0
    tally = judge(engine, date(2027, 2, 2))
    with session_scope(engine) as session:
        due = stored(session, Assessment, DUE)
        members = json.loads(due.members)
        assert due.rule == "registry.results_overdue" and "0 months" in due.reason
        assert due.recheck_on == date(2027, 3, 1)  # the count of months moves on
    assert tally.judged == len(members)  # its study, and nothing else
    whole = open_database(f"sqlite:///{tmp_path / 'whole.db'}")
    try:
        store_cases(whole, first, now=T0)
        store_cases(whole, [c for c in later if c.id == DUE], now=T0)
        judge(whole, date(2027, 2, 2))
        assert judgements(engine) == judgements(whole)
    finally:
        whole.dispose()


def test_a_change_of_claim_judges_everything_again(engine):
    cases = load_cases()
    store_cases(engine, cases, now=T0)
    judge(engine, T0.date())
    assert judge(engine, T0.date()).judged == 0
    claim = CONFIG.claim.model_copy(
        update={
            "population": CONFIG.claim.population.model_copy(
                update={"terms": (*CONFIG.claim.population.terms, "motor neurone disease")}
            )
        }
    )
    changed = CONFIG.model_copy(update={"claim": claim})
    assert judge(engine, T0.date(), changed).judged == len(cases)
    assert judge(engine, T0.date(), changed).judged == 0


def test_tracker_sync_of_an_unchanged_world_judges_nothing_and_writes_no_judgement(
    simulator, db_url, tmp_path, monkeypatch
):
    """The whole command, twice over real sockets: the second judges nothing, and not one
    statement writes to the engine's tables (counted at the driver, and every row compared)."""
    from sqlalchemy import event
    from typer.testing import CliRunner

    import tracker.cli.main  # noqa: F401  (registers the commands)
    import tracker.store.db as db_module
    from tests.dbdump import dump
    from tests.e2e_support import build_world, write_config_file
    from tracker.cli.app import app

    opened: list[Engine] = []

    def tracked(url: str) -> Engine:  # the command's engines, closed after each run
        opened.append(open_database(url))
        return opened[-1]

    monkeypatch.setattr(db_module, "open_database", tracked)

    def invoke(args: list[str]):  # noqa: ANN202
        try:
            return CliRunner().invoke(app, args)
        finally:
            while opened:
                opened.pop().dispose()

    build_world(simulator.ctgov)
    config = write_config_file(tmp_path, simulator, db_url)
    args = ["--config", str(config), "sync", "--source", "ctgov"]
    first = invoke(args)
    assert first.exit_code == 0, first.output
    db = open_database(db_url)
    try:
        before = dump(db)
        assert before["assessments"], "the first sync judged what it stored"
        writes: list[str] = []

        def spy(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
            head = statement.lstrip().upper()
            if head.startswith(("INSERT", "UPDATE", "DELETE")) and any(
                t in statement for t in ("assessments", "change_events", "links")
            ):
                writes.append(statement)

        event.listen(Engine, "before_cursor_execute", spy)
        try:
            again = invoke(args)
        finally:
            event.remove(Engine, "before_cursor_execute", spy)
        assert again.exit_code == 0, again.output
        assert "0 new, 0 new versions, 0 changes" in again.output
        assert "judging" not in again.output
        after = dump(db)
    finally:
        db.dispose()
    assert writes == []
    # (The sync itself still records its run and when it last saw each record it fetched.)
    for table in ("assessments", "change_events", "links", "trial_versions"):
        assert after[table] == before[table], table


def test_records_read_by_worker_processes_are_judged_as_in_one_process(tmp_path, monkeypatch):
    import importlib

    reassess_module = importlib.import_module("tracker.evidence.reassess")
    readers = importlib.import_module("tracker.evidence.readers")
    real = readers._take
    cases = load_cases()
    results = []
    monkeypatch.setattr(readers, "PART", 7)  # several parts in flight
    for name, workers_from in (("alone", 10**9), ("workers", 1)):
        monkeypatch.setattr(reassess_module, "WORKERS_FROM", workers_from)
        used: list[bool] = []

        def take(part, result, used=used):  # noqa: ANN001, ANN202
            used.append(result is not None)
            return real(part, result)

        monkeypatch.setattr(readers, "_take", take)
        engine = open_database(f"sqlite:///{tmp_path / name}.db")
        try:
            store_cases(engine, cases, now=T0)
            judge(engine, T0.date())
            results.append(judgements(engine))
        finally:
            engine.dispose()
        assert used and all(used) == (name == "workers") and any(used) == all(used)
    assert results[0] == results[1]


def test_a_new_link_is_read_once_even_when_it_changes_no_judgement(engine):
    """A second source reporting a pair already linked adds a row and changes nothing: the
    next pass judges the pair's studies, the one after judges nothing."""
    from tracker.store.articles import save_links

    store_cases(engine, load_cases(), now=T0)
    judge(engine, T0.date())
    with engine.connect() as conn:
        pairs = conn.execute(
            select(col(Link.article_id), col(Link.trial_id), col(Link.provenance)).where(
                col(Link.provenance) != "inferred"
            )
        ).all()
    known = set(pairs)
    ways = ("databank", "abstract", "ctgov_reference", "europepmc_annotation")
    article, trial, how = next(
        (a, t, w) for a, t, _ in pairs for w in ways if (a, t, w) not in known
    )
    with session_scope(engine) as session:
        new = save_links(session.connection(), [(article, trial, how)], seen_at=T1)
    assert new == 1
    before = judgements(engine)
    assert judge(engine, T1.date()).judged >= 2
    assert judgements(engine) == before
    again = judge(engine, T1.date() + timedelta(days=1))
    assert (again.judged, again.written) == (0, 0)
