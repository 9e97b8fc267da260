"""Reading an answer's body within bounds: decompressed a bounded piece at a time, so that
neither a huge body nor a small one that inflates is held past the source's cap."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import httpx

DEFAULT_MAX_BODY = 64 * 1024 * 1024
"""The cap on a decompressed body from a host no source names (each source sets its own)."""


class ResponseTooLarge(httpx.RequestError):
    """A body grew past its source's cap while being read: not retried (it would again)."""


_PIECE = 1 << 20
"""Most bytes one decompression step may produce: a small compressed chunk can inflate a
thousandfold, and the cap is checked between steps."""


def decoded(response: httpx.Response) -> Iterator[bytes]:
    """The body, decompressed a bounded piece at a time (httpx's own decoder inflates each
    network chunk whole: 64 KiB of a gzip bomb would become 64 MiB at once)."""
    try:
        yield response.content  # already read (a test's MockTransport answer, a replay)
        return
    except httpx.ResponseNotRead:
        pass
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("gzip", "x-gzip", "identity", ""):
        yield from response.iter_bytes()  # not offered; httpx decodes it if it can
        return
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16) if "gzip" in encoding else None
    for raw in response.iter_raw():
        if inflater is None:
            yield raw
            continue
        data = raw
        while data:
            try:
                piece = inflater.decompress(data, _PIECE)
            except zlib.error as exc:
                raise httpx.DecodingError(
                    f"bad gzip body: {exc}", request=response.request
                ) from exc
            data = inflater.unconsumed_tail
            if piece:
                yield piece
    if inflater is not None:
        yield inflater.flush()


def shown(url: httpx.URL) -> str:
    """A request's address without its query (which may carry an API key)."""
    return str(url.copy_with(query=None, fragment=None))
