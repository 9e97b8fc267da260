"""PubMed E-utilities: esearch on the history server, then efetch in batches.

ESearch hands out at most the first 10,000 ids of a query, so a query with more matches
is split into date windows (halving the window until each fits); no record is lost to
the cap. Bodies are yielded as received; the sync parses them (tracker.ingest.pubmed_workers).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import msgspec

from tracker.config import PubmedConfig
from tracker.errors import SourceError
from tracker.ids import Source
from tracker.sources.request import fetch

SOURCE = Source.PUBMED
ESEARCH_CAP = 9999
"""The most ids one esearch query can page through (NCBI: 'first 10,000')."""
EARLIEST = date(1781, 1, 1)
"""Older than the oldest PubMed record, so a window from here holds everything."""

log = logging.getLogger("tracker.pubmed")


@dataclass(frozen=True, slots=True)
class Window:
    """One esearch: the term restricted to [start, end] by `datetype` (edat, mdat, pdat)."""

    datetype: str
    start: date
    end: date

    def params(self) -> dict[str, str]:
        return {
            "datetype": self.datetype,
            "mindate": self.start.strftime("%Y/%m/%d"),
            "maxdate": self.end.strftime("%Y/%m/%d"),
        }

    def halves(self) -> tuple[Window, Window]:
        middle = self.start + (self.end - self.start) // 2
        return (
            Window(self.datetype, self.start, middle),
            Window(self.datetype, middle + timedelta(days=1), self.end),
        )

    def __str__(self) -> str:
        return f"{self.datetype} {self.start}..{self.end}"


@dataclass(frozen=True, slots=True)
class Batch:
    """One efetch answer: up to `batch_size` PubmedArticle elements, as bytes."""

    window: Window
    number: int
    body: bytes
    count: int
    """How many records the window holds (for progress and reconciliation)."""
    ids_in_batch: int


class _SearchResult(msgspec.Struct):
    count: str = "0"
    retmax: str = "0"
    querykey: str | None = None
    webenv: str | None = None
    idlist: list[str] | None = None
    errorlist: dict[str, list[str]] | None = None
    ERROR: str | None = None


class _SearchEnvelope(msgspec.Struct):
    esearchresult: _SearchResult | None = None
    error: str | None = None
    """The throttle body: {"error":"API rate limit exceeded",...}."""


def base_params(cfg: PubmedConfig, *, contact: str, api_key: str | None) -> dict[str, str]:
    """db, tool and email on every request, and the API key when there is one."""
    params = {"db": "pubmed", "tool": cfg.tool, "email": contact}
    if api_key:
        params["api_key"] = api_key
    return params


def fetch_batches(
    client: httpx.Client, cfg: PubmedConfig, window: Window, common: dict[str, str]
) -> Iterator[Batch]:
    """Every record of the configured query in `window`, split below the esearch cap."""
    count, webenv, query_key = _esearch(client, cfg, window, common)
    if count > ESEARCH_CAP:
        if window.start >= window.end:
            raise SourceError(
                SOURCE, f"{count} records on a single day ({window}): above the esearch cap"
            )
        log.info("pubmed: %d records in %s; splitting the window", count, window)
        for half in window.halves():
            yield from fetch_batches(client, cfg, half, common)
        return
    for number, start in enumerate(range(0, count, cfg.batch_size), start=1):
        form = {
            **common,
            "WebEnv": webenv,
            "query_key": query_key,
            "retstart": str(start),
            "retmax": str(cfg.batch_size),
            "retmode": "xml",
        }
        body = post_form(
            client, f"{cfg.url.rstrip('/')}/efetch.fcgi", form, f"efetch {window} #{number}"
        )
        yield Batch(window, number, body, count, min(cfg.batch_size, count - start))


def _esearch(
    client: httpx.Client, cfg: PubmedConfig, window: Window, common: dict[str, str]
) -> tuple[int, str, str]:
    form = {**common, "term": cfg.query, "usehistory": "y", "retmax": "0", **window.params()}
    where = f"esearch {window}"
    result = esearch_json(client, cfg, form, where)
    count = int(result.count)
    if count and not (result.webenv and result.querykey):
        raise SourceError(SOURCE, f"{where}: no WebEnv/query_key in the answer")
    return count, result.webenv or "", result.querykey or ""


def esearch_json(
    client: httpx.Client, cfg: PubmedConfig, form: dict[str, str], where: str
) -> _SearchResult:
    """One esearch (JSON); an ERROR or a query-breaking ErrorList is a SourceError, never
    an empty result."""
    body = post_form(
        client, f"{cfg.url.rstrip('/')}/esearch.fcgi", {**form, "retmode": "json"}, where
    )
    try:
        envelope = msgspec.json.decode(body, type=_SearchEnvelope)
    except msgspec.DecodeError as exc:
        raise SourceError(SOURCE, f"{where}: malformed JSON: {exc}") from exc
    result = envelope.esearchresult
    if envelope.error or result is None:
        raise SourceError(SOURCE, f"{where}: {envelope.error or 'no esearchresult in the answer'}")
    if result.ERROR:
        raise SourceError(SOURCE, f"{where}: NCBI says: {result.ERROR}")
    _check_errorlist(result, where)
    return result


def _check_errorlist(result: _SearchResult, where: str) -> None:
    """A misspelt field tag silently widens a PubMed query: that is an error. A phrase
    not found only narrows it, so it is logged."""
    errors = result.errorlist or {}
    if errors.get("fieldsnotfound"):
        raise SourceError(
            SOURCE, f"{where}: unknown field tags in the query: {errors['fieldsnotfound']}"
        )
    if errors.get("phrasesnotfound"):
        log.warning("pubmed: %s: phrases not found: %s", where, errors["phrasesnotfound"])


def post_form(
    client: httpx.Client, url: str, form: Mapping[str, str | list[str]], where: str
) -> bytes:
    """POST a form (long queries and id lists fit; NCBI asks for POST with big requests)."""
    return fetch(client, "POST", url, source=SOURCE, where=where, data=form)
