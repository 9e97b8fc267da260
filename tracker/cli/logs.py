"""Log lines of the command line: one level and an ISO time (UTC) per line, secrets scrubbed.

The same plain format on a terminal, in cron mail, in the journal and in --log-file, so a
line can be grepped wherever it ended up; a line is never decorated, and wrapped only for
someone reading it in a terminal."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

from rich.console import Console
from rich.text import Text

from tracker.errors import UsageError
from tracker.reports.render.fold import Folded, folding
from tracker.runtime.redact import ScrubFilter

TIME_WIDTH = len("2026-12-06T08:00:01Z ")


class IsoFormatter(logging.Formatter):
    """`2026-12-06T08:00:01Z WARNING tracker.pubmed: message`."""

    converter = staticmethod(time.gmtime)

    def __init__(self, *, with_pid: bool = False) -> None:
        pid = " [%(process)d]" if with_pid else ""
        super().__init__(
            f"%(asctime)s %(levelname)s %(name)s{pid}: %(message)s",
            datefmt="%Y-%m-%dT%H:%M:%SZ",
        )


class _ConsoleHandler(logging.Handler):
    """Writes through the rich console of stderr, so log lines and progress bars do not
    tear each other apart; the text is printed as it is (no markup). A line is not wrapped
    either, except for someone reading it on a terminal: there it folds between words,
    under the time."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self._console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            if folding(self._console):
                self._console.print(Folded(Text(line), hang=TIME_WIDTH))
            else:
                self._console.print(line, markup=False, highlight=False, soft_wrap=True)
        except Exception:  # logging must never take the program down
            self.handleError(record)


def configure_logging(
    console: Console, *, verbose: bool, quiet: bool, log_file: Path | None
) -> None:
    handler: logging.Handler = _ConsoleHandler(console)
    handler.setFormatter(IsoFormatter())
    handlers = [handler] if log_file is None else [handler, _rotating_file(log_file)]
    for each in handlers:
        each.addFilter(ScrubFilter())
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, handlers=handlers, force=True)
    logging.getLogger("httpx").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its set-up chatter is noise


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Log files are created readable by their owner only (0600): a log line may quote a
    registry's answer, and the machine may have other users."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with contextlib.suppress(OSError):  # not ours to change: leave it as it is
            os.chmod(self.baseFilename, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def _rotating_file(path: Path) -> logging.Handler:
    """Log lines with pid as well, for machines without the journal; rotated by size so a
    long-running `tracker schedule` never fills the disk."""
    try:
        handler = PrivateRotatingFileHandler(
            path, maxBytes=10_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError as exc:
        raise UsageError(f"--log-file {path}: cannot open: {exc.strerror or exc}") from None
    handler.setFormatter(IsoFormatter(with_pid=True))
    return handler
