"""`tracker email` and `tracker export`: the report commands, thin over tracker.email and
tracker.export."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli import State, app, stderr
from tracker.db import open_database
from tracker.email.report import send_report
from tracker.runs import utcnow


@app.command()
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
    config = State.config()
    engine = open_database(config.database.url)
    try:
        outcome = send_report(engine, config.email, now=utcnow(), dry_run=dry_run)
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
