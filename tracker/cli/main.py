"""The console script: the app with every command group registered on it.

Each command module registers its commands on `tracker.cli.app.app` when imported; this is
the one module that imports them all, so no command module imports another.
"""

from __future__ import annotations

import sys

from tracker.cli import (
    commands,  # noqa: F401  (registers digest, show, status, run)
    demo,  # noqa: F401  (registers demo)
    evidence,  # noqa: F401  (registers evidence and judge)
    reports,  # noqa: F401  (registers email and export)
    schedule,  # noqa: F401  (registers schedule)
    setup,  # noqa: F401  (registers config, init and doctor)
    site,  # noqa: F401  (registers site)
    sync,  # noqa: F401  (registers sync)
)
from tracker.cli.app import app, stderr, tell
from tracker.errors import TrackerError


def main() -> None:
    """Console-script entry point: run the app, turning TrackerError into one line.

    Click's standalone mode handles usage errors (exit 2) and typer.Exit; everything of
    ours arrives here as a TrackerError with its own exit code."""
    try:
        app()
    except TrackerError as exc:
        tell(stderr, f"tracker: error: {exc}")
        sys.exit(exc.exit_code)
