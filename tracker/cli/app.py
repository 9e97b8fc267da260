"""The `tracker` command line: thin commands over the library; errors translated here, once.

Data goes to stdout; progress, warnings and errors go to stderr.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from datetime import UTC, datetime
from enum import StrEnum
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler

from tracker.config import Config, load_config, resolve_config_path
from tracker.errors import UsageError
from tracker.redact import ScrubFilter

app = typer.Typer(
    name="tracker",
    help="Watch the registries for studies that confirm or refute one clinical result.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

stdout = Console(soft_wrap=False)
# soft_wrap: one message stays one line, so logs and cron mail stay greppable.
stderr = Console(stderr=True, soft_wrap=True)


class State:
    """Per-invocation settings handed from the global callback to the commands."""

    config_path: Path | None = None
    _config: Config | None = None

    @classmethod
    def config(cls) -> Config:
        if cls._config is None:
            cls._config = load_config(resolve_config_path(cls.config_path, os.environ))
        return cls._config


class DigestFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


class RecordFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@app.callback()
def _global(
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Config file (else $TRACKER_CONFIG, else ./config.toml)."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log each request and retry.")
    ] = False,
    log_file: Annotated[
        Path | None,
        typer.Option(
            "--log-file",
            help="Also append log lines to this file (rotated at 10 MB, 5 old files kept).",
        ),
    ] = None,
) -> None:
    State.config_path = config
    State._config = None
    # A terminal gets rich's log lines; cron and systemd get one plain line per message.
    handler: logging.Handler = (
        RichHandler(console=stderr, show_path=False, markup=False)
        if stderr.is_terminal
        else logging.StreamHandler(sys.stderr)
    )
    if not stderr.is_terminal:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handlers = [handler] if log_file is None else [handler, _rotating_file(log_file)]
    for each in handlers:
        each.addFilter(ScrubFilter())
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, handlers=handlers, force=True
    )
    logging.getLogger("httpx").setLevel(logging.INFO if verbose else logging.WARNING)


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Log files are created readable by their owner only (0600): a log line may quote a
    registry's answer, and the machine may have other users."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with contextlib.suppress(OSError):  # not ours to change: leave it as it is
            os.chmod(self.baseFilename, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def _rotating_file(path: Path) -> logging.Handler:
    """Log lines with time and pid, for machines without the journal; rotated by size so a
    long-running `tracker schedule` never fills the disk."""
    try:
        handler = PrivateRotatingFileHandler(
            path, maxBytes=10_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError as exc:
        raise UsageError(f"--log-file {path}: cannot open: {exc.strerror or exc}") from None
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s")
    )
    return handler


def parse_since(value: str) -> datetime:
    """An ISO date or datetime, in UTC; a bare date means its midnight."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since {value!r}: expected an ISO date or datetime, e.g. 2026-11-01"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
