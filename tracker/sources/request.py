"""One request to a registry, with every failure turned into a SourceError that says which
source, which request and what the registry answered. Retries have already happened in
the transport (tracker.http) by the time anything here raises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import msgspec

from tracker.errors import SourceError
from tracker.http import DeadlineExceeded, ResponseTooLarge, unreachable

T = TypeVar("T")

MAX_REDIRECTS = 5


class _Refused(Exception):
    """A redirect that is not followed (the message says why)."""


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def _follow(client: httpx.Client, response: httpx.Response) -> httpx.Response:
    """Follow redirects within the registry's own origin only (CT.gov answers an NCTId alias
    with a 301 to the real study). A redirect to another origin is refused: it would carry
    the query or form with the NCBI API key to a host we never chose, and its answer is not
    the registry's, so it must not count as a complete (empty) sync."""
    for _ in range(MAX_REDIRECTS):
        if not response.is_redirect or response.next_request is None:
            return response
        target = response.next_request
        if _origin(target.url) != _origin(response.request.url):
            response.close()
            shown = f"{target.url.scheme}://{target.url.host}"
            raise _Refused(
                f"redirected from {response.request.url.host} to another site ({shown}); "
                "not followed: check the source's URL setting (TRACKER_*_URL)"
            )
        response.close()
        response = client.send(target, follow_redirects=False)
    raise _Refused(f"more than {MAX_REDIRECTS} redirects from {response.request.url.host}")


def fetch(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    source: str,
    where: str,
    explain: Callable[[bytes], str | None] | None = None,
    registry: str = "the registry",
    **kwargs: Any,
) -> bytes:
    """The body of a 200 answer; anything else is a SourceError. `explain` reads a
    registry's own error document (e.g. Europe PMC's errorBean) out of any answer."""
    try:
        response = _follow(client, client.request(method, url, follow_redirects=False, **kwargs))
    except httpx.HTTPError as exc:
        raise SourceError(source, _describe(exc, url, source, where)) from exc
    except _Refused as exc:
        raise SourceError(source, f"{where}: {exc}") from None
    if explain is not None and (message := explain(response.content)) is not None:
        status = response.status_code
        raise SourceError(source, f"{where}: {registry} says: {message} (HTTP {status})")
    if response.status_code != 200:
        detail = " ".join(response.text.split())[:300]
        raise SourceError(source, f"{where}: HTTP {response.status_code} from {url}: {detail}")
    body = response.content
    # httpx's response and its stream refer to each other, so without this the body (a
    # 30 MB page) would live until the cyclic garbage collector happened to run: a sync
    # held several pages at once. A fresh stream breaks the cycle; the body is read.
    response.stream = httpx.ByteStream(b"")
    return body


def _describe(exc: httpx.HTTPError, url: str, source: str, where: str) -> str:
    """One line: what failed, where, and (when it cannot heal by waiting) what to check."""
    if isinstance(exc, httpx.ConnectError) and (reason := unreachable(exc)):
        host = httpx.URL(url).host
        return (
            f"cannot reach {host} ({reason}): check the network connection, any proxy "
            f"(HTTPS_PROXY) and the source's address (TRACKER_{source.upper()}_URL)"
        )
    if isinstance(exc, ResponseTooLarge | DeadlineExceeded):
        return f"{where}: {exc}"
    return f"{where}: {type(exc).__name__}: {exc or 'no detail'}"


def decode_json(body: bytes, decoder: msgspec.json.Decoder[T], *, source: str, where: str) -> T:
    try:
        return decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise SourceError(source, f"{where}: malformed JSON: {exc}") from exc


def page_cap(total: int | None, page_size: int) -> int | None:
    """The most pages a walk of `total` records may take: two more than the count needs,
    for records added while paging. A token or cursor that keeps changing past this is a
    loop the repeat check cannot see. None when the registry sent no count."""
    if total is None or page_size <= 0:
        return None
    return -(-max(total, 0) // page_size) + 2
