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
from tracker.records import TrialData
from tracker.sources import ctgov_wire as w
from tracker.sources.ctgov_parse import ParseError, decode_study, study_to_trial, version_holder
from tracker.sources.request import decode_json, fetch

SOURCE = "ctgov"
_PAGE_DECODER = msgspec.json.Decoder(w.Page)


@dataclass(frozen=True, slots=True)
class FetchedStudy:
    """One study as received: parsed (or the reason it could not be) plus its exact bytes."""

    nct_id: str
    raw: bytes | msgspec.Raw
    """The study's JSON exactly as the registry sent it (a Raw is a zero-copy slice)."""
    trial: TrialData | None
    version_holder: str | None = None
    error: str | None = None
    packed: bytes | None = None
    """`raw`, compressed for storage, when the fetching thread already did it. `raw` is
    then dropped, so a page's 30 MB body can be freed before the page is stored."""


@dataclass(frozen=True, slots=True)
class CtgovPage:
    """One page as received; `read_study` parses each study (in the storing thread)."""

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
    while True:
        page = _get_page(client, f"{cfg.url.rstrip('/')}/studies", params, query.name, number)
        token = page.next_page_token
        yield CtgovPage(
            query=query.name,
            number=number,
            studies=page.studies,
            total_count=page.total_count if number == 1 else None,
        )
        del page  # hold no page body while the next one downloads
        if not token:
            return
        if token in seen_tokens:
            raise SourceError(
                SOURCE, f"query {query.name!r}: page {number} repeats an earlier page token"
            )
        seen_tokens.add(token)
        params = {**base, "pageToken": token}
        number += 1


def _get_page(
    client: httpx.Client, url: str, params: dict[str, str], query: str, number: int
) -> w.Page:
    where = f"query {query!r}, page {number}"
    body = fetch(client, "GET", url, source=SOURCE, where=where, params=params)
    return decode_json(body, _PAGE_DECODER, source=SOURCE, where=where)


def read_study(raw: msgspec.Raw | bytes, packed: bytes | None = None) -> FetchedStudy:
    """Parse one study, keeping its exact bytes; a study that does not parse is kept too."""
    try:
        study = decode_study(raw)
        trial = study_to_trial(study)
    except ParseError as exc:
        nct_id = _salvage_nct_id(bytes(raw))
        return FetchedStudy(nct_id=nct_id, raw=raw, packed=packed, trial=None, error=str(exc))
    return FetchedStudy(
        nct_id=trial.nct_id,
        raw=b"" if packed is not None else raw,
        packed=packed,
        trial=trial,
        version_holder=version_holder(study),
    )


def _salvage_nct_id(data: bytes) -> str:
    """Find the NCT id of a study that did not fit the expected shape, to store it anyway."""
    try:
        generic = msgspec.json.decode(data)
        nct = generic["protocolSection"]["identificationModule"]["nctId"]
    except (msgspec.DecodeError, KeyError, TypeError):
        return ""
    return nct if isinstance(nct, str) else ""
