"""Readers for the small parts of PubMed efetch XML: text, numbers, dates and ids. Pure.
(Lists and structures, authors to references, are read in tracker.sources.pubmed_xml_parts.)

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
from collections.abc import Iterable
from datetime import date

from lxml import etree

from tracker.records.article import ArticleId
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
