"""`tracker config` (the effective settings and where each came from), `tracker init` (a
commented config.toml to start from) and `tracker doctor` (checks of the whole set-up)."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.app import RecordFormat, State, app, say, stdout
from tracker.cli.common import examples
from tracker.errors import UsageError


@app.command(
    name="config",
    epilog=examples("tracker config", "tracker --config /etc/tracker/config.toml config"),
)
def config_command(
    fmt: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TEXT,
) -> None:
    """The effective configuration: each value and where it came from (file, environment,
    default). Secrets are never shown, only whether they are set."""
    from tracker.config.origin import explain

    explained = explain(State.config_path)
    if fmt is RecordFormat.JSON:
        print(
            json.dumps(
                {
                    "config_file": str(explained.config_file) if explained.config_file else None,
                    "config_reason": explained.config_reason,
                    "database": explained.database_url,
                    "database_reason": explained.database_reason,
                    "settings": [
                        {"key": s.key, "value": s.value, "origin": s.origin}
                        for s in explained.settings
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    lines = [
        f"# config file: {explained.config_file or '(none)'} ({explained.config_reason})",
        f"# database:    {explained.database_url} ({explained.database_reason})",
    ]
    lines += [
        f"{s.key} = {json.dumps(s.value, ensure_ascii=False)}    # {s.origin}"
        for s in explained.settings
    ]
    for line in lines:
        stdout.print(line, markup=False, highlight=False, soft_wrap=True)


@app.command(
    epilog=examples(
        "tracker init                       config.toml in the current folder",
        "tracker init ~/my-question        a folder of its own (created if missing)",
    )
)
def init(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Where to write config.toml (default: here).")
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing config.toml.")
    ] = False,
) -> None:
    """Write a commented config.toml to start from, and say where the database will live."""
    from tracker.config import DEFAULT_CONFIG, load_config

    target = directory / "config.toml"
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; edit it, or give --force to overwrite it")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        written = f"# Written by `tracker init` on {datetime.now(UTC):%Y-%m-%d}.\n"
        target.write_text(written + DEFAULT_CONFIG.read_text(encoding="utf-8"), "utf-8")
    except OSError as exc:
        raise UsageError(f"{target}: cannot write: {exc.strerror or exc}") from None
    url = load_config(target, {}).database.url
    shown = os.path.relpath(target) if not directory.is_absolute() else str(target)
    say(f"Wrote {shown}.")
    say(f"The database will live at {url.removeprefix('sqlite:///')} (next to it).")
    say("Next: put your address in [operator] contact, then check the set-up with")
    say(f"  tracker --config {shown} doctor")


@app.command(epilog=examples("tracker doctor", "tracker doctor --format json"))
def doctor(
    fmt: Annotated[RecordFormat, typer.Option("--format", "-f")] = RecordFormat.TEXT,
) -> None:
    """Check the set-up, one line per check (ok, warn or fail, and what to do): config
    file and database, schema, registries, mail server, scheduler, operator contact, disk.

    Exits 1 if any check fails."""
    from tracker.config.origin import explain
    from tracker.doctor.checks import run_checks

    started = time.monotonic()
    explained = explain(State.config_path)
    checks = run_checks(explained, datetime.now(UTC), Path.cwd())
    seconds = round(time.monotonic() - started, 2)
    failed = any(c.status == "fail" for c in checks)
    if fmt is RecordFormat.JSON:
        print(
            json.dumps(
                {
                    "ok": not failed,
                    "seconds": seconds,
                    "checks": [
                        {"name": c.name, "status": c.status, "detail": c.detail, "hint": c.hint}
                        for c in checks
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        from rich.text import Text

        from tracker.reports.render.fold import Folded

        styles = {"ok": "green", "warn": "yellow", "fail": "bold red"}
        for c in checks:
            # Folded between words at the terminal's width, continuation lines under the
            # detail column, so a long URL or hint never breaks mid-word at 80 columns.
            line = Text(f"{c.status:4}  {c.name:9}  {c.detail}", style=styles[c.status])
            stdout.print(Folded(line, hang=17))
            if c.hint:
                stdout.print(Folded(Text(f"{'':17}→ {c.hint}"), hang=19))
    if failed:
        raise typer.Exit(1)
