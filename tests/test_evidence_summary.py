"""ledger_summary on both backends: per-study counts with overrides, participants, standing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.evidence.summary import ledger_summary, standing_sentence
from tracker.store.db import session_scope
from tracker.store.models import Assessment, Override

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
    assert summary.standing == (
        "1 independent confirmation; 2 follow-ups against it (n = 90); "
        "2 follow-ups pending (n = 112); earlier studies and reviews: 1 against."
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
    assert summary.standing == "No independent confirmation yet."


@pytest.mark.parametrize(
    ("counts", "participants", "expected"),
    [
        (
            {"pending": 3},
            {"pending": 212},
            "No independent confirmation yet; 3 follow-ups pending (n = 212).",
        ),
        (
            {"confirms": 2, "inconclusive": 1},
            {"confirms": 90},
            "2 independent confirmations (n = 90); 1 inconclusive.",
        ),
        ({"refutes": 1}, {}, "No independent confirmation yet; 1 follow-up against it."),
    ],
)
def test_standing_sentence(counts, participants, expected):
    assert standing_sentence(counts, participants) == expected
