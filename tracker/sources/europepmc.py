"""Europe PMC REST API: /search (resultType=core) paged by cursorMark.

Core results carry what lite ones lack: the abstract, the author list, MeSH and keywords.
Pages are yielded as received, one msgspec.Raw per result so its exact bytes are stored;
`read_result` (tracker.sources.europepmc_parse) parses one in the storing thread.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import msgspec

from tracker.config import EuropepmcConfig
from tracker.errors import SourceError
from tracker.ids import Source
from tracker.sources import europepmc_wire as w
from tracker.sources.europepmc_parse import FetchedResult, read_result
from tracker.sources.request import decode_json, fetch, page_cap

__all__ = ["EpmcPage", "FetchedResult", "error_message", "fetch_pages", "read_result"]

SOURCE = Source.EUROPEPMC
PAGE_SIZE = 1000
"""The most results the API serves per page."""
OPEN_END = "3000-01-01"
"""Upper bound of an index-date window: 'from `since` on', with no clock needed."""

_PAGE_DECODER = msgspec.json.Decoder(w.Page)


@dataclass(frozen=True, slots=True)
class EpmcPage:
    """One /search answer as received; `read_result` parses each result."""

    number: int
    results: list[msgspec.Raw]
    hit_count: int | None
    """The API's count for the whole query (on every page)."""


def search_params(cfg: EuropepmcConfig, *, since: date | None, page_size: int) -> dict[str, str]:
    """The /search parameters every page repeats; the query is parenthesised so that a
    top-level OR in it cannot swallow the date window."""
    query = cfg.query.strip()
    if since is not None:
        # FIRST_IDATE, not FIRST_PDATE: a paper indexed today may carry an old publication
        # date, and "new since the last run" is about when Europe PMC listed it.
        query = f"({query}) AND FIRST_IDATE:[{since.isoformat()} TO {OPEN_END}]"
    return {"query": query, "format": "json", "resultType": "core", "pageSize": str(page_size)}


def fetch_pages(
    client: httpx.Client, cfg: EuropepmcConfig, *, since: date | None, page_size: int = PAGE_SIZE
) -> Iterator[EpmcPage]:
    """Yield every page of the configured query, following nextCursorMark to the end.

    The walk ends when the mark is absent, comes back unchanged (the API repeats it on
    the page after the last) or a page is empty; a mark seen earlier is a loop."""
    if not cfg.query.strip():
        raise SourceError(SOURCE, "no query configured")
    base = search_params(cfg, since=since, page_size=page_size)
    url = f"{cfg.url.rstrip('/')}/search"
    cursor, seen, number = "*", {"*"}, 1
    cap: int | None = None
    while True:
        page = _get_page(client, url, {**base, "cursorMark": cursor}, number)
        results = (page.result_list or {}).get("result", [])
        mark, more = page.next_cursor_mark, bool(results)
        if number == 1:
            cap = page_cap(page.hit_count, page_size)
        if more or number == 1:  # page 1 even when empty: it carries the count
            yield EpmcPage(number=number, results=results, hit_count=page.hit_count)
        del page, results  # hold no page while the next one downloads
        if not mark or mark == cursor or not more:
            return
        if mark in seen:
            raise SourceError(
                SOURCE, f"search page {number}: nextCursorMark repeats an earlier cursor"
            )
        if cap is not None and number >= cap:
            raise SourceError(
                SOURCE,
                f"search page {number}: still given a new cursor after {number} pages, "
                f"more than the {cap} pages the hit count allows",
            )
        seen.add(mark)
        cursor, number = mark, number + 1


def _get_page(client: httpx.Client, url: str, params: dict[str, str], number: int) -> w.Page:
    where = f"search page {number}"
    body = fetch(
        client,
        "GET",
        url,
        source=SOURCE,
        where=where,
        explain=error_message,
        registry="Europe PMC",
        params=params,
    )
    return decode_json(body, _PAGE_DECODER, source=SOURCE, where=where)


_ERR_MSG = re.compile(rb"<errorBean>.*?<errMsg>(.*?)</errMsg>", re.DOTALL)


def error_message(body: bytes) -> str | None:
    """The errMsg of an XML errorBean (how the API refuses a request), else None."""
    if body.lstrip()[:1] != b"<":
        return None
    found = _ERR_MSG.search(body)
    return html.unescape(found[1].decode("utf-8", "replace")).strip() if found else None
