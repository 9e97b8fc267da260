"""PubMed's part of the citation chase (see tracker.ingest.chase): elink `citedin` for the
papers due, then efetch of the citing papers not stored yet, through the same parser and
store as the query's, so they get versions and are judged like any other record."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

import httpx
from sqlalchemy import Engine

from tracker.config import Config
from tracker.ingest.chase import Spent, plan_chase, record_chase, stored_index_pmid
from tracker.ingest.runs import SyncOutcome
from tracker.sources.pubmed_links import cited_by_each, fetch_by_ids, resolve_pmid
from tracker.store.chases import stored_ids
from tracker.store.db import session_scope

log = logging.getLogger("tracker.pubmed")

VIA = "pubmed_elink"
"""The citations' source, as stored in citations.source and citation_chases.source."""

StoreFn = Callable[[bytes, str], int]
"""Stores one efetch body as the query's batches are; returns how many records it held."""


def chase_pubmed(
    engine: Engine,
    client: httpx.Client,
    cfg: Config,
    common: dict[str, str],
    outcome: SyncOutcome,
    *,
    today: date,
    full: bool,
    store: StoreFn,
    spent: Spent,
) -> None:
    """Ask who cites the papers due, fetch the citing papers the store lacks (the index
    publication too), and record the citations. `spent` is what this command's chase
    through PubMed has asked and fetched so far."""
    if not spent.index_known:
        spent.index = _index_pmid(engine, client, cfg, common)
        spent.index_known = True
        if spent.index is None:
            log.info("pubmed: the index publication is not in PubMed (yet); chasing the others")
    index = spent.index
    plan = plan_chase(
        engine, VIA, index_pmid=index, cfg=cfg.citations, today=today, full=full, spent=spent
    )
    if not plan.cited:
        return
    spent.asked.update(c.id for c in plan.cited)
    lists = cited_by_each(client, cfg.pubmed, common, [c.ext for c in plan.cited])
    for cited in plan.cited:
        citing = [f"PMID:{c}" for c in lists.get(cited.ext, [])]
        wanted = ([cited.id] if plan.of_index(cited) else []) + citing
        with session_scope(engine) as session:
            stored = stored_ids(session.connection(), wanted)
        missing = [w for w in wanted if w not in stored]
        taken = spent.take(missing, cfg.citations)
        if taken:
            ids = [t.removeprefix("PMID:") for t in taken]
            for body, count in fetch_by_ids(client, cfg.pubmed, common, ids):
                where = f"efetch {count} ids citing {cited.id}"
                received = store(body, where)
                outcome.expected += received
                if received < count:
                    log.warning("pubmed: %s: %d of them came back", where, received)
        done = len(taken) == len(missing)
        record_chase(
            engine,
            outcome,
            cited=cited.id,
            via=VIA,
            citing=citing,
            fetched=[t for t in taken if t != cited.id],
            of_index=plan.of_index(cited),
            done=done,
            today=today,
        )
        if not done:
            log.info("pubmed: citing records fetched up to the run's bound; more next run")
            return


def _index_pmid(
    engine: Engine, client: httpx.Client, cfg: Config, common: dict[str, str]
) -> str | None:
    """The index publication's PMID: configured, else a stored paper's with its DOI, else
    asked of PubMed (one esearch, only until the paper is stored)."""
    stored = stored_index_pmid(engine, cfg)
    if stored or not cfg.claim.index.doi:
        return stored
    return resolve_pmid(client, cfg.pubmed, common, cfg.claim.index.doi)
