"""One PubMed record libxml2 rejects (an invalid XML character) is skipped and named; the
rest of its batch is kept, so the batch does not fail on every run."""

from __future__ import annotations

import logging

import pytest

from tests import paths
from tracker.errors import SourceError
from tracker.ingest.pubmed import _read_body

BODY = (paths.FIXTURES / "pubmed" / "medline_date.xml").read_bytes()


def test_a_record_with_an_invalid_xml_character_is_skipped_and_named(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad = BODY.replace(b"<ArticleTitle>A seasonal issue.", b"<ArticleTitle>A seasonal\x01 issue.")
    assert bad != BODY
    with caplog.at_level(logging.WARNING, logger="tracker.pubmed"):
        chunks = list(_read_body(bad, "efetch #1", 2))
    kept = [article.id for chunk in chunks for article in chunk]
    assert kept == ["PMID:10300031"]
    assert [article.raw for chunk in chunks for article in chunk][0].startswith(b"<PubmedArticle>")
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 1 and "PMID 10300032" in skipped[0]


def test_a_body_that_is_not_xml_at_all_still_fails_the_batch() -> None:
    with pytest.raises(SourceError, match="efetch #1"):
        list(_read_body(b"<html>maintenance", "efetch #1", 2))
