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
from sqlmodel import col, select

from tracker.article_store import FetchedArticle, save_articles, save_links
from tracker.citations import save_citations
from tracker.config import Config
from tracker.db import session_scope
from tracker.errors import SourceError
from tracker.http import HttpStats
from tracker.linking import article_links
from tracker.models import Article
from tracker.prefetch import prefetched
from tracker.runs import (
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
from tracker.sources.pubmed_links import cited_by, fetch_by_ids, resolve_pmid
from tracker.sources.pubmed_parse import PubmedParseError, iter_records
from tracker.versioning import PageOutcome

log = logging.getLogger("tracker.pubmed")


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
) -> SyncOutcome:
    """Fetch the configured PubMed query and store it; raises SourceError after storing
    whatever arrived before a failure."""
    qhash = fingerprint({"pubmed": cfg.pubmed.query})
    outcome, watermark = start_run(
        engine, pubmed.SOURCE, qhash, full=full, overlap_days=cfg.pubmed.overlap_days
    )
    common = pubmed.base_params(
        cfg.pubmed, contact=cfg.operator.contact, api_key=os.environ.get("NCBI_API_KEY")
    )

    def work() -> str | None:
        mark = watermark
        for window in windows(outcome.since, today):
            batches = pubmed.fetch_batches(client, cfg.pubmed, window, common)
            mark = _sync_window(engine, batches, outcome, mark, progress)
        _track_citations(engine, client, cfg, common, outcome)
        return mark

    return run_to_end(engine, outcome, stats, work)


def _sync_window(
    engine: Engine,
    batches: Iterator[pubmed.Batch],
    outcome: SyncOutcome,
    watermark: str | None,
    progress: ProgressFn | None,
) -> str | None:
    counted: set[pubmed.Window] = set()
    fetched = 0
    for batch in prefetched(batches):
        if batch.window not in counted:
            counted.add(batch.window)
            outcome.expected += batch.count
        articles = _read(batch)
        fetched += len(articles)
        newest = _store_batch(engine, articles, outcome)
        watermark = max(watermark or "", newest or "") or None
        if progress:
            progress(Progress(pubmed.SOURCE, str(batch.window), fetched, outcome.expected))
    return watermark


def _read(batch: pubmed.Batch) -> list[FetchedArticle]:
    return _read_body(batch.body, f"efetch {batch.window} #{batch.number}", batch.ids_in_batch)


def _read_body(body: bytes, where: str, ids: int) -> list[FetchedArticle]:
    """Parse one efetch answer; a broken or short answer is a SourceError."""
    try:
        articles = [
            FetchedArticle(id=record.id, raw=raw, record=record)
            for record, raw in iter_records(body)
        ]
    except PubmedParseError as exc:
        raise SourceError(pubmed.SOURCE, f"{where}: {exc}") from exc
    if len(articles) < ids:
        raise SourceError(
            pubmed.SOURCE, f"{where}: {len(articles)} records for {ids} ids (a short answer)"
        )
    return articles


def _track_citations(
    engine: Engine, client: httpx.Client, cfg: Config, common: dict[str, str], outcome: SyncOutcome
) -> None:
    """Fetch the papers PubMed lists as citing the index publication (and the index itself),
    store what is missing, and record the citations."""
    index = cfg.claim.index
    pmid = index.pmid or (
        resolve_pmid(client, cfg.pubmed, common, index.doi) if index.doi else None
    )
    if not pmid:
        log.info("pubmed: the index publication is not in PubMed (yet); no citations to track")
        return
    citing = cited_by(client, cfg.pubmed, common, pmid)
    wanted = [f"PMID:{p}" for p in (pmid, *citing)]
    with session_scope(engine) as session:
        stored = set(session.scalars(select(Article.id).where(col(Article.id).in_(wanted))))
    missing = [w.removeprefix("PMID:") for w in wanted if w not in stored]
    outcome.expected += len(missing)
    for body, ids in fetch_by_ids(client, cfg.pubmed, common, missing):
        _store_batch(engine, _read_body(body, f"efetch {ids} citing ids", ids), outcome)
    with session_scope(engine) as session:
        newly = save_citations(
            session.connection(),
            f"PMID:{pmid}",
            [f"PMID:{c}" for c in citing],
            source="pubmed_elink",
            seen_at=utcnow(),
            run_id=outcome.run_id,
        )
        outcome.events += len(newly)


def _store_batch(
    engine: Engine, articles: list[FetchedArticle], outcome: SyncOutcome
) -> str | None:
    """One transaction: the batch's articles, their trial links and the run's counters.

    Returns the newest Entrez date in the batch."""
    with session_scope(engine) as session:
        seen_at, conn = utcnow(), session.connection()
        result: PageOutcome = save_articles(
            conn, articles, source=pubmed.SOURCE, seen_at=seen_at, run_id=outcome.run_id
        )
        links = [link for a in articles if a.record for link in article_links(a.record)]
        save_links(conn, links, seen_at=seen_at)
        record_page(session, outcome, result, fetched=len(articles))
    dates = [a.record.entrez_date for a in articles if a.record and a.record.entrez_date]
    return max(dates) if dates else None
