"""Readers for the parts of a PubMed record that are lists or small structures: the abstract,
authors, journal and pages, publication types, keywords, MeSH headings, data banks,
comments and corrections, references. Pure; built on the readers of tracker.sources.pubmed_xml
(which says why children are indexed once and how missing containers are passed)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tracker.records.article import (
    AbstractSection,
    Author,
    CitedReference,
    CommentCorrection,
    DataBank,
    Journal,
    MeshHeading,
    MeshQualifier,
    PublicationType,
)
from tracker.sources.pubmed_xml import EMPTY, Element, flat_text, kids, text


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
