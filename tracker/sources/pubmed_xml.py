"""Readers for the small, repeated parts of PubMed efetch XML (dates, names, id lists). Pure.

Speed: each `find()` walks lxml's ElementPath machinery (about 2 µs a call), and a record
needs dozens of fields, so readers index an element's children once (`kids`, about 0.2 µs
a child) and look fields up in the dict; repeated children come from `iterchildren(tag)`,
which filters in C.

Callers pass EMPTY for a missing container, and readers return None or [] for it. The DTD
is never loaded (see `pubmed_parse`), so its attribute defaults are not applied: readers
supply them (ArticleId IdType="pubmed", ArticleDate DateType="Electronic", ValidYN="Y").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date

from lxml import etree

from tracker.records.article import (
    AbstractSection,
    ArticleId,
    Author,
    CitedReference,
    CommentCorrection,
    DataBank,
    Journal,
    MeshHeading,
    MeshQualifier,
    PublicationType,
)
from tracker.records.trial import PartialDate

Element = etree._Element
Kids = dict[object, Element]
"""An element's children by tag, first of each tag kept (comments key by a non-str tag)."""

EMPTY: Element = etree.Element("_")
"""Stands in for a missing container, so callers iterate it instead of checking for None."""

_MONTHS = {
    name: f"{n:02d}"
    for n, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_YEAR = re.compile(r"\d{4}")


def kids(elem: Element | None) -> Kids:
    return {} if elem is None else {ch.tag: ch for ch in reversed(elem)}


def text(found: Kids, tag: str) -> str | None:
    elem = found.get(tag)
    return None if elem is None else elem.text


def flat_text(elem: Element | None) -> str | None:
    """The characters under `elem` with inline markup (<i>, <sup>, MathML) dropped and
    whitespace collapsed; None when there are none. Leaf elements, by far the common case,
    skip the subtree walk."""
    if elem is None:
        return None
    raw = "".join(elem.itertext()) if len(elem) else elem.text
    if not raw:
        return None
    return " ".join(raw.split()) or None


def texts(parent: Element, tag: str) -> list[str]:
    return [t for elem in parent.iterchildren(tag) if (t := elem.text)]


def number(value: str | None) -> int | None:
    # ASCII only: str.isdigit() also accepts '²', which int() then refuses.
    return int(value) if value and value.isascii() and value.isdigit() else None


def _month(value: str | None) -> str | None:
    """'Jul', 'July', '7' or '07' -> '07'; None for seasons and anything else."""
    if (n := number(value)) is not None:
        return f"{n:02d}" if 1 <= n <= 12 else None
    return _MONTHS.get(value[:3].lower()) if value else None


def _day(year: str, month: str, value: str | None) -> str | None:
    """The day as two digits, if it exists in that month: callers parse these as dates."""
    if (n := number(value)) is None:
        return None
    try:
        date(int(year), int(month), n)
    except ValueError:
        return None
    return f"{n:02d}"


def _year(value: str | None) -> str | None:
    return value if value and len(value) == 4 and number(value) is not None else None


def ymd(elem: Element | None) -> str | None:
    """A Year/Month/Day element (ArticleDate, PubMedPubDate) as YYYY-MM-DD, if complete."""
    parts = kids(elem)
    year, month = _year(text(parts, "Year")), _month(text(parts, "Month"))
    if not (year and month and (day := _day(year, month, text(parts, "Day")))):
        return None
    return f"{year}-{month}-{day}"


def pub_date(elem: Element | None) -> tuple[PartialDate | None, str | None]:
    """A PubDate as (date with its precision, date as printed when it is not a calendar date).

    MedlineDate ('1998 Dec-1999 Jan') and Season ('Spring') are kept as text and dated by
    their first year only, so sorting and year filters still work."""
    parts = kids(elem)
    if medline := flat_text(parts.get("MedlineDate")):
        found = _YEAR.search(medline)
        return (PartialDate(value=found.group(), precision="year") if found else None), medline
    if not (year := _year(text(parts, "Year"))):
        return None, None
    if month := _month(text(parts, "Month")):
        if day := _day(year, month, text(parts, "Day")):
            return PartialDate(value=f"{year}-{month}-{day}", precision="day"), None
        return PartialDate(value=f"{year}-{month}", precision="month"), None
    season = text(parts, "Season")
    return PartialDate(value=year, precision="year"), f"{year} {season}" if season else None


def history_date(history: Element) -> str | None:
    """When PubMed first listed the record: PubStatus 'entrez', else 'pubmed'."""
    found: dict[str | None, Element] = {}
    for stamp in history.iterchildren("PubMedPubDate"):
        found.setdefault(stamp.get("PubStatus"), stamp)
    return ymd(found.get("entrez")) or ymd(found.get("pubmed"))


def electronic_date(dates: Iterable[Element]) -> str | None:
    for stamp in dates:
        if stamp.get("DateType", "Electronic") == "Electronic":
            return ymd(stamp)
    return None


def article_ids(lists: Iterable[Element]) -> list[ArticleId]:
    """ArticleIds of the record itself (not of its references), duplicates dropped."""
    seen: dict[tuple[str, str], None] = {}
    for id_list in lists:
        for aid in id_list.iterchildren("ArticleId"):
            if aid.text and (value := aid.text.strip()):
                seen[(aid.get("IdType", "pubmed"), value)] = None
    return [ArticleId(type=t, value=v) for t, v in seen]


def first_id(ids: list[ArticleId], id_type: str) -> str | None:
    return next((i.value for i in ids if i.type == id_type), None)


def elocation_doi(elocations: Iterable[Element]) -> str | None:
    for loc in elocations:
        if loc.get("EIdType") == "doi" and loc.get("ValidYN", "Y") == "Y" and loc.text:
            return loc.text.strip()
    return None


def abstract(elem: Element) -> list[AbstractSection]:
    sections = []
    for part in elem.iterchildren("AbstractText"):
        body, label = flat_text(part), part.get("Label") or None
        if body or label:
            category = part.get("NlmCategory")
            sections.append(AbstractSection(label=label, category=category, text=body or ""))
    return sections


def authors(lists: Iterable[Element]) -> list[Author]:
    """Authors in print order. ValidYN="N" names are ones an erratum replaced; PubMed keeps
    them only so old citations still match, so they are not the paper's authors."""
    found = []
    for author in (a for al in lists for a in al.iterchildren("Author")):
        if author.get("ValidYN") == "N":
            continue
        parts = kids(author)
        found.append(
            Author(
                last_name=text(parts, "LastName"),
                fore_name=text(parts, "ForeName"),
                initials=text(parts, "Initials"),
                collective_name=flat_text(parts.get("CollectiveName")),
                affiliation=_affiliation(parts.get("AffiliationInfo")),
            )
        )
    return found


def _affiliation(info: Element | None) -> str | None:
    """The first Affiliation: Author has room for one, and PubMed lists the primary first."""
    for part in info if info is not None else ():
        if part.tag == "Affiliation":
            return flat_text(part)
    return None


def journal(elem: Element | None, pagination: Element | None) -> Journal | None:
    if elem is None:
        return None
    parts = kids(elem)
    issue = kids(parts.get("JournalIssue"))
    return Journal(
        title=text(parts, "Title"),
        iso_abbreviation=text(parts, "ISOAbbreviation"),
        issn=text(parts, "ISSN"),
        volume=text(issue, "Volume"),
        issue=text(issue, "Issue"),
        pages=pages(pagination),
    )


def pages(elem: Element | None) -> str | None:
    parts = kids(elem)
    if medline := text(parts, "MedlinePgn"):
        return medline
    start, end = text(parts, "StartPage"), text(parts, "EndPage")
    return f"{start}-{end}" if start and end else start or None


def publication_types(types: Iterable[Element]) -> list[PublicationType]:
    return [PublicationType(ui=t.get("UI"), name=t.text) for t in types if t.text]


def keywords(lists: Iterable[Element]) -> list[str]:
    """Keywords once each, in first-seen order (a record's several KeywordLists overlap)."""
    words = (flat_text(w) for kl in lists for w in kl.iterchildren("Keyword"))
    return list(dict.fromkeys(w for w in words if w))


def mesh(heading_list: Element) -> list[MeshHeading]:
    return [h for heading in heading_list.iterchildren("MeshHeading") if (h := _heading(heading))]


def _heading(heading: Element) -> MeshHeading | None:
    descriptor: Element | None = None
    qualifiers = []
    for term in heading:  # one pass: DescriptorName, then QualifierName*
        if term.tag == "QualifierName" and term.text:
            major = term.get("MajorTopicYN") == "Y"
            qualifiers.append(MeshQualifier(ui=term.get("UI"), name=term.text, major=major))
        elif term.tag == "DescriptorName" and descriptor is None:
            descriptor = term
    if descriptor is None or not descriptor.text:
        return None
    major = descriptor.get("MajorTopicYN") == "Y"
    return MeshHeading(
        ui=descriptor.get("UI"), name=descriptor.text, major=major, qualifiers=qualifiers
    )


def databanks(bank_list: Element) -> list[DataBank]:
    found = []
    for bank in bank_list.iterchildren("DataBank"):
        parts = kids(bank)
        if name := text(parts, "DataBankName"):
            numbers = parts.get("AccessionNumberList", EMPTY).iterchildren("AccessionNumber")
            found.append(
                DataBank(name=name, accessions=[a.text.strip() for a in numbers if a.text])
            )
    return found


def comments_corrections(item_list: Element) -> list[CommentCorrection]:
    found = []
    for item in item_list.iterchildren("CommentsCorrections"):
        if ref_type := item.get("RefType"):
            parts = kids(item)
            source, pmid = text(parts, "RefSource"), text(parts, "PMID")
            found.append(CommentCorrection(ref_type=ref_type, pmid=pmid, source=source))
    return found


def references(lists: Iterable[Element]) -> list[CitedReference]:
    return [_reference(ref) for ref in _references(lists)]


def _references(lists: Iterable[Element]) -> Iterator[Element]:
    # A ReferenceList may hold titled sub-lists ("Supplementary references"): read every depth.
    for ref_list in lists:
        for item in ref_list.iterchildren("Reference", "ReferenceList"):
            if item.tag == "Reference":
                yield item
            else:
                yield from _references([item])


def _reference(ref: Element) -> CitedReference:
    citation = pmid = doi = None
    for part in ref:  # Citation, ArticleIdList?
        if part.tag == "Citation":
            citation = flat_text(part)
        elif part.tag == "ArticleIdList":
            for aid in part.iterchildren("ArticleId"):
                id_type = aid.get("IdType", "pubmed")
                if id_type == "pubmed" and pmid is None:
                    pmid = aid.text
                elif id_type == "doi" and doi is None:
                    doi = aid.text
    return CitedReference(citation=citation, pmid=pmid, doi=doi)
