"""reassess, overrides and the ledger on both backends, with records stored the way a sync
stores them (tests.evaluation.store_cases): change events, incrementality, human verdicts
that later runs never overwrite, and the `evidence` / `judge` commands."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from tests.dbdump import dump
from tests.evaluation import load_cases, store_cases
from tests.rows import stored as stored_row
from tracker.config import DEFAULT_CONFIG, load_config
from tracker.evidence.overrides import clear, judge
from tracker.evidence.reassess import Tally, reassess
from tracker.evidence.summary import ledger_summary
from tracker.reports.ledger import build_ledger, ledger_json
from tracker.sources import ctgov
from tracker.store.db import session_scope
from tracker.store.models import Assessment, ChangeEvent, Link, Override
from tracker.store.trials import save_trials

reassess_module = importlib.import_module("tracker.evidence.reassess")
"""The module (its `reassess` name is the function)."""
plan_module = importlib.import_module("tracker.evidence.plan")

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
CONFIG = load_config(DEFAULT_CONFIG, env={})
PENDING = "NCT06834269"  # a registered tSMS follow-up without status or results
FOLLOW_UP_PAPER = "PMID:40099804"  # rTMS trial report, benefit only on cognition
EXCLUDED = "NCT02450552"  # a drug trial measuring with TMS


@pytest.fixture
def cases():
    wanted = {PENDING, FOLLOW_UP_PAPER, EXCLUDED}
    found = [c for c in load_cases() if c.id in wanted]
    if len(found) != len(wanted):
        pytest.skip("evaluation records not present")
    return found


@pytest.fixture
def stored(engine, cases):
    store_cases(engine, cases, now=T0)
    return engine


def run(engine, *, today=TODAY, at=T0):
    with session_scope(engine) as session:
        return [
            (c.record_id, c.field, c.old, c.new) for c in reassess(session, CONFIG, today, now=at)
        ]


def events(engine, field):
    with session_scope(engine) as session:
        rows = session.scalars(select(ChangeEvent).where(ChangeEvent.field == field))
        return {(e.record_id, e.old, e.new) for e in rows}


def test_first_assessment_announces_follow_ups_and_their_verdicts(stored):
    changes = run(stored)
    assert (PENDING, "role", None, "follow_up") in changes
    assert (PENDING, "verdict", None, "pending") in changes
    assert (FOLLOW_UP_PAPER, "verdict", None, "inconclusive") in changes
    assert not [c for c in changes if c[0] == EXCLUDED]  # excluded records make no news
    assert (PENDING, None, "follow_up") in events(stored, "role")
    with session_scope(stored) as session:
        rows = {a.record_id: a for a in session.scalars(select(Assessment))}
        assert set(rows) == {PENDING, FOLLOW_UP_PAPER, EXCLUDED}
        assert rows[EXCLUDED].exclusion == "diagnostic_use"
        assert rows[EXCLUDED].role == "excluded"
        assert all(a.reason and json.loads(a.evidence) for a in rows.values())
        signals = json.loads(rows[PENDING].signals)
        assert signals["therapy"] and signals["own"]["verdict"] == "pending"


def test_a_second_run_over_an_unchanged_store_reads_judges_and_writes_nothing(stored, monkeypatch):
    run(stored)
    before = dump(stored)
    read: list[set[str]] = []
    for module in (reassess_module, plan_module):
        real = module.load_records

        def spy(session, wanted, real=real):
            read.append(set(wanted))
            return real(session, wanted)

        monkeypatch.setattr(module, "load_records", spy)
    tally = Tally()
    with session_scope(stored) as session:
        assert reassess(session, CONFIG, TODAY, now=T0 + timedelta(days=1), tally=tally) == []
    assert read == [] and (tally.judged, tally.written) == (0, 0)
    assert dump(stored) == before  # every row of every table as it was


def test_progress_counts_the_records_judged_and_is_silent_with_nothing_to_judge(
    stored, monkeypatch
):
    monkeypatch.setattr(plan_module, "BATCH", 1)  # one batch per study: several calls
    seen: list[tuple[int, int]] = []
    with session_scope(stored) as session:
        reassess(session, CONFIG, TODAY, now=T0, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)  # the three stored records, read, judged
    assert len(seen) > 2 and all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))
    seen.clear()
    with session_scope(stored) as session:  # the next day: nothing changed, nothing judged
        reassess(
            session,
            CONFIG,
            TODAY,
            now=T0 + timedelta(days=1),
            progress=lambda d, t: seen.append((d, t)),
        )
    assert seen == [(0, 0)]


def test_a_new_version_that_changes_the_verdict_is_a_change_event(stored, cases):
    run(stored)
    payload = json.loads(next(c for c in cases if c.id == PENDING).payload)
    payload["protocolSection"]["statusModule"].update(
        {"overallStatus": "TERMINATED", "whyStopped": "Futility at the interim analysis"}
    )
    with session_scope(stored) as session:
        study = ctgov.read_study(json.dumps(payload).encode())
        save_trials(session.connection(), [study], seen_at=T0 + timedelta(days=2), run_id=None)
    changes = run(stored, at=T0 + timedelta(days=2))
    assert (PENDING, "verdict", "pending", "refutes") in changes
    with session_scope(stored) as session:
        a = stored_row(session, Assessment, PENDING)
        assert (a.verdict, a.rule, a.strength) == ("refutes", "registry.stopped_futility", "weak")
        assert a.record_version == 2
        assert a.changed_at == T0 + timedelta(days=2)


def test_a_human_verdict_stands_over_later_runs_and_clearing_keeps_it(stored):
    run(stored)
    with session_scope(stored) as session:
        judge(session, PENDING, "refutes", "Sponsor says it stopped", by="ana", now=T0)
    assert (PENDING, "pending", "refutes") in events(stored, "verdict")
    assert run(stored, at=T0 + timedelta(hours=1)) == []  # the automatic verdict is unchanged
    with session_scope(stored) as session:
        assert stored_row(session, Assessment, PENDING).verdict == "pending"  # kept beside it
        summary = ledger_summary(session)
        assert summary.counts["refutes"] == 1 and summary.counts["pending"] == 0
        item = next(i for i in build_ledger(session, CONFIG.claim).items if i.id == PENDING)
        assert (item.verdict, item.automatic, item.manual) == ("refutes", "pending", True)
        assert item.override is not None
        assert item.override.note == "Sponsor says it stopped" and item.override.by == "ana"
        assert clear(session, PENDING, now=T0 + timedelta(hours=2)) == 1
    assert (PENDING, "refutes", "pending") in events(stored, "verdict")
    with session_scope(stored) as session:
        kept = session.scalars(select(Override)).one()
        assert kept.cleared_at is not None  # never deleted
        assert ledger_summary(session).counts["pending"] == 1


def test_ledger_json_follows_the_contract(stored):
    run(stored)
    with session_scope(stored) as session:
        doc = ledger_json(build_ledger(session, CONFIG.claim))
    assert set(doc) == {"claim", "items", "summary"}
    assert doc["claim"]["index"]["nct_id"] == "NCT04393467"
    keys = {"id", "study", "source", "title", "relevant", "role", "exclusion", "verdict"}
    keys |= {"reason", "evidence", "manual", "links"}
    assert all(keys <= set(item) for item in doc["items"])
    assert {i["id"] for i in doc["items"]} == {PENDING, FOLLOW_UP_PAPER, EXCLUDED}
    assert {"confirms", "refutes", "inconclusive", "pending", "not_applicable"} <= set(
        doc["summary"]
    )
    excluded = next(i for i in doc["items"] if i["id"] == EXCLUDED)
    assert excluded["relevant"] is False and excluded["verdict"] == "not_applicable"


def tracker(*args, config):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    cmd = [sys.executable, "-m", "tracker", "--config", str(config), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=False)


def cli(*args, config):
    """In-process run of a command (the subprocess tests above cover the edge)."""
    from typer.testing import CliRunner

    import tracker.cli.main  # noqa: F401  (registers the commands)
    from tracker.cli.app import app

    result = CliRunner().invoke(app, ["--config", str(config), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_evidence_and_judge_commands(tmp_path, cases):
    from tracker.store.db import open_database

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = open_database(url)
    store_cases(engine, cases, now=T0)
    engine.dispose()
    config = tmp_path / "config.toml"
    config.write_text(
        DEFAULT_CONFIG.read_text().replace('url = "sqlite:///tracker.db"', f'url = "{url}"')
    )

    doc = json.loads(cli("evidence", "--format", "json", config=config))
    assert next(i for i in doc["items"] if i["id"] == PENDING)["verdict"] == "pending"
    assert doc["summary"]["state"] == "open"

    # The edge, as a user meets it: exit codes and one line.
    missing = tracker("judge", "NCT99999999", "--verdict", "confirms", "--note", "x", config=config)
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "NCT99999999" in missing.stderr
    bad = tracker("judge", PENDING, "--verdict", "maybe", "--note", "x", config=config)
    assert bad.returncode == 2 and "maybe" in bad.stderr

    cli(
        "judge",
        PENDING,
        "--verdict",
        "refutes",
        "--note",
        "[red]Stopped[/red]",
        "--by",
        "ana",
        config=config,
    )
    text = cli("evidence", config=config)
    assert "[red]Stopped[/red]" in text  # a note is text, never markup
    # The human verdict counts as given: the standing, first line of the ledger, moves.
    assert text.splitlines()[0].startswith("Not supported: 1 controlled follow-up found no")
    assert "HUMAN VERDICT" in text and "automatic verdict: pending" in text
    doc = json.loads(cli("evidence", "--format", "json", config=config))
    item = next(i for i in doc["items"] if i["id"] == PENDING)
    assert (item["verdict"], item["manual"]) == ("refutes", True)

    cli("judge", PENDING, "--clear", config=config)
    doc = json.loads(cli("evidence", "--format", "json", config=config))
    assert next(i for i in doc["items"] if i["id"] == PENDING)["manual"] is False
    assert doc["summary"]["state"] == "open"


def test_an_inferred_match_is_stored_as_a_link_and_kept(engine):
    pair = {"NCT00833820", "PMID:19682544"}  # a registry record and its unlinked paper
    found = [c for c in load_cases() if c.id in pair]
    if len(found) != 2:
        pytest.skip("evaluation records not present")
    store_cases(engine, found, now=T0)
    run(engine)
    run(engine, at=T0 + timedelta(days=1))
    with session_scope(engine) as session:
        links = session.scalars(select(Link)).all()
        assert [(x.article_id, x.trial_id, x.provenance) for x in links] == [
            ("PMID:19682544", "NCT00833820", "inferred")
        ]
        assert links[0].first_seen_at == T0  # kept, not re-made every run
        rows = {a.record_id: a for a in session.scalars(select(Assessment))}
        assert rows["PMID:19682544"].study == rows["NCT00833820"].study == "NCT00833820"
        assert json.loads(rows["PMID:19682544"].signals)["inferred"] == ["NCT00833820"]


def test_evidence_while_a_sync_holds_the_writer_lock_prints_the_ledger_as_last_judged(
    tmp_path, cases
):
    from typer.testing import CliRunner

    import tracker.cli.main  # noqa: F401  (registers the commands)
    from tracker.cli.app import app
    from tracker.schedule.lock import WRITER, WriterLock, holding
    from tracker.store.db import open_database

    url = f"sqlite:///{tmp_path / 'locked.db'}"
    engine = open_database(url)
    store_cases(engine, cases, now=T0)
    config = tmp_path / "config.toml"
    config.write_text(
        DEFAULT_CONFIG.read_text().replace('url = "sqlite:///tracker.db"', f'url = "{url}"')
    )
    with holding(WriterLock(engine, WRITER, command="tracker sync"), wait=False):
        result = CliRunner().invoke(app, ["--config", str(config), "evidence", "--format", "json"])
    engine.dispose()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["items"] == []  # nothing judged yet: no sync finished
    assert "as last judged" in result.stderr


def _judgements(engine):
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                col(Assessment.record_id),
                col(Assessment.study),
                col(Assessment.relevant),
                col(Assessment.role),
                col(Assessment.exclusion),
                col(Assessment.verdict),
                col(Assessment.rule),
                col(Assessment.reason),
            )
        ).all()
        links = conn.execute(
            select(col(Link.article_id), col(Link.trial_id)).where(
                col(Link.provenance) == "inferred"
            )
        ).all()
    # Sorted here: PostgreSQL's collation orders ids differently from SQLite's.
    return sorted(tuple(r) for r in rows), sorted(tuple(r) for r in links)


def test_a_large_run_judged_in_batches_equals_one_judged_at_once(engine, monkeypatch, tmp_path):
    """Batches keep memory bounded on a first run over many records; they must never split a
    study (links, errata, inferred matches and duplicates all join records), so the stored
    judgements, change events and inferred links equal those of judging everything at once."""
    from tracker.store.db import open_database

    cases = load_cases()
    store_cases(engine, cases, now=T0)
    whole = open_database(f"sqlite:///{tmp_path / 'whole.db'}")
    try:
        store_cases(whole, cases, now=T0)
        at_once = run(whole)
        expected = _judgements(whole)
    finally:
        whole.dispose()
    monkeypatch.setattr(plan_module, "BATCH", 4)
    batched = run(engine)
    assert sorted(batched) == sorted(at_once)
    assert _judgements(engine) == expected
    assert any(study != rid for rid, study, *_ in expected[0])  # some studies join records
    assert expected[1], "the set's inferred match must be found in batches too"
