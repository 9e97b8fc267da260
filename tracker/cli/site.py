"""`tracker site`: write the static evidence website (index.html, pages, charts, Atom feed)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.app import State, app, stderr
from tracker.cli.common import engine, examples


@app.command(
    epilog=examples(
        "tracker site                       to [site] output",
        "tracker site --output public/      a folder to publish",
    )
)
def site(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="The folder to write (replaced whole at the end); default: [site] output.",
        ),
    ] = None,
) -> None:
    """Build the static evidence website: home page, study table, a page per study, feed."""
    from tracker.config import SiteConfig
    from tracker.site.build import build_site

    config = State.config()
    settings = config.site or SiteConfig()
    target = output if output is not None else Path(settings.output)
    result = build_site(engine(), config.claim, settings, target)
    stderr.print(
        f"Site written to {result.output}: {result.pages} files, {result.written} changed, "
        f"{result.rendered_studies} study pages rendered, {result.read_records} records read "
        f"from the database, in {result.seconds:.1f} s.",
        markup=False,
        highlight=False,
    )
