"""The one HTTP client: per-host pacing and retries live here, in a wrapping transport.

Sources call `client.get(...)` and never sleep. Everything that makes a registry client
polite and robust (spacing requests, backing off on 429/403/5xx, retrying timeouts,
dropped connections and truncated bodies, honouring Retry-After) is written once, in this
package. The retry loop itself is tenacity's; `retry` only says *what* is retryable and
*how long* to wait, `bodies` reads an answer within its cap, `netwatch` ends a request stuck
in a socket, `transport` puts them together and `client` makes the one client of a run.
"""

from __future__ import annotations

from tracker.http.bodies import DEFAULT_MAX_BODY, ResponseTooLarge
from tracker.http.client import make_client, max_body_cap, user_agent
from tracker.http.retry import (
    MAX_RETRY_AFTER,
    RETRYABLE_ERRORS,
    RETRYABLE_STATUS,
    backoff_delay,
    parse_retry_after,
    unreachable,
)
from tracker.http.transport import DeadlineExceeded, HttpStats, ThrottledTransport

__all__ = [
    "DEFAULT_MAX_BODY",
    "MAX_RETRY_AFTER",
    "RETRYABLE_ERRORS",
    "RETRYABLE_STATUS",
    "DeadlineExceeded",
    "HttpStats",
    "ResponseTooLarge",
    "ThrottledTransport",
    "backoff_delay",
    "make_client",
    "max_body_cap",
    "parse_retry_after",
    "unreachable",
    "user_agent",
]
