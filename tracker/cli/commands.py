"""`tracker digest`, `show`, `status` and `run`: reading what is stored, and the main job."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import typer

from tracker.cli.app import DigestFormat, RecordFormat, app, parse_since, stdout
from tracker.cli.common import engine, exit_on, writing
from tracker.cli.sync import run_sync
from tracker.errors import NotFoundError, UsageError
from tracker.ids import SOURCES
from tracker.ingest.runs import utcnow
from tracker.reports.digest import build_digest, last_report_until, mark_reported, source_health
from tracker.reports.record import build_record_view, record_json
from tracker.reports.render.console import health_table, render_digest
from tracker.reports.render.json import render_digest_json, to_json
from tracker.reports.render.markdown import render_digest_markdown
from tracker.reports.render.record import render_record
from tracker.store.db import session_scope
from tracker.store.trials import version_payload

MAX_VERSION = 2**31 - 1
"""The largest version number a database integer holds (a larger one would overflow)."""


def print_digest(*, since: str | None, all_records: bool, fmt: DigestFormat) -> None:
    if since and all_records:
        raise UsageError("give either --since or --all, not both")
    db = engine()
    with session_scope(db) as session:
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
    if version is not None and not 1 <= version <= MAX_VERSION:
        raise UsageError(
            f"--version {version}: versions are numbered from 1 (at most {MAX_VERSION})"
        )
    with session_scope(engine()) as session:
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

    with session_scope(engine()) as session:
        health = [source_health(session, s.value) for s in SOURCES]
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
    with writing("tracker run"):
        report = run_sync(list(SOURCES), full=full)
        if report.outcomes or not report.failures:
            print_digest(since=None, all_records=False, fmt=fmt)
        # else every source failed: no digest (its standing would read as news) and the
        # digest's window stays where it was, for the next run that reaches a registry.
    exit_on(report.failures)
