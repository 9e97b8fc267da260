"""Map one Europe PMC search result (wire structs) to ArticleData. Pure: no I/O.

`read_result` parses one result in the storing thread, keeping its exact bytes; a result that
does not fit the expected shape is stored unparsed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import msgspec

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
from tracker.sources import europepmc_wire as w

MAX_ID = 64
"""Width of articles.id: a 'DOI:…' id longer than this falls back to 'SRC:id'."""

_RESULT_DECODER = msgspec.json.Decoder(w.Result)


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


def parse_result(result: w.Result) -> ArticleData:
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


def annotated_nct_ids(result: w.Result, record: ArticleData) -> list[str]:
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


def _article_ids(result: w.Result) -> list[ArticleId]:
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


def _authors(result: w.Result) -> list[Author]:
    listed = (result.author_list or {}).get("author", [])
    if not listed:
        names = (result.author_string or "").strip().removesuffix(".").split(",")
        return [_named(n) for n in names if n.strip()]
    return [author for a in listed if (author := _author(a)) is not None]


def _author(a: w.Person) -> Author | None:
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


def _journal(result: w.Result) -> Journal | None:
    """journalInfo (core) or the flat journal* fields (lite, where the title is the
    abbreviation); a preprint's server (medRxiv...) stands where a journal would."""
    info = result.journal_info or w.JournalInfo()
    name = info.journal or w.Journal()
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


def publication_types(result: w.Result) -> list[str]:
    """pubTypeList (core) or the '; '-joined pubType (lite), in PubMed's spelling."""
    names = (result.pub_type_list or {}).get("pubType") or (result.pub_type or "").split(";")
    cleaned = (n.strip() for n in names)
    return list(dict.fromkeys(_PUBMED_TYPES.get(n.lower(), n) for n in cleaned if n))


def _mesh(result: w.Result) -> list[MeshHeading]:
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
