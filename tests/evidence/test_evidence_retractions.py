"""Retractions and notices are evidence events: a retracted paper keeps its row, marked, and
leaves every count (its study is judged without it); an expression of concern is shown and
still counted."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.evidence.test_evidence_rules import judge, paper
from tracker.evidence.summary import ledger_summary
from tracker.records.article import CommentCorrection
from tracker.records.article import PublicationType as PT
from tracker.store.db import session_scope
from tracker.store.models import Assessment

POSITIVE = [
    ("BACKGROUND", "ALS progresses quickly."),
    ("METHODS", "Forty patients with ALS were randomised to real or sham rTMS sessions."),
    ("RESULTS", "Survival was significantly longer with real rTMS (p = 0.01)."),
]
NULL = [
    ("BACKGROUND", "ALS progresses quickly."),
    (
        "METHODS",
        "Sixty patients with ALS were randomised to real or sham rTMS sessions; "
        "the primary outcome was survival.",
    ),
    ("RESULTS", "Survival did not differ between groups (p = 0.64)."),
]


def test_a_retracted_paper_keeps_its_row_and_its_study_is_judged_without_it():
    retracted = paper(
        pid="PMID:2",
        title="Real rTMS prolongs survival in ALS: a randomised sham-controlled trial",
        abstract=POSITIVE,
        publication_types=[PT(ui=None, name="Retracted Publication")],
        comments_corrections=[CommentCorrection(ref_type="RetractionIn", pmid="9", source=None)],
    )
    report = paper(pid="PMID:3", title="A second report of the same rTMS trial", abstract=NULL)
    judged = judge(retracted, report, links=[])
    j = judged["PMID:2"]
    assert j.relevance.relevant and j.role.role != "excluded"  # kept, marked
    assert (j.verdict.verdict, j.verdict.rule) == ("not_applicable", "paper.retracted")
    assert j.verdict.evidence == ["retraction: PMID:9"] and "Retracted" in j.verdict.reason
    # alone, the positive paper would have confirmed
    alone = judge(paper(pid="PMID:2", title=retracted.title, abstract=POSITIVE))["PMID:2"]
    assert alone.verdict.verdict == "confirms"


def test_retracted_in_a_study_leaves_the_decision_to_the_others():
    from tests.evidence.test_evidence_rules import trial

    t = trial()
    retracted = paper(
        pid="PMID:2",
        abstract=POSITIVE,
        publication_types=[PT(ui=None, name="Retracted Publication")],
    )
    judged = judge(t, retracted, links=[("PMID:2", "NCT09000001")])
    assert judged["PMID:2"].study == judged["NCT09000001"].study
    assert judged["NCT09000001"].verdict.verdict == "pending"  # the registry, not the paper
    assert judged["PMID:2"].verdict.rule == "paper.retracted"


def test_an_expression_of_concern_is_shown_and_still_counted():
    p = paper(
        abstract=POSITIVE,
        comments_corrections=[
            CommentCorrection(ref_type="ExpressionOfConcernIn", pmid="7", source=None)
        ],
    )
    v = judge(p)["PMID:1"].verdict
    assert v.verdict == "confirms"
    assert "expression of concern" in v.reason and "expression of concern: PMID:7" in v.evidence


T0 = datetime(2026, 11, 1, tzinfo=UTC)


def row(rid, study, verdict, rule, n):
    return Assessment(
        record_id=rid,
        source="pubmed",
        study=study,
        relevant=True,
        role="follow_up",
        verdict=verdict,
        rule=rule,
        reason="r",
        participants=n,
        assessed_at=T0,
        changed_at=T0,
    )


def test_a_retracted_paper_leaves_every_count_and_the_standing(engine):
    with session_scope(engine) as session:
        session.add_all(
            [
                row("PMID:2", "PMID:2", "not_applicable", "paper.retracted", 40),
                row("PMID:3", "PMID:3", "refutes", "paper.primary_no_benefit", 60),
            ]
        )
    with session_scope(engine) as session:
        s = ledger_summary(session)
    assert s.studies == 1 and s.counts["not_applicable"] == 0 and s.counts["refutes"] == 1
    assert "40" not in s.standing
