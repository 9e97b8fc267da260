"""The one scrubber that every text leaving the process passes through.

Registries echo what they were sent: NCBI's throttle answer is
`{"error":"API rate limit exceeded","api-key":"…"}`, and a failing request's URL carries
`api_key=…`. Such text becomes an error message, a log line, a stored `sync_runs.errors`
or `job_runs.error` row, a digest, an email. `scrub()` is applied where each of those is
made (tracker.errors, the log handlers, the rows that store errors, the report views), so
that no secret reaches stderr, a log file, the database or a report.

It redacts:
- the values of the known secrets, read from the environment when called
  (`NCBI_API_KEY`, `TRACKER_SMTP_PASSWORD`, the password of `TRACKER_DATABASE_URL`) and any
  registered at run time with `register_secret` (the configured database URL's password);
- `api_key` / `api-key` / `apikey` fields and URL parameters, whatever their value;
- the password part of any `scheme://user:password@host` URL.
"""

from __future__ import annotations

import logging
import os
import re
from urllib.parse import quote, unquote, urlsplit

MASK = "***"

SECRET_ENV = ("NCBI_API_KEY", "TRACKER_SMTP_PASSWORD")
"""Environment variables whose values are secrets (tracker reads secrets only from there)."""

URL_ENV = ("TRACKER_DATABASE_URL",)
"""Environment variables holding a URL whose password part is a secret."""

MIN_SECRET_LENGTH = 4
"""Shorter values are not searched for: masking every 'ab' in a report would garble it, and
no real key or password is that short."""

_KEY_FIELD = re.compile(
    r"""(?ix)
    (\bapi[_-]?key)            # the field or parameter name
    (\s*["']?\s*[:=]\s*["']?)  # JSON "api-key":"…", query api_key=…, header-ish api-key: …
    ([^\s"'&,;}<>)\]]+)        # the value, up to the next delimiter
    """
)
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)([^@\s/]+)@", re.IGNORECASE)

_registered: set[str] = set()


def register_secret(value: str | None) -> None:
    """Treat `value` as a secret from now on (for secrets that arrive in config values, such as
    the password inside a database URL given by --config)."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        _registered.add(value)


def url_password(url: str | None) -> str | None:
    """The password part of a URL, decoded, or None."""
    if not url:
        return None
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


def known_secrets() -> list[str]:
    """Every secret value in force now, longest first (so a key containing another is masked
    whole)."""
    values = set(_registered)
    for name in SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= MIN_SECRET_LENGTH:
            values.add(value)
    for name in URL_ENV:
        password = url_password(os.environ.get(name))
        if password and len(password) >= MIN_SECRET_LENGTH:
            values.add(password)
    # A secret can also travel percent-encoded (a query string, a URL's userinfo).
    values |= {quote(v, safe="") for v in list(values)}
    return sorted(values, key=len, reverse=True)


def scrub(text: str) -> str:
    """`text` with every secret replaced by `***`."""
    if not text:
        return text
    for secret in known_secrets():
        if secret in text:
            text = text.replace(secret, MASK)
    text = _KEY_FIELD.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    return _URL_PASSWORD.sub(lambda m: f"{m.group(1)}{MASK}@", text)


def scrub_optional(text: str | None) -> str | None:
    return None if text is None else scrub(text)


class ScrubFilter(logging.Filter):
    """Put on every log handler: the formatted message and any traceback text are scrubbed
    before a handler writes them (the message's arguments are merged in first, since a
    secret usually arrives as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True
