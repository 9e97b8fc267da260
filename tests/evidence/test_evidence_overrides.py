"""The one rule for human verdicts (tracker.evidence.overrides), on both backends: the newest
active human verdict on any record of a study is the study's, everywhere it is read (the
ledger, its counts, the export, `show`'s explanation, the engine's change events); judging a
record again closes its previous human verdict and keeps it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from tests.evaluation import load_cases, store_cases
from tests.rows import stored
from tracker.config import DEFAULT_CONFIG, load_config
from tracker.evidence.overrides import (
    active_overrides,
    effective_verdict,
    judge,
    override_for,
    study_overrides,
)
from tracker.evidence.reassess import reassess
from tracker.evidence.summary import ledger_summary
from tracker.export.rows import export_rows
from tracker.reports.ledger import build_ledger
from tracker.store.db import session_scope
from tracker.store.models import Assessment, Override

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
CONFIG = load_config(DEFAULT_CONFIG, env={})
TRIAL = "NCT06834269"  # a registered tSMS follow-up, pending
PAPER = "PMID:40099804"  # an rTMS trial report


def o(record_id: str, verdict: str, at: datetime, *, oid: int, cleared: bool = False) -> Override:
    return Override(
        id=oid,
        record_id=record_id,
        verdict=verdict,
        note="n",
        at=at,
        cleared_at=at + timedelta(hours=1) if cleared else None,
    )


def test_the_newest_active_override_on_any_record_of_a_study_wins():
    rows = [
        o("A", "confirms", T0, oid=1),
        o("B", "refutes", T0 + timedelta(hours=2), oid=2),
        o("C", "pending", T0 + timedelta(hours=3), oid=3, cleared=True),  # cleared: ignored
        o("D", "inconclusive", T0, oid=5),
        o("E", "confirms", T0, oid=4),  # same time as D, older row: D wins
    ]
    study_of = {"A": "S1", "B": "S1", "C": "S1", "D": "S2", "E": "S2"}
    won = {study: x.id for study, x in study_overrides(rows, study_of).items()}
    assert won == {"S1": 2, "S2": 5}
    # a record no study names is its own study
    assert {s: x.id for s, x in study_overrides(rows, {}).items()} == {
        "A": 1,
        "B": 2,
        "D": 5,
        "E": 4,
    }


def test_an_excluded_record_linked_into_a_study_keeps_its_own_verdict():
    overrides = {"S": o("A", "confirms", T0, oid=1)}
    linked = override_for(overrides, record_id="B", study="S", relevant=True)
    assert linked is not None and linked.id == 1
    assert override_for(overrides, record_id="X", study="S", relevant=False) is None
    own = override_for(overrides, record_id="A", study="S", relevant=False)
    assert own is not None and own.id == 1


@pytest.fixture
def one_study(engine):
    cases = [c for c in load_cases() if c.id in (TRIAL, PAPER)]
    if len(cases) != 2:
        pytest.skip("evaluation records not present")
    store_cases(engine, cases, now=T0)
    with session_scope(engine) as session:
        reassess(session, CONFIG, TODAY, now=T0)
        # Put both records in one study, as a stored link would.
        for rid in (TRIAL, PAPER):
            stored(session, Assessment, rid).study = TRIAL
    return engine


def verdicts_everywhere(session) -> dict[str, set[str]]:
    """The effective verdict of each record as every reader of the rule sees it."""
    ledger = {i.id: i.verdict for i in build_ledger(session, CONFIG.claim).items}
    exported = {r.id: r.verdict for r in export_rows(session, relevant_only=False)}
    return {
        rid: {ledger[rid], exported[rid] or "", effective_verdict(session, rid) or ""}
        for rid in (TRIAL, PAPER)
    }


def test_every_reader_agrees_and_judging_again_supersedes(one_study):
    with session_scope(one_study) as session:
        judge(session, TRIAL, "refutes", "first look", by="ana", now=T0 + timedelta(hours=1))
        judge(session, PAPER, "confirms", "read the paper", by="bo", now=T0 + timedelta(hours=2))
    with session_scope(one_study) as session:
        # the paper's verdict is newer: the whole study takes it, in every reader
        assert verdicts_everywhere(session) == {TRIAL: {"confirms"}, PAPER: {"confirms"}}
        assert ledger_summary(session).counts["confirms"] == 1
        judge(session, TRIAL, "inconclusive", "second look", by="ana", now=T0 + timedelta(hours=3))
    with session_scope(one_study) as session:
        assert verdicts_everywhere(session) == {TRIAL: {"inconclusive"}, PAPER: {"inconclusive"}}
        rows = session.scalars(
            select(Override).where(col(Override.record_id) == TRIAL).order_by(col(Override.at))
        ).all()
        # the first human verdict on the trial is closed when it is judged again, and kept
        assert [(r.verdict, r.cleared_at is None) for r in rows] == [
            ("refutes", False),
            ("inconclusive", True),
        ]
        assert rows[0].cleared_at is not None
        assert rows[0].cleared_at.replace(tzinfo=UTC) == T0 + timedelta(hours=3)
        assert set(active_overrides(session)) == {TRIAL, PAPER}
        counts = ledger_summary(session).counts
        assert (counts["inconclusive"], counts["confirms"], counts["refutes"]) == (1, 0, 0)
