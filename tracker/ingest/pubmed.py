"""Sync PubMed: the configured query through esearch/efetch, one transaction per batch.

A first (or --full) sync asks for every Entrez date. Later syncs ask twice from the
watermark minus an overlap: by Entrez date for new records (indexed late, hence the
overlap), and by modification date for revised ones, which is how a retraction, an
erratum or a new DataBank link reaches an already stored paper.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
from sqlalchemy import Engine

from tracker.config import Config
from tracker.errors import SourceError
from tracker.http import HttpStats
from tracker.ids import Source
from tracker.ingest.article_signals import save_article_signals
from tracker.ingest.chase import Spent
from tracker.ingest.prefetch import prefetched
from tracker.ingest.pubmed_chase import chase_pubmed
from tracker.ingest.pubmed_workers import ParsePool, Prepared, WorkerFailed
from tracker.ingest.runs import (
    Progress,
    ProgressFn,
    SyncOutcome,
    fingerprint,
    record_page,
    run_to_end,
    start_run,
    utcnow,
)
from tracker.sources import pubmed
from tracker.sources.pubmed_parse import (
    PubmedParseError,
    iter_records,
    record_spans,
    salvage_records,
)
from tracker.store.articles import FetchedArticle, save_articles, save_links
from tracker.store.db import session_scope
from tracker.store.readings import SignalReader
from tracker.store.versioning import PageOutcome

log = logging.getLogger("tracker.pubmed")

STORE_CHUNK = 500
"""Articles decoded and written at a time inside a batch's transaction."""


def windows(since: date | None, today: date) -> list[pubmed.Window]:
    """What to ask for: everything, or what was added or revised since `since`."""
    end = today + timedelta(days=1)  # NCBI dates are US Eastern; a day's slack loses nothing
    if since is None:
        return [pubmed.Window("edat", pubmed.EARLIEST, end)]
    return [pubmed.Window("edat", since, end), pubmed.Window("mdat", since, end)]


def sync_pubmed(
    engine: Engine,
    cfg: Config,
    client: httpx.Client,
    stats: HttpStats,
    *,
    today: date,
    full: bool = False,
    progress: ProgressFn | None = None,
    reader: SignalReader | None = None,
    spent: Spent | None = None,
) -> SyncOutcome:
    """Fetch the configured PubMed query and store it, then chase citations (see
    tracker.ingest.chase; `spent` carries what this command's chase has done); raises
    SourceError after storing whatever arrived before a failure. `reader` reads the evidence
    signals of the new and changed records, where they are parsed (the parse workers or this
    process), and they are stored with them."""
    qhash = fingerprint({Source.PUBMED: cfg.pubmed.query})
    outcome, watermark = start_run(
        engine, pubmed.SOURCE, qhash, full=full, overlap_days=cfg.pubmed.overlap_days
    )
    common = _common(cfg)
    spent = spent if spent is not None else Spent()

    def work() -> str | None:
        mark = watermark
        for window in windows(outcome.since, today):
            batches = pubmed.fetch_batches(client, cfg.pubmed, window, common)
            with ParsePool(reader=reader) as pool:
                mark = _sync_window(engine, batches, outcome, mark, progress, pool)
        chase_and_store(engine, cfg, client, outcome, reader, today=today, full=full, spent=spent)
        return mark

    return run_to_end(engine, outcome, stats, work)


def chase_and_store(
    engine: Engine,
    cfg: Config,
    client: httpx.Client,
    outcome: SyncOutcome,
    reader: SignalReader | None,
    *,
    today: date,
    full: bool,
    spent: Spent,
) -> None:
    """Ask who cites the relevant papers and store the citing records in `outcome`'s run:
    the sync's own chase, and the chase after the judging (tracker.ingest.every)."""

    # ids=0: PubMed may not return a PMID elink lists (withdrawn, merged); the chase counts
    # what came back instead of failing the run on every sync.
    def store(body: bytes, where: str) -> int:
        return _store_batch(engine, _read_body(body, where, 0), outcome, reader)[0]

    common = _common(cfg)
    chase_pubmed(
        engine, client, cfg, common, outcome, today=today, full=full, store=store, spent=spent
    )


def _common(cfg: Config) -> dict[str, str]:
    return pubmed.base_params(
        cfg.pubmed, contact=cfg.operator.contact, api_key=os.environ.get("NCBI_API_KEY")
    )


def _sync_window(
    engine: Engine,
    batches: Iterator[pubmed.Batch],
    outcome: SyncOutcome,
    watermark: str | None,
    progress: ProgressFn | None,
    pool: ParsePool,
) -> str | None:
    counted: set[pubmed.Window] = set()
    fetched = 0
    for batch, chunks in _parsed(prefetched(batches), pool):
        if batch.window not in counted:
            counted.add(batch.window)
            outcome.expected += batch.count
        stored, newest = _store_batch(engine, chunks, outcome, pool.reader)
        fetched += stored
        watermark = max(watermark or "", newest or "") or None
        if progress:
            progress(Progress(pubmed.SOURCE, str(batch.window), fetched, outcome.expected))
    return watermark


Chunks = Iterator[list[FetchedArticle]]
"""One efetch answer's articles, a chunk at a time (parsed or decoded as they are stored)."""


def _parsed(
    batches: Iterator[pubmed.Batch], pool: ParsePool
) -> Iterator[tuple[pubmed.Batch, Chunks]]:
    """Each batch with its articles, the next batch already parsing on the workers while
    this one is stored. A fetch failure is raised only after the batch before it is
    yielded, so everything fetched before a fault is still stored."""
    pending: tuple[pubmed.Batch, Iterator[list[Prepared]] | None] | None = None
    while True:
        try:
            batch = next(batches, None)
        except BaseException:
            if pending is not None:
                yield pending[0], _chunks(*pending)
            raise
        if batch is None:
            break
        started = (batch, pool.submit(batch.body))
        if pending is not None:
            yield pending[0], _chunks(*pending)
        pending = started
        del batch, started
    if pending is not None:
        yield pending[0], _chunks(*pending)


def _chunks(batch: pubmed.Batch, parts: Iterator[list[Prepared]] | None) -> Chunks:
    """The batch's articles a chunk at a time: from the workers, part by part as they
    finish, or parsed here (also where a worker failed, from the first record not yet
    taken, so a malformed body fails here with the parser's own message)."""
    where = f"efetch {batch.window} #{batch.number}"
    taken = 0
    if parts is not None:
        try:
            for part in parts:
                for start in range(0, len(part), STORE_CHUNK):
                    chunk = part[start : start + STORE_CHUNK]
                    yield [
                        FetchedArticle(
                            id=rid,
                            raw=b"",
                            record=None,
                            packed=packed,
                            data=data,
                            summary=summary,
                            signals=signals,
                        )
                        for rid, data, packed, summary, signals in chunk
                    ]
                    taken += len(chunk)
                del part
        except WorkerFailed as exc:
            log.info("pubmed: %s: a parse worker failed (%s); parsing here", where, exc)
        else:
            _check_count(taken, batch.ids_in_batch, where)
            return
    yield from _read_body(batch.body, where, batch.ids_in_batch, skip=taken)


def _read_body(body: bytes, where: str, ids: int, *, skip: int = 0) -> Chunks:
    """Parse one efetch answer in chunks, leaving out its first `skip` records (already
    taken); a broken or short answer is a SourceError, raised inside the batch's
    transaction so none of it is kept."""
    chunk: list[FetchedArticle] = []
    count = 0
    try:
        for record, raw in iter_records(body):
            count += 1
            if count <= skip:
                continue
            chunk.append(FetchedArticle(id=record.id, raw=raw, record=record))
            if len(chunk) == STORE_CHUNK:
                yield chunk
                chunk = []
    except PubmedParseError as exc:
        if exc.line is None or len(record_spans(body)) < ids:
            # An ERROR, or a body cut short: no salvage can make it whole.
            raise SourceError(pubmed.SOURCE, f"{where}: {exc}") from exc
        # Malformed XML in a body that holds every record: parse the rest record by record,
        # so one bad record is skipped (and named) instead of failing its batch every run.
        for salvaged, raw_or_reason in salvage_records(body, count):
            count += 1
            if count <= skip:
                continue
            if salvaged is None:
                log.warning("pubmed: %s: skipped %s", where, raw_or_reason)
                continue
            assert isinstance(raw_or_reason, bytes)
            chunk.append(FetchedArticle(id=salvaged.id, raw=raw_or_reason, record=salvaged))
    _check_count(count, ids, where)
    if chunk:
        yield chunk


def _check_count(received: int, ids: int, where: str) -> None:
    if received < ids:
        raise SourceError(
            pubmed.SOURCE, f"{where}: {received} records for {ids} ids (a short answer)"
        )


def _store_batch(
    engine: Engine, chunks: Chunks, outcome: SyncOutcome, reader: SignalReader | None
) -> tuple[int, str | None]:
    """One transaction: the batch's articles, their evidence signals (read with `reader`
    where no parse worker read them), their trial links and the run's counters, written a
    chunk at a time (a batch of 5,000 parsed records held at once would cost
    tens of MB).

    Returns how many articles it stored and the newest Entrez date among them."""
    total = PageOutcome()
    stored, newest = 0, ""
    with session_scope(engine) as session:
        seen_at, conn = utcnow(), session.connection()
        for articles in chunks:
            result = save_articles(
                conn, articles, source=pubmed.SOURCE, seen_at=seen_at, run_id=outcome.run_id
            )
            total.add(result)
            save_article_signals(conn, articles, result, source=Source.PUBMED, reader=reader)
            summaries = [s for a in articles if (s := a.summarised())]
            save_links(conn, [link for s in summaries for link in s.links], seen_at=seen_at)
            stored += len(articles)
            newest = max(newest, *(s.entrez_date or "" for s in summaries), "")
        record_page(session, outcome, total, fetched=stored)
    return stored, newest or None
