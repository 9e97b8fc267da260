"""ledger_summary on both backends: per-study counts with overrides, participants, the
standing's state and sentence read from stored rows (retractions, signals, review abstracts)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import msgspec

from tracker.evidence.summary import ledger_summary
from tracker.records.article import AbstractSection, ArticleData
from tracker.store.db import session_scope
from tracker.store.models import Article, Assessment, Override

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def assessment(
    record_id: str, study: str, verdict: str, *, relevant=True, n=None, role="follow_up"
):
    return Assessment(
        record_id=record_id,
        source="ctgov" if record_id.startswith("NCT") else "pubmed",
        study=study,
        relevant=relevant,
        role=role if relevant else "excluded",
        verdict=verdict,
        rule="test",
        reason="test",
        participants=n,
        assessed_at=T0,
        changed_at=T0,
    )


def test_counts_studies_not_records_and_applies_overrides(engine):
    with session_scope(engine) as session:
        session.add_all(
            [
                assessment("NCT00000001", "NCT00000001", "not_applicable", n=40, role="index"),
                assessment("PMID:1", "NCT00000001", "not_applicable", n=40, role="index"),
                assessment("NCT00000002", "NCT00000002", "pending", n=100),
                assessment("NCT00000003", "NCT00000003", "pending", n=12),
                assessment("PMID:2", "NCT00000004", "refutes", n=30),
                assessment("NCT00000004", "NCT00000004", "refutes", n=28),
                assessment("PMID:3", "PMID:3", "inconclusive"),
                assessment("PMID:4", "PMID:4", "refutes", n=20, role="prior"),
                assessment("PMID:9", "PMID:9", "not_applicable", relevant=False),
                # one override cleared, one active: the active one decides the study
                assessment("NCT00000005", "NCT00000005", "pending", n=60),
            ]
        )
        session.add_all(
            [
                Override(record_id="NCT00000005", verdict="refutes", note="x", at=T0),
                Override(
                    record_id="NCT00000005",
                    verdict="confirms",
                    note="y",
                    at=T0 + timedelta(days=1),
                    cleared_at=T0 + timedelta(days=2),
                ),
                Override(record_id="PMID:3", verdict="confirms", note="z", at=T0),
            ]
        )
    with session_scope(engine) as session:
        summary = ledger_summary(session)
    assert summary.counts == {
        "confirms": 1,
        "refutes": 3,
        "inconclusive": 0,
        "pending": 2,
        "not_applicable": 1,
    }
    assert summary.studies == 7
    assert summary.participants["pending"] == 112
    assert summary.participants["refutes"] == 30 + 60 + 20  # a study's largest size, once
    # The human "confirms" (no design known: weak) against two weak refutations: contested.
    assert summary.state == "contested"
    assert summary.standing == (
        "Contested: 1 controlled follow-up found a benefit, 2 found none (n = 90); "
        "2 pending (n = 112); earlier studies: 1 against."
    )


def test_empty_ledger(engine):
    with session_scope(engine) as session:
        summary = ledger_summary(session)
    assert summary.studies == 0
    assert set(summary.counts) == {
        "confirms",
        "refutes",
        "inconclusive",
        "pending",
        "not_applicable",
    }
    assert summary.state == "untested"
    assert summary.standing == "Untested: no follow-up yet."


def _row(
    record_id, study, verdict, *, strength=None, n=None, role="follow_up", rule="test", **signals
):
    row = assessment(record_id, study, verdict, n=n, role=role)
    row.strength = strength
    row.rule = rule
    row.signals = json.dumps(signals)
    return row


def _article(record_id, *, retracted=False, abstract=""):
    data = ArticleData(
        id=record_id,
        abstract=[AbstractSection(label=None, category=None, text=abstract)] if abstract else [],
    )
    return Article(
        id=record_id,
        retracted=retracted,
        content_hash="h",
        first_seen_at=T0,
        last_seen_at=T0,
        last_changed_at=T0,
        data=msgspec.json.encode(data).decode(),
        raw=b"",
    )


def test_standing_reads_design_retractions_and_reviews(engine):
    rct = {"randomised": True, "sham": True, "blinded": True, "controlled": True, "n": 200}
    with session_scope(engine) as session:
        session.add_all(
            [
                _row("NCT00000001", "NCT00000001", "not_applicable", n=40, role="index"),
                # A strong refutation, and a weak one whose strength only its design tells.
                _row("NCT00000002", "NCT00000002", "refutes", strength="strong", n=200),
                _row("PMID:31", "PMID:31", "refutes", n=50, design={"randomised": True, "n": 50}),
                # A confirmation read from a retracted paper: never counted.
                _row(
                    "PMID:30",
                    "PMID:30",
                    "confirms",
                    strength="moderate",
                    n=80,
                    design=rct,
                    rule="paper.claim_benefit",
                ),
                # A trial whose own registry reading decided: a retracted paper of it is moot.
                _row("NCT00000003", "NCT00000003", "pending", n=30, rule="registry.pending_status"),
                _row("PMID:33", "NCT00000003", "pending", n=30, rule="registry.pending_status"),
                # The rules call it a benefit, but the study says it had no control group.
                _row(
                    "PMID:32",
                    "PMID:32",
                    "confirms",
                    strength="weak",
                    n=9,
                    design={"uncontrolled": True, "n": 9},
                ),
                _row(
                    "PMID:40",
                    "PMID:40",
                    "inconclusive",
                    n=900,
                    role="review",
                    review="meta-analysis",
                ),
            ]
        )
        session.add_all(
            [
                _article("PMID:30", retracted=True),
                _article("PMID:31"),
                _article("PMID:32"),
                _article("PMID:33", retracted=True),
                _article("PMID:40", abstract="We included 6 randomised controlled trials."),
            ]
        )
    with session_scope(engine) as session:
        summary = ledger_summary(session)
    assert summary.state == "not_supported"
    assert summary.standing == (
        "Not supported: 2 controlled follow-ups found no benefit (n = 250); 1 uncontrolled "
        "follow-up found a benefit (n = 9); 1 pending (n = 30); a meta-analysis of 6 trials "
        "found the evidence inconclusive; 1 retracted study not counted."
    )
    assert summary.counts["confirms"] == 1  # the retracted study is left out of the counts too
    assert summary.basis.refutes.participants == 250  # the review's 900 are not added
