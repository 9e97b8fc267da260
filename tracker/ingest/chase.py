"""Forward citations: which papers to ask about in this run, whatever source asks.

A query finds what names its words; a review that says only "non-invasive brain
stimulation" is found because it cites a relevant trial's paper. Each run asks one source
who cites the index publication and the papers of every relevant study (as the last judging
pass left them), a bounded number of papers a run: never-asked papers first, then those asked
longest ago, once at least `recheck_days` have passed. An unchanged world within that time
asks nothing.

PubMed is asked about papers with a PMID; Europe PMC about those too, and about papers known
only by a Europe PMC id (a preprint `PPR:…`, a `PMC:…` record, a DOI-keyed record whose
Europe PMC id its data names). A paper with neither cannot be asked about: the plan lists it.

One command can chase twice through a source (in its sync, and again after the judging for
studies that became relevant meanwhile, tracker.ingest.every): `Spent` carries what the first
chase asked and fetched, so that nothing is asked twice and the per-run bounds hold for the
whole command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy import Engine, select

from tracker.config import CitationsConfig, Config
from tracker.ingest.runs import SyncOutcome, utcnow
from tracker.store.articles import ARTICLES
from tracker.store.chases import (
    Cited,
    by_pmid,
    chase_dates,
    europepmc_key,
    mark_found_by,
    relevant_papers,
    remember_chase,
)
from tracker.store.citations import save_citations
from tracker.store.db import session_scope

T = TypeVar("T")


@dataclass
class Spent:
    """One command's chase through one source so far."""

    asked: set[str] = field(default_factory=set)
    """Ids of the papers asked about (never asked again in the same command)."""
    records: int = 0
    """Citing records fetched (against `max_records_per_run`)."""
    unchaseable: list[str] = field(default_factory=list)
    """Relevant papers this source has no id to be asked by (as the last plan found)."""
    index_known: bool = False
    index: str | None = None
    """The index publication's PMID once looked up (so that it is looked up once)."""
    failed: bool = False
    """A chase after the judging failed: the command asks this source no more."""

    def take(self, missing: Sequence[T], cfg: CitationsConfig) -> list[T]:
        """As many of `missing` as the records bound still allows (and spends them)."""
        taken = list(missing[: max(cfg.max_records_per_run - self.records, 0)])
        self.records += len(taken)
        return taken


@dataclass
class Plan:
    """The papers to ask about, in order, and the index publication's PMID."""

    cited: list[Cited] = field(default_factory=list)
    index: str | None = None

    def of_index(self, cited: Cited) -> bool:
        return self.index is not None and cited.id == f"PMID:{self.index}"


def due(
    candidates: Sequence[str],
    last: Mapping[str, date],
    *,
    today: date,
    cfg: CitationsConfig,
    full: bool = False,
    limit: int | None = None,
) -> list[str]:
    """The candidates to ask about now: never asked first (in the candidates' order), then
    the longest unasked once `recheck_days` have passed (all of them on a full sync), at
    most `max_per_run` (or `limit`, what is left of it)."""
    unique = list(dict.fromkeys(candidates))
    fresh = [c for c in unique if c not in last]
    stale = [
        c for c in unique if c in last and (full or (today - last[c]).days >= cfg.recheck_days)
    ]
    stale.sort(key=lambda c: last[c])
    return (fresh + stale)[: max(cfg.max_per_run if limit is None else limit, 0)]


def plan_chase(
    engine: Engine,
    source: str,
    *,
    index_pmid: str | None,
    cfg: CitationsConfig,
    today: date,
    full: bool,
    spent: Spent,
    any_id: bool = False,
) -> Plan:
    """What `source` ('pubmed_elink' or 'europepmc') is asked about now: papers with a PMID,
    and with `any_id` those with a Europe PMC id too (the others are listed in
    `spent.unchaseable`). Papers this command asked about already are left out, and the
    bound is what the command has left of `max_per_run`."""
    limit = cfg.max_per_run - len(spent.asked)
    if cfg.max_per_run == 0 or limit <= 0:
        return Plan(index=index_pmid)
    with session_scope(engine) as session:
        conn = session.connection()
        papers = relevant_papers(conn)
        last = chase_dates(conn, source)
    keyed = [
        (p, europepmc_key(p) if any_id else by_pmid(p.pmid) if p.pmid else None) for p in papers
    ]
    if any_id:
        spent.unchaseable = [p.id for p, key in keyed if key is None]
    candidates = [by_pmid(index_pmid)] if index_pmid else []
    candidates += [key for _, key in keyed if key is not None]
    by_id: dict[str, Cited] = {}
    for c in candidates:
        by_id.setdefault(c.id, c)
    ids = [c.id for c in candidates if c.id not in spent.asked]
    chosen = due(ids, last, today=today, cfg=cfg, full=full, limit=limit)
    return Plan([by_id[c] for c in chosen], index_pmid)


def stored_index_pmid(engine: Engine, cfg: Config) -> str | None:
    """The index publication's PMID if it is known without asking a registry: configured,
    else a stored paper's with the index DOI (the PubMed sync resolves it); None otherwise."""
    index = cfg.claim.index
    if index.pmid or not index.doi:
        return index.pmid or None
    with session_scope(engine) as session:
        query = select(ARTICLES.c.pmid).where(
            ARTICLES.c.doi == index.doi.lower(), ARTICLES.c.pmid.is_not(None)
        )
        stored = session.scalar(query)
    return str(stored) if stored else None


def record_chase(
    engine: Engine,
    outcome: SyncOutcome,
    *,
    cited: str,
    via: str,
    citing: Sequence[str],
    fetched: Sequence[str],
    of_index: bool,
    done: bool,
    today: date,
) -> None:
    """Store who cites `cited` (a stored id), mark the records this chase fetched as found by
    it, and remember the paper as asked about only when every citing record was fetched (a
    chase cut short by the run's bound is taken up again next run). Only new citations of
    the index publication are change events."""
    with session_scope(engine) as session:
        conn = session.connection()
        newly = save_citations(
            conn,
            cited,
            list(citing),
            source=via,
            seen_at=utcnow(),
            run_id=outcome.run_id,
            of_index=of_index,
        )
        outcome.events += len(newly) if of_index else 0
        mark_found_by(conn, list(fetched), cited)
        if done:
            remember_chase(conn, cited, via, on=today, citing=len(citing))
