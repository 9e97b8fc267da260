"""Europe PMC's list of the papers citing one paper (/{source}/{id}/citations)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import httpx
import msgspec

from tracker.config import EuropepmcConfig
from tracker.sources.europepmc import SOURCE, error_message
from tracker.sources.europepmc_parse import article_id
from tracker.sources.request import decode_json, fetch

PAGE_SIZE = 1000


class _Citation(msgspec.Struct):
    id: str | None = None
    source: str | None = None


class _CitationList(msgspec.Struct):
    citation: list[_Citation] = []


class _CitationsPage(msgspec.Struct, rename="camel"):
    hit_count: int = 0
    citation_list: _CitationList | None = None


@dataclass(frozen=True, slots=True)
class Citing:
    """One paper citing another, as Europe PMC names it."""

    id: str
    """Its id as the list gives it ('PMID:…', 'PPR:PPR…', 'SRC:id'; see listed_id)."""
    ext_id: str
    src: str
    """Europe PMC's own id and source (MED, PPR, AGR...): what a search by id asks for."""


def citing_records(client: httpx.Client, cfg: EuropepmcConfig, src: str, ext: str) -> list[Citing]:
    """Every paper Europe PMC lists as citing the record `ext` of its source `src` ('MED' and
    a PMID, 'PPR' and 'PPR…', 'PMC' and 'PMC…'), each once, in its order."""
    url = f"{cfg.url.rstrip('/')}/{quote(src, safe='')}/{quote(ext, safe='')}/citations"
    found: dict[str, Citing] = {}
    page, listed = 1, 0
    while True:
        batch, total = _page(client, url, page)
        listed += len(batch)
        for c in batch:
            ext_id = c.id or ""  # _page keeps only citations with an id
            rid = listed_id(c.source or "MED", ext_id)
            found.setdefault(rid, Citing(rid, ext_id, c.source or "MED"))
        if not batch or listed >= total:
            return list(found.values())
        page += 1


def listed_id(src: str, ext: str) -> str:
    """The id a citation list's entry gives a record ('PMID:…', 'PPR:…', else 'SRC:id'). A
    record stored from a search answer can have another: 'DOI:…' when it has a DOI and no
    PMID (tracker.ingest.europepmc_chase finds it under that one)."""
    return article_id(ext if src == "MED" else None, src, ext, None)


def _page(client: httpx.Client, url: str, page: int) -> tuple[list[_Citation], int]:
    where = f"citations page {page}"
    params = {"format": "json", "page": str(page), "pageSize": str(PAGE_SIZE)}
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
    decoded = decode_json(body, _DECODER, source=SOURCE, where=where)
    citations = decoded.citation_list.citation if decoded.citation_list else []
    return [c for c in citations if c.id], decoded.hit_count


_DECODER = msgspec.json.Decoder(_CitationsPage)
