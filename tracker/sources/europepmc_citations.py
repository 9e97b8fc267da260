"""Europe PMC's list of the papers citing one paper (/{source}/{id}/citations)."""

from __future__ import annotations

import httpx
import msgspec

from tracker.config import EuropepmcConfig
from tracker.errors import SourceError
from tracker.sources.europepmc import SOURCE, article_id, error_message

PAGE_SIZE = 1000


class _Citation(msgspec.Struct):
    id: str | None = None
    source: str | None = None


class _CitationList(msgspec.Struct):
    citation: list[_Citation] = []


class _CitationsPage(msgspec.Struct, rename="camel"):
    hit_count: int = 0
    citation_list: _CitationList | None = None


def citing_ids(client: httpx.Client, cfg: EuropepmcConfig, pmid: str) -> list[str]:
    """Record ids ('PMID:…', 'PPR:…') of every paper Europe PMC lists as citing PMID `pmid`."""
    url = f"{cfg.url.rstrip('/')}/MED/{pmid}/citations"
    found: list[str] = []
    page = 1
    while True:
        batch, total = _page(client, url, page)
        found += [
            article_id(c.id if c.source == "MED" else None, c.source, c.id, None) for c in batch
        ]
        if not batch or len(found) >= total:
            return list(dict.fromkeys(found))
        page += 1


def _page(client: httpx.Client, url: str, page: int) -> tuple[list[_Citation], int]:
    where = f"citations page {page}"
    params = {"format": "json", "page": str(page), "pageSize": str(PAGE_SIZE)}
    try:
        response = client.get(url, params=params)
    except httpx.HTTPError as exc:
        raise SourceError(SOURCE, f"{where}: {type(exc).__name__}: {exc or 'no detail'}") from exc
    if (message := error_message(response.content)) is not None:
        raise SourceError(
            SOURCE, f"{where}: Europe PMC says: {message} (HTTP {response.status_code})"
        )
    if response.status_code != 200:
        raise SourceError(SOURCE, f"{where}: HTTP {response.status_code} from {url}")
    try:
        decoded = msgspec.json.decode(response.content, type=_CitationsPage)
    except msgspec.DecodeError as exc:
        raise SourceError(SOURCE, f"{where}: malformed JSON from {url}: {exc}") from exc
    citations = decoded.citation_list.citation if decoded.citation_list else []
    return [c for c in citations if c.id], decoded.hit_count
