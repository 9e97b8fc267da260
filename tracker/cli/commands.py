"""`tracker digest`, `show`, `status` and `run`: reading what is stored, and the main job.

Each window of "what is new" belongs to one command: `run` and `email` move their own when
they report; a plain `digest` only looks (since the last `digest --mark`), so it can be
run any number of times and after `run` without using anything up."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tracker.cli.app import DigestFormat, RecordFormat, app, parse_since, stdout
from tracker.cli.common import engine, examples, exit_on, writing
from tracker.errors import UsageError

MAX_VERSION = 2**31 - 1
"""The largest version number a database integer holds (a larger one would overflow)."""


def print_digest(
    *, since: str | None, all_records: bool, fmt: DigestFormat, window: str | None
) -> None:
    """Print the digest. `window` names the report window to start from and move on
    (`run`, `digest`); None only reads the `digest` window."""
    from tracker.ingest.runs import utcnow
    from tracker.reports.digest import build_digest, last_report_until, mark_reported
    from tracker.store.db import session_scope

    if since and all_records:
        raise UsageError("give either --since or --all, not both")
    db = engine()
    with session_scope(db) as session:
        until = utcnow()
        automatic = since is None and not all_records
        start = (
            None
            if all_records
            else parse_since(since)
            if since
            else last_report_until(session, window or "digest")
        )
        digest = build_digest(session, since=start, until=until)
        if automatic and window is not None:
            # Only a default window moves on; --since and --all are look-backs.
            mark_reported(session, window, start, until)
    if fmt is DigestFormat.JSON:
        from tracker.reports.render.json import render_digest_json

        print(render_digest_json(digest))
    elif fmt is DigestFormat.MARKDOWN:
        from tracker.reports.render.markdown import render_digest_markdown

        sys.stdout.write(render_digest_markdown(digest))  # plain text: no wrapping, no styling
    else:
        from tracker.reports.render.console import render_digest

        stdout.print(render_digest(digest))


@app.command(
    epilog=examples(
        "tracker digest                     what is new since the last --mark",
        "tracker digest --mark              the same, then start the next window now",
        "tracker digest --since 2026-11-01 --format markdown",
    )
)
def digest(
    since: Annotated[
        str | None, typer.Option(help="Start of the window (ISO date or datetime, UTC).")
    ] = None,
    all_records: Annotated[bool, typer.Option("--all", help="Every stored record.")] = False,
    mark: Annotated[
        bool,
        typer.Option("--mark", help="Start the next digest window where this one ends."),
    ] = False,
    fmt: Annotated[DigestFormat, typer.Option("--format", "-f")] = DigestFormat.TEXT,
) -> None:
    """What is new or changed since the last `digest --mark` (or --since / --all).

    A plain digest uses nothing up: run it as often as you like."""
    if mark and (since or all_records):
        raise UsageError("--mark moves the default window: give it without --since or --all")
    print_digest(since=since, all_records=all_records, fmt=fmt, window="digest" if mark else None)


@app.command(
    epilog=examples(
        "tracker show NCT01234567",
        "tracker show PMID:12345678 --raw --version 1",
    )
)
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
    from tracker.errors import NotFoundError
    from tracker.reports.record import build_record_view, record_json
    from tracker.store.db import session_scope
    from tracker.store.trials import version_payload

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
        from tracker.reports.render.json import to_json

        print(to_json(record_json(view)))
    else:
        from tracker.reports.render.record import render_record

        stdout.print(render_record(view))


@app.command(epilog=examples("tracker status", "tracker status --format json"))
def status(
    fmt: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TEXT,
) -> None:
    """Each source's last run and completeness, the scheduler and its jobs.

    Whether `tracker schedule` is running comes from its heartbeat; each job shows its
    next run, last result and failure streak."""
    from tracker.cli.status import print_status

    print_status(fmt)


@app.command(
    epilog=examples(
        "tracker run                        sync, then what changed since the last run",
        "tracker run --quiet --format markdown > digest.md      (from cron)",
    )
)
def run(
    fmt: Annotated[DigestFormat, typer.Option("--format", "-f")] = DigestFormat.TEXT,
    full: Annotated[
        bool, typer.Option("--full", help="Fetch everything, not only what changed.")
    ] = False,
) -> None:
    """The main job: sync every source, then print what changed since the last run."""
    from tracker.cli.syncing import run_sync
    from tracker.ids import SOURCES

    with writing("tracker run"):
        report = run_sync(list(SOURCES), full=full)
        if report.outcomes or not report.failures:
            print_digest(since=None, all_records=False, fmt=fmt, window="run")
        # else every source failed: no digest (its standing would read as news) and the
        # run's window stays where it was, for the next run that reaches a registry.
    exit_on(report.failures)
