"""Forward citations: which papers to ask about in this run, whatever source asks.

A query finds what names its words; a review that says only "non-invasive brain
stimulation" is found because it cites a relevant trial's paper. Each run asks one source
who cites the index publication and the papers of every relevant study (as the last judging
pass left them), a bounded number of papers a run: never-asked papers first (so a study
newly judged relevant is chased at once), then those asked longest ago, once at least
`recheck_days` have passed. An unchanged world within that time asks nothing.
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
from tracker.store.chases import chase_dates, mark_found_by, relevant_pmids, remember_chase
from tracker.store.citations import save_citations
from tracker.store.db import session_scope

T = TypeVar("T")


@dataclass
class Budget:
    """How many citing records this run may still fetch."""

    left: int

    def take(self, missing: Sequence[T]) -> list[T]:
        """As many of `missing` as the budget allows (and spends them)."""
        taken = list(missing[: self.left])
        self.left -= len(taken)
        return taken


@dataclass
class Plan:
    """The papers to ask about, in order, and the index publication among them."""

    cited: list[str] = field(default_factory=list)
    """PMIDs (digits only)."""
    index: str | None = None


def due(
    candidates: Sequence[str],
    last: Mapping[str, date],
    *,
    today: date,
    cfg: CitationsConfig,
    full: bool = False,
) -> list[str]:
    """The candidates to ask about now: never asked first (in the candidates' order), then
    the longest unasked once `recheck_days` have passed (all of them on a full sync), at
    most `max_per_run`."""
    unique = list(dict.fromkeys(candidates))
    fresh = [c for c in unique if c not in last]
    stale = [
        c for c in unique if c in last and (full or (today - last[c]).days >= cfg.recheck_days)
    ]
    stale.sort(key=lambda c: last[c])
    return (fresh + stale)[: cfg.max_per_run]


def plan_chase(
    engine: Engine,
    source: str,
    *,
    index_pmid: str | None,
    cfg: CitationsConfig,
    today: date,
    full: bool,
) -> Plan:
    """What `source` ('pubmed_elink' or 'europepmc') is asked about in this run."""
    if cfg.max_per_run == 0:
        return Plan(index=index_pmid)
    with session_scope(engine) as session:
        conn = session.connection()
        candidates = [p for p in (index_pmid,) if p] + relevant_pmids(conn)
        last = {k.removeprefix("PMID:"): v for k, v in chase_dates(conn, source).items()}
    return Plan(due(candidates, last, today=today, cfg=cfg, full=full), index_pmid)


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
    pmid: str,
    via: str,
    citing: Sequence[str],
    fetched: Sequence[str],
    index: str | None,
    done: bool,
    today: date,
) -> None:
    """Store who cites `pmid`, mark the records this chase fetched as found by it, and
    remember the paper as asked about only when every citing record was fetched (a chase cut
    short by the run's budget is taken up again next run). Only new citations of the index
    publication are change events."""
    with session_scope(engine) as session:
        conn = session.connection()
        newly = save_citations(
            conn,
            f"PMID:{pmid}",
            list(citing),
            source=via,
            seen_at=utcnow(),
            run_id=outcome.run_id,
            of_index=pmid == index,
        )
        outcome.events += len(newly) if pmid == index else 0
        mark_found_by(conn, list(fetched), f"PMID:{pmid}")
        if done:
            remember_chase(conn, f"PMID:{pmid}", via, on=today, citing=len(citing))
