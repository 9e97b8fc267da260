"""`tracker evidence` (the confirm/refute ledger) and `tracker judge` (a human verdict)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.app import RecordFormat, State, app, stderr, stdout
from tracker.cli.common import engine as database
from tracker.cli.common import examples
from tracker.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tracker.config import Config


@app.command(epilog=examples("tracker evidence", "tracker evidence --format json > ledger.json"))
def evidence(
    fmt: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TEXT,
) -> None:
    """The confirm/refute ledger: every study of the claim with its verdict and reasons."""
    from tracker.reports.ledger import build_ledger, ledger_json
    from tracker.reports.render.json import to_json
    from tracker.reports.render.ledger import render_ledger
    from tracker.store.db import session_scope

    cfg = State.config()
    engine = database()
    _judge_stored(engine, cfg)
    with session_scope(engine) as session:
        ledger = build_ledger(session, cfg.claim)
    if fmt is RecordFormat.JSON:
        print(to_json(ledger_json(ledger)))
    else:
        stdout.print(render_ledger(ledger))


def _judge_stored(engine: Engine, cfg: Config) -> None:
    """Re-judge as of today under the writer lock; while a sync holds it, that sync judges
    what it stores, so the ledger is printed as last judged."""
    from tracker.errors import LockedError
    from tracker.evidence.reassess import reassess_database
    from tracker.runtime.memory import collect_less
    from tracker.schedule.lock import WRITER, WriterLock, holding
    from tracker.store.db import is_read_only

    if is_read_only(engine):
        stderr.print(
            "tracker: the database is read-only here; showing the ledger as last judged",
            markup=False,
        )
        return
    lock = WriterLock(engine, WRITER, command="tracker evidence")
    try:
        with holding(lock, wait=False):
            collect_less()  # as in a sync: a large judging pass collects less often
            reassess_database(engine, cfg)
    except LockedError as exc:
        stderr.print(f"tracker: {exc}; showing the ledger as last judged", markup=False)


@app.command(
    name="judge",
    epilog=examples(
        'tracker judge NCT01234567 --verdict confirms --note "read the full paper"',
        "tracker judge NCT01234567 --clear",
    ),
)
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
    from tracker.evidence.overrides import clear, judge
    from tracker.store.db import session_scope

    now = datetime.now(UTC)
    with session_scope(database()) as session:
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
            override = judge(
                session, record_id, verdict, note, by=by or os.environ.get("USER"), now=now
            )
            message = f"{override.record_id}: human verdict {override.verdict} stored"
    stderr.print(message, markup=False, highlight=False)
