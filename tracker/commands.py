"""The commands of the `tracker` CLI. Each one is a few lines over the library."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

import httpx
import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine

from tracker.cli import (
    DigestFormat,
    RecordFormat,
    Source,
    State,
    app,
    parse_since,
    stderr,
    stdout,
)
from tracker.config import Config
from tracker.db import open_database, session_scope
from tracker.errors import NotFoundError, SourceError, UsageError
from tracker.evidence import reassess_database
from tracker.http import HttpStats, make_client
from tracker.reports.console import health_table, render_digest
from tracker.reports.digest import build_digest, last_report_until, mark_reported, source_health
from tracker.reports.markdown import render_digest_markdown
from tracker.reports.record import build_record_view, record_json
from tracker.reports.record_render import render_record
from tracker.reports.render_json import render_digest_json, to_json
from tracker.store import version_payload
from tracker.sync import Progress as SyncProgress
from tracker.sync import SyncOutcome, sync_ctgov, utcnow
from tracker.sync_europepmc import sync_europepmc
from tracker.sync_pubmed import sync_pubmed

IMPLEMENTED_SOURCES = (Source.CTGOV, Source.PUBMED, Source.EUROPEPMC)
"""In this order: Europe PMC after PubMed, so a paper both have is first stored from PubMed's
richer record and Europe PMC only marks it."""


def _engine() -> Engine:
    return open_database(State.config().database.url)


def _rps_by_host() -> dict[str, float]:
    from urllib.parse import urlsplit

    cfg = State.config()
    pubmed_rps = cfg.pubmed.rps
    if pubmed_rps is None:
        pubmed_rps = 10.0 if os.environ.get("NCBI_API_KEY") else 3.0
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


@contextmanager
def _progress_bar() -> Iterator[Progress]:
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=False,
    )
    with bar:
        yield bar


def run_sync(sources: list[Source], *, full: bool) -> list[str]:
    """Sync each source in turn; returns one error line per source that failed."""
    missing = [s for s in sources if s not in IMPLEMENTED_SOURCES]
    if missing:
        names = ", ".join(s.value for s in missing)
        have = ", ".join(s.value for s in IMPLEMENTED_SOURCES)
        raise UsageError(f"--source {names}: not available in this version of tracker ({have})")
    cfg = State.config()
    engine = _engine()
    stats = HttpStats()
    failures: list[str] = []
    with (
        make_client(cfg, rps_by_host=_rps_by_host(), stats=stats) as client,
        _progress_bar() as bar,
    ):
        tasks: dict[str, TaskID] = {}

        def show(p: SyncProgress) -> None:
            key = f"{p.source}:{p.query}"
            if key not in tasks:
                tasks[key] = bar.add_task(f"{p.source} · {p.query}", total=p.expected)
            bar.update(tasks[key], completed=p.fetched, total=p.expected or p.fetched)

        for source in sources:
            if not _configured(source, cfg):
                stderr.print(f"{source.value}: skipped: no query configured", markup=False)
                continue
            try:
                outcome = _SYNCS[source](engine, cfg, client, stats, full=full, progress=show)
            except SourceError as exc:
                failures.append(str(exc))  # the other sources still run
            else:
                _report_outcome(outcome, failures)
    # Judge what arrived: a changed verdict or a new follow-up is a change event the digest
    # shows. Stored records are judged even when a source failed.
    with _progress_bar() as bar:
        reassess_database(engine, cfg, progress=_judging(bar))
    return failures


def _judging(bar: Progress) -> Callable[[int, int], None]:
    """Show the evidence engine at work after a sync (minutes, after a first large one)."""
    task: list[TaskID] = []

    def show(done: int, total: int) -> None:
        if not total:
            return  # nothing new to judge: no bar at all
        if not task:
            task.append(bar.add_task("evidence · judging", total=total))
        bar.update(task[0], completed=done, total=total)

    return show


def _configured(source: Source, cfg: Config) -> bool:
    if source is Source.CTGOV:
        return bool(cfg.ctgov.queries)
    if source is Source.EUROPEPMC:
        return bool(cfg.europepmc.query.strip())
    return bool(cfg.pubmed.query.strip())


def _sync_pubmed(
    engine: Engine, cfg: Config, client: httpx.Client, stats: HttpStats, **kw: Any
) -> SyncOutcome:
    return sync_pubmed(engine, cfg, client, stats, today=utcnow().date(), **kw)


_SYNCS: dict[Source, Callable[..., SyncOutcome]] = {
    Source.CTGOV: sync_ctgov,
    Source.PUBMED: _sync_pubmed,
    Source.EUROPEPMC: sync_europepmc,
}


def _report_outcome(outcome: SyncOutcome, failures: list[str]) -> None:
    kind = "full" if outcome.full else f"incremental since {outcome.since}"
    stderr.print(
        f"{outcome.source}: {kind}: fetched {outcome.fetched} of {outcome.expected} expected; "
        f"{outcome.new_records} new, {outcome.new_versions} new versions, {outcome.events} changes",
        markup=False,
        highlight=False,
    )
    for error in outcome.errors:
        stderr.print(f"warning: {error}", style="yellow", markup=False, highlight=False)
    if not outcome.complete:
        failures.append(f"{outcome.source}: sync incomplete; the next run asks again")


@app.command()
def sync(
    source: Annotated[
        list[Source] | None, typer.Option("--source", "-s", help="Sources to sync (default: all).")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Fetch everything, not only what changed.")
    ] = False,
) -> None:
    """Fetch new and changed records from the registries and store them."""
    with _writing("tracker sync"):
        failures = run_sync(source or list(IMPLEMENTED_SOURCES), full=full)
    _exit_on(failures)


@contextmanager
def _writing(command: str) -> Iterator[None]:
    """Hold the writer lock (exit 1 naming the holder if a scheduled job or another sync
    has it) and turn SIGTERM/SIGINT into a clean stop after the page in flight, exit 0."""
    from tracker.runs import Interrupted, request_stop
    from tracker.schedule.lock import WRITER, WriterLock, holding
    from tracker.schedule.stop import stop_on_signals

    schedule = State.config().schedule
    lock = WriterLock(
        _engine(),
        WRITER,
        command=command,
        heartbeat=schedule.lock_heartbeat,
        stale_after=schedule.lock_stale_after,
        on_lost=request_stop,
    )
    try:
        # Run as a job of `tracker schedule`, the scheduler holds the lock for us.
        inherit = os.environ.get("TRACKER_INHERITED_LOCK")
        with holding(lock, wait=False, inherit=inherit), stop_on_signals():
            yield
    except Interrupted as exc:
        stderr.print(f"tracker: {exc}; the next sync resumes", markup=False, highlight=False)
        raise typer.Exit(0) from None


def _exit_on(failures: list[str]) -> None:
    for line in failures:
        stderr.print(f"tracker: error: {line}", markup=False, highlight=False)
    if failures:
        raise typer.Exit(1)


def print_digest(*, since: str | None, all_records: bool, fmt: DigestFormat) -> None:
    if since and all_records:
        raise UsageError("give either --since or --all, not both")
    engine = _engine()
    with session_scope(engine) as session:
        until = utcnow()
        automatic = since is None and not all_records
        start: datetime | None = (
            None
            if all_records
            else (parse_since(since) if since else last_report_until(session, "digest"))
        )
        digest = build_digest(session, since=start, until=until)
        if automatic:
            # Only the default window moves on; --since and --all are look-backs.
            mark_reported(session, "digest", start, until)
    if fmt is DigestFormat.JSON:
        print(render_digest_json(digest))
    elif fmt is DigestFormat.MARKDOWN:
        sys.stdout.write(render_digest_markdown(digest))  # plain text: no wrapping, no styling
    else:
        stdout.print(render_digest(digest))


@app.command()
def digest(
    since: Annotated[
        str | None, typer.Option(help="Start of the window (ISO date or datetime, UTC).")
    ] = None,
    all_records: Annotated[bool, typer.Option("--all", help="Every stored record.")] = False,
    fmt: Annotated[DigestFormat, typer.Option("--format", "-f")] = DigestFormat.TEXT,
) -> None:
    """What is new or changed since the last digest (or --since / --all)."""
    print_digest(since=since, all_records=all_records, fmt=fmt)


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="NCT01234567, PMID:12345678, ...")],
    fmt: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TEXT,
    raw: Annotated[
        bool, typer.Option("--raw", help="Print the registry's payload exactly as received.")
    ] = False,
    version: Annotated[
        int | None, typer.Option(help="With --raw: that version's payload (default: current).")
    ] = None,
) -> None:
    """One record with its timeline of versions and changes."""
    with session_scope(_engine()) as session:
        view = build_record_view(session, record_id)
        if raw:
            payload = version_payload(session.connection(), view.id, version or view.version)
            if payload is None:
                raise NotFoundError(f"{view.id} has no version {version}")
            sys.stdout.buffer.write(payload[1] + b"\n")
            return
    if fmt is RecordFormat.JSON:
        print(to_json(record_json(view)))
    else:
        stdout.print(render_record(view))


@app.command()
def status(
    fmt: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TEXT,
) -> None:
    """Last runs per source, failures and completeness; each scheduled job's next run,
    last result and failure streak."""
    from tracker.schedule.status import job_healths, jobs_table

    with session_scope(_engine()) as session:
        health = [source_health(session, s.value) for s in Source]
        jobs = job_healths(session.connection())
    if fmt is RecordFormat.JSON:
        print(
            to_json({"sources": {h.source: h for h in health}, "jobs": {j.job_id: j for j in jobs}})
        )
        return
    stdout.print(health_table(health))
    for h in health:
        for error in h.errors:
            stdout.print(f"{h.source}: {error}", style="red", markup=False, highlight=False)
    stdout.print(jobs_table(jobs))
    for j in jobs:
        if j.streak and j.last_error:
            stdout.print(
                f"job {j.job_id}: {j.last_error}", style="red", markup=False, highlight=False
            )


@app.command()
def run(
    fmt: Annotated[DigestFormat, typer.Option("--format", "-f")] = DigestFormat.TEXT,
    full: Annotated[
        bool, typer.Option("--full", help="Fetch everything, not only what changed.")
    ] = False,
) -> None:
    """The main job: sync every source, then print the digest of what changed."""
    with _writing("tracker run"):
        failures = run_sync(list(IMPLEMENTED_SOURCES), full=full)
        print_digest(since=None, all_records=False, fmt=fmt)
    _exit_on(failures)
