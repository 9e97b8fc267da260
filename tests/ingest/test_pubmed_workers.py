"""Parsing large efetch bodies in worker processes: the split at record boundaries, raw
bytes cut from the wire, the same records as a parse in one process, and the fallback to
the main process (with the parser's own error) when a worker fails."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.ingest import pubmed_workers
from tracker.ingest.pubmed import _chunks
from tracker.ingest.pubmed_workers import ParsePool, prepare, split_body
from tracker.simulator import make_bulk_articles
from tracker.sources import pubmed
from tracker.sources.pubmed_parse import PubmedParseError, iter_records, record_spans

PROLOGUE = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle,'
    b' 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    b"<PubmedArticleSet>\n"
)
CLOSING = b"</PubmedArticleSet>\n"


def body_of(records: list[bytes], between: bytes = b"\n") -> bytes:
    return PROLOGUE + between.join(records) + b"\n" + CLOSING


@pytest.fixture(scope="module")
def records() -> list[bytes]:
    return [a.xml for a in make_bulk_articles(23, size_kb=1)]


def test_raw_is_each_record_exactly_as_sent(records):
    # Single-quoted attributes: lxml would re-serialise them with double quotes.
    quoted = [r.replace(b'<PMID Version="1">', b"<PMID Version='1'>") for r in records]
    assert quoted != records
    pairs = list(iter_records(body_of(quoted)))
    assert [raw for _, raw in pairs] == quoted


def test_a_span_that_is_not_its_record_is_not_trusted(records):
    # A comment that looks like a record shifts the byte scan; the parser skips comments.
    body = body_of(records[:3], between=b"\n<!-- <PubmedArticle>x</PubmedArticle> -->\n")
    assert len(record_spans(body)) == 5
    pairs = list(iter_records(body))
    assert [r.id for r, _ in pairs] == [r.id for r, _ in iter_records(body_of(records[:3]))]
    for record, raw in pairs:  # re-serialised where the span was wrong, never another record
        assert f">{record.pmid}</PMID>".encode() in raw and b"<!--" not in raw


def test_split_parts_hold_every_record_in_order(records):
    body = body_of(records)
    parts = split_body(body, 5)
    assert parts is not None and len(parts) == 5  # 23 records: 5, 5, 5, 5, 3
    from_parts = [pair for part in parts for pair in iter_records(part)]
    assert from_parts == list(iter_records(body))


@pytest.mark.parametrize(
    "between",
    [b"\n<!-- a note -->\n", b"\n<ERROR>Unable to obtain query #1</ERROR>\n", b"\ntext\n"],
)
def test_a_body_with_anything_between_records_is_not_split(records, between):
    assert split_body(body_of(records, between=between), 5) is None


def test_a_body_that_is_not_an_article_set_is_not_split(records):
    body = body_of(records).replace(b"PubmedArticleSet>", b"eFetchResult>")
    assert split_body(body, 5) is None


@pytest.fixture
def small_parts(monkeypatch):
    """Workers for any body, in parts of 5 records (the defaults want megabytes)."""
    monkeypatch.setattr(pubmed_workers, "MIN_PARALLEL_BYTES", 0)
    monkeypatch.setattr(pubmed_workers, "PART_RECORDS", 5)


def batch(body: bytes, ids: int) -> pubmed.Batch:
    window = pubmed.Window("edat", date(2024, 1, 1), date(2024, 12, 31))
    return pubmed.Batch(window, 1, body, ids, ids)


def test_workers_give_what_one_process_gives(records, small_parts):
    body = body_of(records)
    with ParsePool(2) as pool:
        parts = pool.submit(body)
        assert parts is not None
        prepared = [item for part in parts for item in part]
        again = pool.submit(body)  # the pool serves batch after batch
        assert again is not None and [i for p in again for i in p] == prepared
    assert prepared == prepare(body)
    stored = [a for chunk in _chunks(batch(body, len(records)), iter([prepared])) for a in chunk]
    assert [a.id for a in stored] == [r.id for r, _ in iter_records(body)]
    assert all(a.record is None and a.data and a.packed and a.summary for a in stored)


def test_a_failing_worker_leaves_the_body_to_the_main_process(records, small_parts):
    """A record that is not well-formed XML: the split still finds it (the byte scan only
    looks at tags), the worker parsing that part fails, and the main process parses the
    body itself: record by record once the parser fails, so only the bad record is skipped."""
    broken = records[7].replace(b"</ArticleTitle>", b" a & b</ArticleTitle>", 1)
    body = body_of([*records[:7], broken, *records[8:]])
    with pytest.raises(PubmedParseError) as serial:
        list(iter_records(body))
    assert serial.value.line
    with ParsePool(2) as pool:
        parts = pool.submit(body)
        assert parts is not None
        kept = [a.id for chunk in _chunks(batch(body, len(records)), parts) for a in chunk]
    expected = [record.id for record, _ in iter_records(body_of([*records[:7], *records[8:]]))]
    assert kept == expected and len(kept) == len(records) - 1


def test_small_bodies_and_single_cores_stay_in_the_main_process(records):
    assert ParsePool(2).submit(body_of(records)) is None  # far below MIN_PARALLEL_BYTES
    big = body_of(records).replace(CLOSING, b" " * pubmed_workers.MIN_PARALLEL_BYTES + CLOSING)
    assert ParsePool(1).submit(big) is None
