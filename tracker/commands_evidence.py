"""`tracker evidence` (the confirm/refute ledger) and `tracker judge` (a human verdict)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from tracker.cli import RecordFormat, State, app, stderr, stdout
from tracker.db import open_database, session_scope
from tracker.errors import UsageError
from tracker.evidence import reassess
from tracker.evidence.ledger import build_ledger, ledger_json
from tracker.evidence.overrides import clear, judge
from tracker.evidence.render import render_ledger
from tracker.reports.render_json import to_json


@app.command()
def evidence(
    fmt: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TEXT,
) -> None:
    """The confirm/refute ledger: every study of the claim with its verdict and reasons."""
    cfg = State.config()
    now = datetime.now(UTC)
    with session_scope(open_database(cfg.database.url)) as session:
        reassess(session, cfg, now.date(), now=now)
        ledger = build_ledger(session, cfg.claim)
    if fmt is RecordFormat.JSON:
        print(to_json(ledger_json(ledger)))
    else:
        stdout.print(render_ledger(ledger))


@app.command(name="judge")
def judge_command(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="NCT01234567, PMID:12345678, ...")],
    verdict: Annotated[
        str | None,
        typer.Option(help="confirms, refutes, inconclusive, pending or not_applicable."),
    ] = None,
    note: Annotated[str | None, typer.Option(help="Why: shown beside the verdict.")] = None,
    by: Annotated[str | None, typer.Option(help="Who judged (default: $USER).")] = None,
    clear_it: Annotated[
        bool, typer.Option("--clear", help="Remove the record's human verdict.")
    ] = False,
) -> None:
    """Override the automatic verdict of a record (and its study) with a human one."""
    now = datetime.now(UTC)
    cfg = State.config()
    with session_scope(open_database(cfg.database.url)) as session:
        if clear_it:
            if verdict or note:
                raise UsageError("--clear takes no --verdict or --note")
            cleared = clear(session, record_id, now=now)
            message = (
                f"{record_id}: cleared {cleared} human verdict(s)"
                if cleared
                else (f"{record_id}: no human verdict to clear")
            )
        else:
            if verdict is None or note is None:
                raise UsageError("judge needs --verdict and --note (or --clear)")
            import os

            override = judge(
                session, record_id, verdict, note, by=by or os.environ.get("USER"), now=now
            )
            message = f"{override.record_id}: human verdict {override.verdict} stored"
    stderr.print(message, markup=False, highlight=False)
