"""Errors the CLI reports as one line, without a traceback.

* TrackerError
  * ConfigError   config.toml (or an environment override) is missing or invalid -> exit 2
  * UsageError    a command was given something it cannot act on -> exit 2
  * NotFoundError an id that is not stored -> exit 1
  * SourceError   a registry could not be queried, or answered nonsense -> exit 1
  * StoreError    the database could not be opened or migrated -> exit 1
  * LockedError   another tracker process holds the writer lock -> exit 1
  * SmtpError     the mail server refused the report or could not be reached -> exit 1

Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from tracker.runtime.redact import scrub


class TrackerError(Exception):
    """Base of every error the CLI turns into one line and an exit code.

    Its message is scrubbed of secrets when it is made: a registry's error body can echo the
    API key, and the message goes to stderr, the database, reports and email."""

    exit_code: int = 1

    def __init__(self, *args: object) -> None:
        super().__init__(*(scrub(a) if isinstance(a, str) else a for a in args))


class ConfigError(TrackerError):
    """The configuration is missing or invalid; the message names the key and the file."""

    exit_code = 2


class UsageError(TrackerError):
    """A command line that cannot be acted on."""

    exit_code = 2


class NotFoundError(TrackerError):
    """A record id that is not in the database."""


class SourceError(TrackerError):
    """A registry failed; whatever was fetched before the failure is already stored."""

    def __init__(self, source: str, detail: str) -> None:
        detail = scrub(detail)
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.detail = detail


class StoreError(TrackerError):
    """The database could not be opened, migrated or written."""


class SmtpError(TrackerError):
    """The mail server could not be reached or refused the message; nothing was marked sent."""


class LockedError(TrackerError):
    """Another tracker process is writing to this database; the message says which, since when."""
