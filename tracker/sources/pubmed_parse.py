"""Map a PubMed efetch XML response (PubmedArticleSet) to ArticleData records. Pure: it
reads the bytes it is given and nothing else.

`iter_articles` streams: each record is parsed when its end tag arrives and then freed, so
memory stays flat however large the response. The parser is locked down because the input
comes off the network: the DOCTYPE's DTD is never loaded or fetched, entities are never
expanded (a 'billion laughs' document cannot grow), and text nodes keep libxml2's size cap.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from tracker.records.article import ArticleData, Journal
from tracker.records.text import clean_record
from tracker.sources import pubmed_xml as x
from tracker.sources import pubmed_xml_parts as xp
from tracker.sources.pubmed_xml import EMPTY, Element

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation", "ERROR")
_SET_TAGS = frozenset({"PubmedArticleSet", "PubmedBookArticleSet"})
_RECORD_START = re.compile(rb"<(PubmedArticle|PubmedBookArticle|DeleteCitation)[\s>]")
_ENCODING = re.compile(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)")


class PubmedParseError(ValueError):
    """A response that is not well-formed PubMed XML, or that reports an E-utilities ERROR."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def iter_articles(source: BinaryIO | bytes) -> Iterator[ArticleData]:
    """Yield every record of an efetch response in document order.

    A DeleteCitation yields one `deleted=True` record per PMID. Raises PubmedParseError on
    malformed XML (with its line number), on an <ERROR> element, and on a document that is
    not a PubmedArticleSet."""
    for record, _ in _stream(source, keep_raw=False):
        yield record


def iter_records(
    source: BinaryIO | bytes, *, whole: bool = False
) -> Iterator[tuple[ArticleData, bytes]]:
    """`iter_articles`, each record paired with its element's XML to keep as the raw payload.

    From bytes, that is the record's exact bytes on the wire, cut from the body; from a file
    object (or a body not in UTF-8), lxml's re-serialisation of the element (attribute
    quoting may then differ from the wire).

    `whole=True` parses the document into one tree first instead of streaming it: a third
    less parsing time (no per-event round trips between libxml2 and Python), for a document
    small enough to hold as a tree, such as a parse worker's part of 250 records. The
    records, raw bytes and errors are the same."""
    spans = record_spans(source) if isinstance(source, bytes) else []
    return _stream(source, keep_raw=True, spans=spans, whole=whole)


def record_spans(body: bytes) -> list[tuple[str, int, int]]:
    """(tag, start, end) of each top-level record in a UTF-8 efetch body, found by a byte
    scan (about 1 µs a record; re-serialising each element cost 70).

    XML text cannot hold a bare '<', so a record's end tag can only be its own; a comment
    could still mimic one, which is why `_stream` checks every span against the element
    the parser found (tag and PMID) before trusting it. [] when the body is not UTF-8."""
    declared = _ENCODING.match(body)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return []
    spans = []
    position = 0
    while found := _RECORD_START.search(body, position):
        tag = found.group(1)
        end = body.find(b"</" + tag + b">", found.end())
        if end < 0:
            break
        position = end + len(tag) + 3
        spans.append((tag.decode(), found.start(), position))
    return spans


def _stream(
    source: BinaryIO | bytes,
    *,
    keep_raw: bool,
    spans: list[tuple[str, int, int]] | None = None,
    whole: bool = False,
) -> Iterator[tuple[ArticleData, bytes]]:
    body = source if isinstance(source, bytes) else b""
    spans = spans or []
    root: Element | None = None
    events = None
    try:
        if whole:
            data = source if isinstance(source, bytes) else source.read()
            parser = etree.XMLParser(
                resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
            )
            root = etree.fromstring(data, parser)
            elements: Iterator[Element] = (e for e in list(root) if e.tag in _RECORD_TAGS)
        else:
            events = etree.iterparse(
                io.BytesIO(source) if isinstance(source, bytes) else source,
                events=("end",),
                tag=_RECORD_TAGS,
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=False,
            )
            elements = (elem for _, elem in events)
        for index, elem in enumerate(elements):
            if elem.tag == "ERROR":
                raise PubmedParseError(f"PubMed returned an error: {x.flat_text(elem) or ''}")
            span = spans[index] if index < len(spans) else None
            if elem.tag == "DeleteCitation":
                raw = _raw(elem, body, span, None) if keep_raw else b""
                yield from ((record, raw) for record in _deleted(elem))
            else:
                record = clean_record(parse_article(elem))
                yield record, _raw(elem, body, span, record.pmid) if keep_raw else b""
            _release(elem, siblings=not whole)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno
        raise PubmedParseError(
            f"malformed PubMed XML at line {line}: {exc.msg}", line=line
        ) from exc
    if events is not None:
        root = events.root
    if root is not None and root.tag not in _SET_TAGS:
        raise PubmedParseError(f"not a PubMed efetch response: root element {root.tag!r}")


def _raw(elem: Element, body: bytes, span: tuple[str, int, int] | None, pmid: str | None) -> bytes:
    """The record's bytes from the body when its span is this element (same tag, and the
    record's PMID inside it), else the element re-serialised."""
    if span is not None and span[0] == elem.tag:
        raw = body[span[1] : span[2]]
        if pmid is None or f">{pmid}</PMID>".encode() in raw:
            return raw
    return etree.tostring(elem, encoding="utf-8", xml_declaration=False, with_tail=False)


def _release(elem: Element, *, siblings: bool = True) -> None:
    # Clearing the record frees its subtree; deleting the already-cleared siblings before it
    # frees the empty shells the root still holds, so a 100k-record set never accumulates.
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if siblings and parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _deleted(elem: Element) -> Iterator[ArticleData]:
    for pmid_elem in elem.iterfind("PMID"):
        if pmid_elem.text and (pmid := pmid_elem.text.strip()):
            yield ArticleData(id=f"PMID:{pmid}", pmid=pmid, deleted=True)


def parse_article(elem: Element) -> ArticleData:
    """Map one PubmedArticle or PubmedBookArticle element; raises PubmedParseError when it
    has no PMID (nothing could identify the record)."""
    if elem.tag == "PubmedArticle":
        return _journal_article(elem)
    if elem.tag == "PubmedBookArticle":
        return _book_article(elem)
    raise PubmedParseError(f"expected PubmedArticle or PubmedBookArticle, got {elem.tag!r}")


def _pmid(pmid_elem: Element | None, record: Element) -> tuple[str, int | None]:
    if pmid_elem is None or not (pmid := (pmid_elem.text or "").strip()):
        raise PubmedParseError(f"{record.tag!r} has no PMID", line=record.sourceline)
    return pmid, x.number(pmid_elem.get("Version"))


def _journal_article(elem: Element) -> ArticleData:
    top = x.kids(elem)
    citation = top.get("MedlineCitation", EMPTY)
    cite = x.kids(citation)
    article = cite.get("Article", EMPTY)
    art = x.kids(article)
    data = top.get("PubmedData", EMPTY)
    pmid, version = _pmid(cite.get("PMID"), elem)
    ids = x.article_ids(data.iterchildren("ArticleIdList"))
    issue = x.kids(x.kids(art.get("Journal")).get("JournalIssue"))
    pub_date, pub_date_text = x.pub_date(issue.get("PubDate"))
    return ArticleData(
        id=f"PMID:{pmid}",
        pmid=pmid,
        pmid_version=version,
        doi=x.first_id(ids, "doi") or x.elocation_doi(article.iterchildren("ELocationID")),
        pmcid=x.first_id(ids, "pmc"),
        article_ids=ids,
        title=x.flat_text(art.get("ArticleTitle")),
        abstract=xp.abstract(art.get("Abstract", EMPTY)),
        authors=xp.authors(article.iterchildren("AuthorList")),
        journal=xp.journal(art.get("Journal"), art.get("Pagination")),
        article_date=x.electronic_date(article.iterchildren("ArticleDate")),
        pub_date=pub_date,
        pub_date_text=pub_date_text,
        entrez_date=x.history_date(x.kids(data).get("History", EMPTY)),
        languages=x.texts(article, "Language"),
        publication_types=xp.publication_types(
            art.get("PublicationTypeList", EMPTY).iterchildren("PublicationType")
        ),
        mesh=xp.mesh(cite.get("MeshHeadingList", EMPTY)),
        keywords=xp.keywords(citation.iterchildren("KeywordList")),
        databanks=xp.databanks(art.get("DataBankList", EMPTY)),
        comments_corrections=xp.comments_corrections(cite.get("CommentsCorrectionsList", EMPTY)),
        references=xp.references(data.iterchildren("ReferenceList")),
        status=citation.get("Status"),
    )


def _book_article(elem: Element) -> ArticleData:
    """A book or a chapter. ArticleData has no book fields, so a chapter's book is its venue
    (`journal`), and a whole book (no ArticleTitle) takes the book title as its title."""
    top = x.kids(elem)
    doc = top.get("BookDocument", EMPTY)
    parts = x.kids(doc)
    book = parts.get("Book", EMPTY)
    book_parts = x.kids(book)
    book_data = x.kids(top.get("PubmedBookData"))
    pmid, version = _pmid(parts.get("PMID"), elem)
    ids = x.article_ids([parts.get("ArticleIdList", EMPTY), book_data.get("ArticleIdList", EMPTY)])
    book_title = x.flat_text(book_parts.get("BookTitle"))
    pub_date, pub_date_text = x.pub_date(book_parts.get("PubDate"))
    return ArticleData(
        id=f"PMID:{pmid}",
        pmid=pmid,
        pmid_version=version,
        doi=x.first_id(ids, "doi") or x.elocation_doi(book.iterchildren("ELocationID")),
        pmcid=x.first_id(ids, "pmc"),
        article_ids=ids,
        title=x.flat_text(parts.get("ArticleTitle")) or book_title,
        abstract=xp.abstract(parts.get("Abstract", EMPTY)),
        authors=xp.authors(_book_author_lists(doc, book)),
        journal=_book_venue(parts, book_parts, book_title),
        pub_date=pub_date,
        pub_date_text=pub_date_text,
        entrez_date=x.history_date(book_data.get("History", EMPTY)),
        languages=x.texts(doc, "Language"),
        publication_types=xp.publication_types(doc.iterchildren("PublicationType")),
        keywords=xp.keywords(doc.iterchildren("KeywordList")),
        references=xp.references(doc.iterchildren("ReferenceList")),
        is_book=True,
    )


def _book_venue(doc: x.Kids, book: x.Kids, book_title: str | None) -> Journal | None:
    """A chapter appeared in its book; a whole book appeared in nothing else."""
    if "ArticleTitle" not in doc:
        return None
    return Journal(
        title=book_title, volume=x.text(book, "Volume"), pages=xp.pages(doc.get("Pagination"))
    )


def _book_author_lists(doc: Element, book: Element) -> list[Element]:
    """The chapter's own authors when it has them, else the book's; editors are not authors."""
    for parent in (doc, book):
        lists = [al for al in parent.iterchildren("AuthorList") if al.get("Type") != "editors"]
        if lists:
            return lists
    return []


_PMID = re.compile(rb"<PMID[^>]*>\s*(\d+)\s*</PMID>")


def salvage_records(
    body: bytes, start: int
) -> Iterator[tuple[ArticleData, bytes] | tuple[None, str]]:
    """The records of a UTF-8 body from the `start`-th on, each parsed alone (same locked
    parser): one record libxml2 rejects (an invalid XML character, say) then costs only
    itself. A rejected record comes as (None, "PMID n: reason"), in its place."""
    for tag, begin, end in record_spans(body)[start:]:
        piece = body[begin:end]
        try:
            parsed = list(iter_records(b"<PubmedArticleSet>" + piece + b"</PubmedArticleSet>"))
        except PubmedParseError as exc:
            found = _PMID.search(piece)
            name = f"PMID {found.group(1).decode()}" if found else f"a {tag}"
            yield None, f"{name}: {exc}"
            continue
        yield from parsed
