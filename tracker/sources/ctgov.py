"""ClinicalTrials.gov API v2: page through /studies for one configured query.

The generator yields one page at a time so the caller can store each page in its own
transaction; nothing beyond the page in flight is held in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import msgspec

from tracker.config import CtgovConfig, CtgovQuery
from tracker.errors import SourceError
from tracker.ids import Source
from tracker.sources import ctgov_wire as w
from tracker.sources.ctgov_parse import read_study
from tracker.sources.request import decode_json, fetch, page_cap

__all__ = ["CtgovPage", "fetch_pages", "query_params", "read_study"]

SOURCE = Source.CTGOV
_PAGE_DECODER = msgspec.json.Decoder(w.Page)


@dataclass(frozen=True, slots=True)
class CtgovPage:
    """One page as received; the sync parses its studies (tracker.ingest.ctgov_workers)."""

    query: str
    number: int
    studies: list[msgspec.Raw]
    total_count: int | None
    """The registry's count for the whole query; sent with the first page only."""


def query_params(query: CtgovQuery, *, since: date | None, page_size: int) -> dict[str, str]:
    """The /studies parameters for one query; every page repeats them (the API requires it)."""
    params = {"format": "json", "pageSize": str(page_size)}
    fields = {"query.cond": query.cond, "query.intr": query.intr, "query.term": query.term}
    params.update({name: value for name, value in fields.items() if value.strip()})
    if since is not None:
        params["filter.advanced"] = f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]"
    return params


def fetch_pages(
    client: httpx.Client, cfg: CtgovConfig, query: CtgovQuery, *, since: date | None
) -> Iterator[CtgovPage]:
    """Yield every page of `query`, following nextPageToken until the registry stops."""
    base = query_params(query, since=since, page_size=cfg.page_size)
    params = {**base, "countTotal": "true"}
    seen_tokens: set[str] = set()
    number = 1
    cap: int | None = None
    while True:
        page = _get_page(client, f"{cfg.url.rstrip('/')}/studies", params, query.name, number)
        token = page.next_page_token
        if number == 1:
            cap = page_cap(page.total_count, cfg.page_size)
        # Yielded from a box, not a variable: this frame then holds nothing of the page (a
        # 30 MB body) while the caller works on it or waits to hand it over.
        box = [
            CtgovPage(
                query=query.name,
                number=number,
                studies=page.studies,
                total_count=page.total_count if number == 1 else None,
            )
        ]
        del page
        yield box.pop()
        if not token:
            return
        if token in seen_tokens:
            raise SourceError(
                SOURCE, f"query {query.name!r}: page {number} repeats an earlier page token"
            )
        if cap is not None and number >= cap:
            raise SourceError(
                SOURCE,
                f"query {query.name!r}: still given a new page token after {number} pages, "
                f"more than the {cap} pages the registry's total count allows",
            )
        seen_tokens.add(token)
        params = {**base, "pageToken": token}
        number += 1


def _get_page(
    client: httpx.Client, url: str, params: dict[str, str], query: str, number: int
) -> w.Page:
    where = f"query {query!r}, page {number}"
    body = fetch(client, "GET", url, source=SOURCE, where=where, params=params)
    # The URL is named: a redirect or proxy answering for the API is the usual cause.
    return decode_json(body, _PAGE_DECODER, source=SOURCE, where=f"{where} ({url})")
