"""The all-sources sync: each configured source in turn, one failing source never stopping
the others. No terminal output and no judging: the caller shows progress and judges."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine

from tracker.config import Config
from tracker.errors import SourceError
from tracker.http import HttpStats
from tracker.ids import Source
from tracker.ingest import europepmc, pubmed
from tracker.ingest.chase import Spent
from tracker.ingest.ctgov import sync_ctgov
from tracker.ingest.europepmc import sync_europepmc
from tracker.ingest.pubmed import sync_pubmed
from tracker.ingest.runs import ProgressFn, SyncOutcome, extend_run, utcnow
from tracker.store.readings import SignalReader


@dataclass
class SyncReport:
    """What a sync of several sources did: each source's outcome, the sources skipped for
    want of a query, and one error line per source that failed or stayed incomplete."""

    outcomes: list[SyncOutcome] = field(default_factory=list)
    skipped: list[Source] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    chases: dict[Source, Spent] = field(default_factory=dict)
    """What the citation chase through each source asked and fetched in this command."""


def configured(source: Source, cfg: Config) -> bool:
    """Whether the config gives this source anything to ask."""
    if source is Source.CTGOV:
        return bool(cfg.ctgov.queries)
    if source is Source.EUROPEPMC:
        return bool(cfg.europepmc.query.strip())
    return bool(cfg.pubmed.query.strip())


def rps_by_host(cfg: Config, *, has_api_key: bool) -> dict[str, float]:
    """Pacing per host. NCBI allows 10 requests a second with an API key, 3 without."""
    pubmed_rps = cfg.pubmed.rps
    if pubmed_rps is None:
        pubmed_rps = 10.0 if has_api_key else 3.0
    pairs = (
        (cfg.ctgov.url, cfg.ctgov.rps),
        (cfg.pubmed.url, pubmed_rps),
        (cfg.europepmc.url, cfg.europepmc.rps),
    )
    rates: dict[str, float] = {}
    for url, rps in pairs:
        host = urlsplit(url).hostname or ""
        # Two sources on one host (the simulator) share the stricter pace.
        rates[host] = min(rates.get(host, rps), rps) if rps else rates.get(host, 0.0)
    return rates


def sync_one(
    source: Source,
    engine: Engine,
    cfg: Config,
    client: httpx.Client,
    stats: HttpStats,
    *,
    full: bool,
    progress: ProgressFn | None = None,
    reader: SignalReader | None = None,
    spent: Spent | None = None,
) -> SyncOutcome:
    """One source's sync; raises SourceError when it fails. `reader` reads the evidence
    signals of each new or changed record where it is parsed, and they are stored with it;
    `spent` collects what its citation chase asked and fetched."""
    if source is Source.CTGOV:
        return sync_ctgov(engine, cfg, client, stats, full=full, progress=progress, reader=reader)
    today = utcnow().date()
    if source is Source.PUBMED:
        return sync_pubmed(
            engine,
            cfg,
            client,
            stats,
            today=today,
            full=full,
            progress=progress,
            reader=reader,
            spent=spent,
        )
    return sync_europepmc(
        engine,
        cfg,
        client,
        stats,
        full=full,
        progress=progress,
        today=today,
        reader=reader,
        spent=spent,
    )


def sync_sources(
    sources: Iterable[Source],
    engine: Engine,
    cfg: Config,
    client: httpx.Client,
    stats: HttpStats,
    *,
    full: bool,
    progress: ProgressFn | None = None,
    on_outcome: Callable[[SyncOutcome], None] | None = None,
    reader: SignalReader | None = None,
) -> SyncReport:
    """Sync each source in turn; a source that fails is reported and the others still run."""
    report = SyncReport()
    for source in sources:
        if not configured(source, cfg):
            report.skipped.append(source)
            continue
        spent = report.chases[source] = Spent()
        try:
            outcome = sync_one(
                source,
                engine,
                cfg,
                client,
                stats,
                full=full,
                progress=progress,
                reader=reader,
                spent=spent,
            )
        except SourceError as exc:
            report.failures.append(str(exc))
            continue
        report.outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
        if not outcome.complete:
            report.failures.append(f"{outcome.source}: sync incomplete; the next run asks again")
    return report


CHASE_AGAIN = {Source.PUBMED: pubmed.chase_and_store, Source.EUROPEPMC: europepmc.chase_and_store}
"""Each source's citation chase (with the storing of what it brings), run again after the
judging inside that source's finished run."""


def chase_again(
    report: SyncReport,
    engine: Engine,
    cfg: Config,
    client: httpx.Client,
    stats: HttpStats,
    *,
    full: bool,
    reader: SignalReader | None = None,
) -> Chased:
    """After a judging pass: the citation chase once more through each source whose run
    this command ended well, for the papers of studies that became relevant since (never a
    paper this command asked about already, within what is left of the per-run bounds),
    inside that run. A source whose chase fails adds one line to the report's failures;
    what it stored before the failure stays stored."""
    chased = Chased()
    for outcome in report.outcomes:
        source = Source(outcome.source)
        again, spent = CHASE_AGAIN.get(source), report.chases.get(source)
        if again is None or spent is None or spent.failed:
            continue
        asked, versions = len(spent.asked), outcome.new_versions
        complete, warned = outcome.complete, len(outcome.errors)
        chase = partial(
            again,
            engine,
            cfg,
            client,
            outcome,
            reader,
            today=utcnow().date(),
            full=full,
            spent=spent,
        )
        try:
            extend_run(engine, outcome, stats, chase)  # inside the source's finished run
        except SourceError as exc:
            spent.failed = True
            report.failures.append(
                f"{exc}: in the citation chase after the judging (what was stored is kept;"
                " the next run asks again)"
            )
        else:
            if complete and not outcome.complete:
                # Said as the sync's own chase says it: the run no longer reconciles.
                why = "; ".join(outcome.errors[warned:])
                report.failures.append(
                    f"{outcome.source}: sync incomplete after the citation chase"
                    f"{f' ({why})' if why else ''}; the next run asks again"
                )
        chased.asked += len(spent.asked) - asked
        chased.stored += outcome.new_versions - versions  # a new record's first version too
    return chased


@dataclass
class Chased:
    """What one round of chase_again did over every source."""

    asked: int = 0
    """Papers asked about."""
    stored: int = 0
    """Versions stored, of new records or changed ones (what the judging has to see)."""
