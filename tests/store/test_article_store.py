"""Articles versioned like trials, on both backends; links stored once per provenance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy import func, select

from tests.rows import stored
from tracker.records.article import ArticleData, CommentCorrection, PublicationType
from tracker.store.articles import FetchedArticle, save_articles, save_links
from tracker.store.db import session_scope
from tracker.store.models import Article, ArticleVersion, ChangeEvent, Link

T0 = datetime(2026, 2, 1, 6, 30, tzinfo=UTC)


def fetched(**overrides) -> FetchedArticle:
    record = ArticleData(
        **({"id": "PMID:38962538", "pmid": "38962538", "title": "tSMS"} | overrides)
    )
    return FetchedArticle(
        id=record.id,
        raw=b"<PubmedArticle>" + msgspec.json.encode(record) + b"</PubmedArticle>",
        record=record,
    )


def save(engine, *items, source="pubmed", at=T0):
    with session_scope(engine) as session:
        return save_articles(
            session.connection(), list(items), source=source, seen_at=at, run_id=None
        )


def test_article_first_seen_then_retracted_makes_a_version_and_events(engine):
    outcome = save(engine, fetched(doi="10.1016/J.LANEPE.2024.101019"))
    assert (outcome.new_records, outcome.new_versions) == (1, 1)
    retracted = fetched(
        doi="10.1016/J.LANEPE.2024.101019",
        publication_types=[PublicationType(ui="D016441", name="Retracted Publication")],
        comments_corrections=[
            CommentCorrection(ref_type="RetractionIn", pmid="39999999", source=None)
        ],
    )
    outcome = save(engine, retracted, at=T0 + timedelta(days=3))
    assert (outcome.new_versions, outcome.events) == (1, 2)
    with session_scope(engine) as session:
        article = stored(session, Article, "PMID:38962538")
        assert (article.retracted, article.in_pubmed, article.in_europepmc) == (True, True, False)
        assert article.doi == "10.1016/j.lanepe.2024.101019"  # DOIs compare lower-cased
        assert article.version == 2
        fields = sorted(e.field for e in session.scalars(select(ChangeEvent)))
        assert fields == ["corrections", "retraction"]
        assert session.scalar(select(func.count()).select_from(ArticleVersion)) == 2


def test_a_second_source_marks_the_same_record(engine):
    save(engine, fetched())
    outcome = save(engine, fetched(), source="europepmc")
    assert outcome.unchanged == 1
    with session_scope(engine) as session:
        article = stored(session, Article, "PMID:38962538")
        assert (article.in_pubmed, article.in_europepmc) == (True, True)


def test_links_are_stored_once_per_provenance(engine):
    links = [
        ("PMID:38962538", "NCT04393467", "databank"),
        ("PMID:38962538", "NCT04393467", "abstract"),
    ]
    with session_scope(engine) as session:
        assert save_links(session.connection(), links, seen_at=T0) == 2
    with session_scope(engine) as session:
        again = [*links, ("PMID:38962538", "NCT04393467", "ctgov_reference")]
        assert save_links(session.connection(), again, seen_at=T0) == 1
        assert session.scalar(select(func.count()).select_from(Link)) == 3
