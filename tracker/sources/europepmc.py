"""Europe PMC REST API: /search (resultType=core) paged by cursorMark.

Core results carry what lite ones lack: the abstract, the author list, MeSH and keywords.
Pages are yielded as received, one msgspec.Raw per result so its exact bytes are stored;
`read_result` parses one in the storing thread. Every wire field is optional and unknown
fields are ignored: the API adds fields between versions, and a record lacking one is
still a record.
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
from tracker.records.article import (
    AbstractSection,
    ArticleData,
    ArticleId,
    Author,
    Journal,
    MeshHeading,
    MeshQualifier,
    PublicationType,
)
from tracker.records.links import nct_ids_in
from tracker.records.text import clean_record
from tracker.records.trial import PartialDate
from tracker.sources.request import decode_json, fetch

SOURCE = "europepmc"
PAGE_SIZE = 1000
"""The most results the API serves per page."""
OPEN_END = "3000-01-01"
"""Upper bound of an index-date window: 'from `since` on', with no clock needed."""
MAX_ID = 64
"""Width of articles.id: a 'DOI:…' id longer than this falls back to 'SRC:id'."""


class _W(msgspec.Struct, rename="camel", frozen=True, gc=False):
    pass


class _Person(_W, frozen=True):
    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    initials: str | None = None
    collective_name: str | None = None
    affiliation: str | None = None


class _Journal(_W, frozen=True):
    title: str | None = None
    iso_abbreviation: str | None = msgspec.field(default=None, name="ISOAbbreviation")
    medline_abbreviation: str | None = None
    issn: str | None = msgspec.field(default=None, name="ISSN")
    essn: str | None = msgspec.field(default=None, name="ESSN")


class _JournalInfo(_W, frozen=True):
    issue: str | None = None
    volume: str | None = None
    journal: _Journal | None = None


class _Term(_W, frozen=True):
    """A MeSH heading (descriptorName, with its qualifiers) or one qualifier."""

    descriptor_name: str | None = None
    qualifier_name: str | None = None
    major_topic: str | None = msgspec.field(default=None, name="majorTopic_YN")
    mesh_qualifier_list: dict[str, list[_Term]] | None = None


class _Book(_W, frozen=True):
    publisher: str | None = None


class Result(_W, frozen=True):
    """One entry of resultList.result, lite or core (the fields tracker reads)."""

    id: str | None = None
    source: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    title: str | None = None
    author_string: str | None = None
    author_list: dict[str, list[_Person]] | None = None
    journal_info: _JournalInfo | None = None
    journal_title: str | None = None  # lite: the abbreviation
    journal_volume: str | None = None
    issue: str | None = None
    journal_issn: str | None = None  # lite: 'print; electronic; '
    page_info: str | None = None
    pub_year: str | None = None
    abstract_text: str | None = None
    language: str | None = None
    pub_type: str | None = None  # lite: one '; '-joined string
    pub_type_list: dict[str, list[str]] | None = None
    keyword_list: dict[str, list[str]] | None = None
    mesh_heading_list: dict[str, list[_Term]] | None = None
    book_or_report_details: _Book | None = None
    tm_accession_type_list: dict[str, list[str]] | None = None
    first_index_date: str | None = None
    first_publication_date: str | None = None


class _Page(_W, frozen=True):
    hit_count: int | None = None
    next_cursor_mark: str | None = None
    result_list: dict[str, list[msgspec.Raw]] | None = None


_PAGE_DECODER = msgspec.json.Decoder(_Page)
_RESULT_DECODER = msgspec.json.Decoder(Result)


@dataclass(frozen=True, slots=True)
class EpmcPage:
    """One /search answer as received; `read_result` parses each result."""

    number: int
    results: list[msgspec.Raw]
    hit_count: int | None
    """The API's count for the whole query (on every page)."""


@dataclass(frozen=True, slots=True)
class FetchedResult:
    """One result: parsed (or why not), its exact bytes, and what the store needs."""

    id: str
    raw: msgspec.Raw | bytes
    record: ArticleData | None
    doi: str | None
    annotated_trials: list[str]
    """NCT ids Europe PMC's text mining found (links of provenance europepmc_annotation)."""
    index_date: str | None
    """firstIndexDate, YYYY-MM-DD: what an incremental window asks by."""
    error: str | None = None


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
    while True:
        page = _get_page(client, url, {**base, "cursorMark": cursor}, number)
        results = (page.result_list or {}).get("result", [])
        mark, more = page.next_cursor_mark, bool(results)
        if more or number == 1:  # page 1 even when empty: it carries the count
            yield EpmcPage(number=number, results=results, hit_count=page.hit_count)
        del page, results  # hold no page while the next one downloads
        if not mark or mark == cursor or not more:
            return
        if mark in seen:
            raise SourceError(
                SOURCE, f"search page {number}: nextCursorMark repeats an earlier cursor"
            )
        seen.add(mark)
        cursor, number = mark, number + 1


def _get_page(client: httpx.Client, url: str, params: dict[str, str], number: int) -> _Page:
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


def read_result(raw: msgspec.Raw | bytes) -> FetchedResult:
    """Parse one result, keeping its bytes; one that does not fit is stored unparsed."""
    try:
        result = _RESULT_DECODER.decode(raw)
    except msgspec.DecodeError as exc:
        return FetchedResult(_salvage_id(bytes(raw)), raw, None, None, [], None, str(exc))
    record = clean_record(parse_result(result))
    trials = annotated_nct_ids(result, record)
    return FetchedResult(record.id, raw, record, result.doi, trials, result.first_index_date)


def _salvage_id(data: bytes) -> str:
    try:
        generic = msgspec.json.decode(data)
    except msgspec.DecodeError:
        return ""
    if not isinstance(generic, dict):
        return ""
    text = {k: str(generic[k]) for k in ("pmid", "source", "id", "doi") if generic.get(k)}
    return article_id(text.get("pmid"), text.get("source"), text.get("id"), text.get("doi"))


def article_id(pmid: str | None, source: str | None, rid: str | None, doi: str | None) -> str:
    """'PMID:…' (the id PubMed's records have), else 'PPR:PPR…' for a preprint, else
    'DOI:…' (lower-cased: DOIs are case-insensitive), else 'SRC:id'; '' if nothing."""
    if pmid:
        return f"PMID:{pmid}"
    if source == "PPR" and rid:
        return f"PPR:{rid}"
    if doi and len(doi) + 4 <= MAX_ID:
        return f"DOI:{doi.lower()}"
    return f"{source}:{rid}" if source and rid else ""


def parse_result(result: Result) -> ArticleData:
    """Map one result to ArticleData (pure). Counts that move daily (citedByCount, the
    has*/in* flags) are left out, so they never make a new version."""
    abstract = clean_text(result.abstract_text)
    first = result.first_publication_date
    return ArticleData(
        id=article_id(result.pmid, result.source, result.id, result.doi),
        pmid=result.pmid,
        doi=result.doi,
        pmcid=result.pmcid,
        article_ids=_article_ids(result),
        title=clean_text(result.title) or None,
        abstract=[AbstractSection(label=None, category=None, text=abstract)] if abstract else [],
        authors=_authors(result),
        journal=_journal(result),
        pub_date=PartialDate.parse(first) if first else PartialDate.parse(result.pub_year),
        languages=[result.language] if result.language else [],
        publication_types=[PublicationType(ui=None, name=n) for n in publication_types(result)],
        mesh=_mesh(result),
        keywords=(result.keyword_list or {}).get("keyword", []),
    )


def annotated_nct_ids(result: Result, record: ArticleData) -> list[str]:
    """NCT ids of Europe PMC's text-mined trial accessions. The search answer names only
    the accession *types*; when 'nct' is one, the ids are read from the title and
    abstract the miner read (ids mined from full text alone need the Annotations API)."""
    types = (result.tm_accession_type_list or {}).get("accessionType", [])
    if "nct" not in {t.lower() for t in types}:
        return []
    return nct_ids_in(f"{record.title or ''}\n{record.abstract_text}")


_INLINE_TAG = re.compile(r"</?(?:i|b|u|em|strong|sup|sub|sc|small|span)(?:\s[^<>]*)?/?>", re.I)
_BLOCK_TAG = re.compile(r"</?(?:p|h[1-6]|br|div|ul|ol|li)(?:\s[^<>]*)?/?>", re.I)


def clean_text(text: str | None) -> str:
    """Markup reduced to its characters, as the PubMed parser does. Titles arrive with
    inline HTML, sometimes escaped twice ('&lt;i&gt;ATM&lt;/i&gt;'), so unescape first."""
    if not text:
        return ""
    text = _BLOCK_TAG.sub(" ", _INLINE_TAG.sub("", html.unescape(text)))
    return " ".join(text.split())


def _article_ids(result: Result) -> list[ArticleId]:
    pairs = [("pubmed", result.pmid), ("doi", result.doi), ("pmc", result.pmcid)]
    if result.source and result.id:
        pairs.append(("europepmc", f"{result.source}:{result.id}"))
    return [ArticleId(type=kind, value=value) for kind, value in pairs if value]


_NAME = re.compile(r"(?P<last>.+) (?P<initials>[A-Z]{1,4})")
"""'Capone F', 'Monteiro AN': Europe PMC writes a person as surname and initials."""


def _named(name: str) -> Author:
    found = _NAME.fullmatch(name.strip())
    if found is None:  # 'METRIC Study Group': no initials, so a collective
        return Author(collective_name=name.strip())
    return Author(last_name=found["last"], initials=found["initials"])


def _authors(result: Result) -> list[Author]:
    listed = (result.author_list or {}).get("author", [])
    if not listed:
        names = (result.author_string or "").strip().removesuffix(".").split(",")
        return [_named(n) for n in names if n.strip()]
    return [author for a in listed if (author := _author(a)) is not None]


def _author(a: _Person) -> Author | None:
    if a.last_name or a.first_name:
        return Author(
            last_name=a.last_name,
            fore_name=a.first_name,
            initials=a.initials,
            affiliation=a.affiliation,
        )
    if a.collective_name:
        return Author(collective_name=a.collective_name)
    return _named(a.full_name) if a.full_name else None


def _journal(result: Result) -> Journal | None:
    """journalInfo (core) or the flat journal* fields (lite, where the title is the
    abbreviation); a preprint's server (medRxiv...) stands where a journal would."""
    info = result.journal_info or _JournalInfo()
    name = info.journal or _Journal()
    if not (title := name.title or result.journal_title):
        book = result.book_or_report_details
        return Journal(title=book.publisher) if book and book.publisher else None
    lite_issn = (result.journal_issn or "").split(";")[0].strip() or None
    return Journal(
        title=title,
        iso_abbreviation=name.iso_abbreviation or name.medline_abbreviation or result.journal_title,
        issn=name.issn or name.essn or lite_issn,
        volume=info.volume or result.journal_volume,
        issue=info.issue or result.issue,
        pages=result.page_info,
    )


_PUBMED_TYPES = {
    name.lower(): name
    for name in (
        "Journal Article|Review|Systematic Review|Meta-Analysis|Preprint|Clinical Trial|"
        "Randomized Controlled Trial|Controlled Clinical Trial|Pragmatic Clinical Trial|"
        "Clinical Trial, Phase I|Clinical Trial, Phase II|Clinical Trial, Phase III|"
        "Clinical Trial, Phase IV|Clinical Trial Protocol|Multicenter Study|Comparative Study|"
        "Observational Study|Case Reports|Letter|Editorial|Comment|Published Erratum|"
        "Retracted Publication|Retraction of Publication|Practice Guideline|Guideline"
    ).split("|")
}
"""PubMed's spelling of the types rules look for: Europe PMC lower-cases them, and a
retraction must read 'Retracted Publication' whichever source reported it."""


def publication_types(result: Result) -> list[str]:
    """pubTypeList (core) or the '; '-joined pubType (lite), in PubMed's spelling."""
    names = (result.pub_type_list or {}).get("pubType") or (result.pub_type or "").split(";")
    cleaned = (n.strip() for n in names)
    return list(dict.fromkeys(_PUBMED_TYPES.get(n.lower(), n) for n in cleaned if n))


def _mesh(result: Result) -> list[MeshHeading]:
    return [
        MeshHeading(
            ui=None,
            name=h.descriptor_name,
            major=h.major_topic == "Y",
            qualifiers=[
                MeshQualifier(ui=None, name=q.qualifier_name, major=q.major_topic == "Y")
                for q in (h.mesh_qualifier_list or {}).get("meshQualifier", [])
                if q.qualifier_name
            ],
        )
        for h in (result.mesh_heading_list or {}).get("meshHeading", [])
        if h.descriptor_name
    ]
