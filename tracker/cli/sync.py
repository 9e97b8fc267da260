"""`tracker sync`: fetch new and changed records from the registries, then judge them."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.app import app
from tracker.cli.common import examples, exit_on, writing
from tracker.ids import SOURCES, Source


@app.command(
    epilog=examples(
        "tracker sync                       every source, what changed since the last sync",
        "tracker sync --source ctgov --full",
    )
)
def sync(
    source: Annotated[
        list[Source] | None, typer.Option("--source", "-s", help="Sources to sync (default: all).")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Fetch everything, not only what changed.")
    ] = False,
) -> None:
    """Fetch new and changed records from the registries and store them."""
    from tracker.cli.syncing import run_sync

    with writing("tracker sync"):
        report = run_sync(source or list(SOURCES), full=full)
    exit_on(report.failures)
