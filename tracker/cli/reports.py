"""`tracker email` and `tracker export`: the report commands, thin over tracker.email and
tracker.export."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from tracker.cli.app import State, app, say, stderr
from tracker.cli.common import engine as database
from tracker.cli.common import examples, writing
from tracker.errors import UsageError

if TYPE_CHECKING:
    from sqlmodel import Session

    from tracker.export.rows import ExportRow

PLACEHOLDER_FROM = "tracker <tracker@example.invalid>"
PLACEHOLDER_TO = "you@example.invalid"

# matplotlib, Jinja2, rispy and bibtexparser are imported inside the commands: importing
# them here would add a second to the start of every `tracker` command.


@app.command(
    epilog=examples(
        "tracker email --dry-run preview.eml    write the message, send nothing, mark nothing",
        "tracker email                          send what is new since the last email",
    )
)
def email(
    dry_run: Annotated[
        Path | None,
        typer.Option(
            "--dry-run",
            metavar="FILE.eml",
            help="Write the message to FILE.eml instead of sending it; mark nothing.",
        ),
    ] = None,
) -> None:
    """Email what changed since the last emailed report; each item is sent once."""
    from tracker.email.report import send_report
    from tracker.ingest.runs import utcnow

    config = State.config()
    settings = config.email
    if dry_run is not None and not settings.configured:
        # A preview needs no set-up: placeholders where the addresses will go.
        settings = settings.model_copy(
            update={
                "from_addr": settings.from_addr or PLACEHOLDER_FROM,
                "to": settings.to or (PLACEHOLDER_TO,),
            }
        )
        say(
            "email is not set up: the preview uses placeholder addresses "
            f"({PLACEHOLDER_FROM}, {PLACEHOLDER_TO}); set [email] from_addr and to "
            "(or $TRACKER_EMAIL_FROM, $TRACKER_EMAIL_TO) to send it"
        )
    engine = database()
    try:
        # A dry run writes nothing; a real send marks items, so two sends at once (a manual
        # one during the scheduled one) must not both mail the same items.
        guard: AbstractContextManager[None] = (
            nullcontext() if dry_run is not None else writing("tracker email")
        )
        with guard:
            outcome = send_report(
                engine,
                settings,
                now=utcnow(),
                dry_run=dry_run,
                claim=config.claim,
                site=config.site,
            )
    finally:
        engine.dispose()
    if outcome.status == "empty":
        stderr.print("Nothing new since the last report: no email sent.", markup=False)
    elif outcome.status == "dry-run":
        stderr.print(
            f"Wrote {dry_run} ({outcome.items} items, {outcome.size:,} bytes); nothing marked.",
            markup=False,
        )
    else:
        stderr.print(
            f"Sent {outcome.message_id} to {', '.join(config.email.to)}: "
            f"{outcome.items} items, {outcome.size:,} bytes.",
            markup=False,
        )


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    RIS = "ris"
    BIBTEX = "bibtex"


@app.command(
    epilog=examples(
        "tracker export --format csv --output ledger.csv",
        "tracker export --format ris --relevant-only > follow-ups.ris",
    )
)
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")],
    relevant_only: Annotated[
        bool, typer.Option("--relevant-only", help="Only records judged relevant.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    raw_cells: Annotated[
        bool,
        typer.Option(
            "--raw-cells",
            help="CSV: write text exactly as stored, even cells a spreadsheet would run "
            "as a formula (by default they get a leading apostrophe).",
        ),
    ] = False,
) -> None:
    """The ledger and the records as CSV, JSON, RIS or BibTeX (for Zotero, EndNote)."""
    from tracker.export.rows import export_rows
    from tracker.store.db import session_scope

    engine = database()
    try:
        with session_scope(engine) as session:
            rows = export_rows(session, relevant_only=relevant_only)
            if output is None:
                count = _export(fmt, rows, sys.stdout, session, raw_cells)
            else:
                try:
                    handle = output.open("w", encoding="utf-8", newline="")
                except OSError as exc:
                    raise UsageError(f"--output {output}: cannot write: {exc.strerror}") from exc
                with handle:
                    count = _export(fmt, rows, handle, session, raw_cells)
    finally:
        engine.dispose()
    where = f" to {output}" if output else ""
    stderr.print(f"Exported {count} records as {fmt.value}{where}.", markup=False)


def _export(
    fmt: ExportFormat, rows: Iterator[ExportRow], out: IO[str], session: Session, raw_cells: bool
) -> int:
    from tracker.evidence.summary import ledger_summary
    from tracker.export.writers import WRITERS, write_csv, write_json

    if raw_cells and fmt is not ExportFormat.CSV:
        raise UsageError("--raw-cells applies to --format csv only")
    if fmt is ExportFormat.CSV:
        return write_csv(rows, out, raw_cells=raw_cells)

    if fmt is ExportFormat.JSON:
        ledger = ledger_summary(session)
        summary = {
            "state": ledger.state,
            "standing": ledger.standing,
            "studies": ledger.studies,
            "counts": ledger.counts,
            "participants": ledger.participants,
        }
        return write_json(rows, out, summary=summary)
    return WRITERS[fmt.value](rows, out)
