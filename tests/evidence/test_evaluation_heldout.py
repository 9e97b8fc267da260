"""Checks of the held-out evaluation set (tests/evaluation_heldout) that the main set does not
share; the structural checks run on both sets in tests/evidence/test_evaluation_set.py.

Deliberately no accuracy floor here beyond the engine's promises (see
tests/evidence/test_evidence_accuracy.py): the set measures the engine honestly and must
never be tuned to (see tests/evaluation_heldout/README.md)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from tests.evaluation import HELDOUT, UNSEEN, load_cases, load_labels, store_cases
from tracker.store.articles import ARTICLES, LINKS
from tracker.store.trials import TRIALS

CASES = load_cases(HELDOUT)
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def test_the_heldout_set_is_disjoint_from_the_main_set() -> None:
    """Held out means held out: no record of the tuning set is measured again here."""
    main = {label.id for label in load_labels()}
    assert main & {label.id for label in load_labels(HELDOUT / "labels.toml")} == set()


def test_the_unseen_set_is_disjoint_from_the_main_and_heldout_sets() -> None:
    """The unseen set (tests/evaluation_unseen) repeats no record of the two earlier sets."""
    earlier = {label.id for label in load_labels()} | {
        label.id for label in load_labels(HELDOUT / "labels.toml")
    }
    assert earlier & {label.id for label in load_labels(UNSEEN / "labels.toml")} == set()


def test_store_cases_stores_every_record(engine: Engine) -> None:
    store_cases(engine, CASES, now=NOW)
    trials = {c.id for c in CASES if c.source == "ctgov"}
    articles = {c.id for c in CASES if c.source != "ctgov"}
    with engine.connect() as conn:
        assert set(conn.scalars(select(TRIALS.c.nct_id))) == trials
        assert set(conn.scalars(select(ARTICLES.c.id))) == articles
        links = conn.scalar(select(func.count()).select_from(LINKS))
    store_cases(engine, CASES, now=NOW)  # twice adds nothing
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(TRIALS)) == len(trials)
        assert conn.scalar(select(func.count()).select_from(ARTICLES)) == len(articles)
        assert conn.scalar(select(func.count()).select_from(LINKS)) == links


def test_store_cases_stores_every_unseen_record(engine: Engine) -> None:
    """The unseen set stores through the sync's own save path too (tests/evaluation_unseen)."""
    cases = load_cases(UNSEEN)
    store_cases(engine, cases, now=NOW)
    trials = {c.id for c in cases if c.source == "ctgov"}
    articles = {c.id for c in cases if c.source != "ctgov"}
    with engine.connect() as conn:
        assert set(conn.scalars(select(TRIALS.c.nct_id))) == trials
        assert set(conn.scalars(select(ARTICLES.c.id))) == articles
