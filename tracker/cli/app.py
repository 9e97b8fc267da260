"""The `tracker` command line: thin commands over the library; errors translated here, once.

Data goes to stdout; progress, warnings and errors go to stderr. Only typer and rich's console
are imported at start-up: each command imports what it needs, so `tracker --help` and
`tracker status` start quickly.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from tracker.errors import UsageError

if TYPE_CHECKING:
    from tracker.config import Config

GLOBAL_FLAGS = frozenset({"-v", "--verbose", "-q", "--quiet"})
GLOBAL_WITH_VALUE = frozenset({"--config", "--log-file"})


def hoist_global_options(args: Sequence[str]) -> list[str]:
    """Move global options given after the command name to before it, so that
    `tracker status --config x.toml -v` means what `tracker --config x.toml -v status` means.

    Stops at `--`; `--version` is left alone (`show --version N` is the command's own)."""
    hoisted: list[str] = []
    rest: list[str] = []
    command_seen = False
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_WITH_VALUE:
            takes_next = "=" not in arg and index + 1 < len(args)
            chunk = [arg, args[index + 1]] if takes_next else [arg]
            (hoisted if command_seen else rest).extend(chunk)
            index += len(chunk)
            continue
        if arg in GLOBAL_FLAGS and command_seen:
            hoisted.append(arg)
        else:
            rest.append(arg)
            command_seen = command_seen or not arg.startswith("-")
        index += 1
    return hoisted + rest


class GlobalOptionsGroup(TyperGroup):
    """The command group, accepting the global options after the command name too."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        result: list[str] = super().parse_args(ctx, hoist_global_options(args))
        return result


app = typer.Typer(
    name="tracker",
    cls=GlobalOptionsGroup,
    help="Watch the registries for studies that confirm or refute one clinical result.\n\n"
    "Global options (--config, -v, -q, --log-file) may also follow the command name.",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

stdout = Console(soft_wrap=False)
# soft_wrap: one message stays one line, so logs and cron mail stay greppable.
stderr = Console(stderr=True, soft_wrap=True)


class State:
    """Per-invocation settings handed from the global callback to the commands."""

    config_path: Path | None = None
    quiet: bool = False
    verbose: bool = False
    _config: Config | None = None

    @classmethod
    def config(cls) -> Config:
        if cls._config is None:
            from tracker.config import load_config, resolve_config_path

            cls._config = load_config(resolve_config_path(cls.config_path, os.environ))
        return cls._config


def say(message: str, *, style: str | None = None) -> None:
    """An informational line on stderr (a summary, a hint); --quiet silences it."""
    if not State.quiet:
        tell(stderr, message, style=style)


def tell(console: Console, message: str, *, style: str | None = None, hang: int = 2) -> None:
    """One message, folded between words under a hanging indent where someone reads it at
    a width, on a terminal (tracker.reports.render.fold.folding); otherwise one line, for
    grep."""
    from rich.text import Text

    from tracker.reports.render.fold import Folded, folding

    if folding(console):
        console.print(Folded(Text(message, style=style or ""), hang))
    else:
        console.print(message, style=style, markup=False, highlight=False)


class DigestFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


class RecordFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("tracker")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "unknown"
        print(f"tracker {number}")
        raise typer.Exit()


@app.callback()
def _global(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Config file (else $TRACKER_CONFIG, else ./config.toml, else built-in defaults).",
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Log each request and retry; name the database."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Only errors on stderr (for cron): no progress."),
    ] = False,
    log_file: Annotated[
        Path | None,
        typer.Option(
            "--log-file",
            help="Also append log lines to this file (rotated at 10 MB, 5 old files kept).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    from tracker.cli.logs import configure_logging

    if verbose and quiet:
        raise UsageError("give either --verbose or --quiet, not both")
    State.config_path = config
    State._config = None
    State.quiet = quiet
    State.verbose = verbose
    configure_logging(stderr, verbose=verbose, quiet=quiet, log_file=log_file)


def parse_since(value: str) -> datetime:
    """An ISO date or datetime, in UTC; a bare date means its midnight."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since {value!r}: expected an ISO date or datetime, e.g. 2026-11-01"
        ) from None
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00+14:00 is a valid ISO string but lies before the first UTC instant.
        raise UsageError(f"--since {value!r}: outside the range of dates in UTC") from None
