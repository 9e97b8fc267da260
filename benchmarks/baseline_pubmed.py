"""The baselines the PubMed ingest benchmark compares against, each run in a fresh process
over efetch bodies saved to files (exactly the XML the sync receives). No HTTP, no storage.

    python benchmarks/baseline_pubmed.py lxml batch-1.xml batch-2.xml ...
    python benchmarks/baseline_pubmed.py biopython batch-1.xml batch-2.xml ...

`lxml`: a bare lxml.etree.iterparse loop that pulls the fields tracker's parser keeps into
plain tuples and dicts, and frees each record as it goes (elem.clear, then the cleared
siblings before it), with the parser locked down as tracker's is (no entities, no network,
no DTD). Children are walked once per container and dispatched on their tag, the fastest
pure-Python way through lxml; `find()` paths would cost about 2 µs each.

`biopython`: Bio.Entrez.parse over each file, iterating every record; where a Biopython
version refuses a PubmedArticleSet ("use Entrez.read"), Entrez.read per file instead.
Biopython would download a DTD it does not ship; that is turned into an error here, so
nothing leaves the machine (it ships pubmed_250101.dtd, the one the simulator names).

Each file is read into memory before its parse starts; only parsing is timed. The last
stdout line is JSON: seconds, records, peak RSS of this process (MiB), the method used.
Linux keeps a parent's RSS in a forked child's ru_maxrss, across exec: started straight
from a process holding much memory, the RSS printed here is that process's; the ingest
benchmark starts this script through a small launcher and reads its peak with os.wait4.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")


# --------------------------------------------------------------------------------------
# lxml


def _flat(elem: Any) -> str | None:
    """The text under `elem` with inline markup dropped, whitespace collapsed."""
    raw = "".join(elem.itertext()) if len(elem) else elem.text
    return " ".join(raw.split()) or None if raw else None


def _ymd(elem: Any) -> tuple[str | None, str | None, str | None]:
    year = month = day = None
    for part in elem:
        tag = part.tag
        if tag == "Year":
            year = part.text
        elif tag == "Month":
            month = part.text
        elif tag == "Day":
            day = part.text
    return year, month, day


def _pub_date(elem: Any) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for part in elem:
        if isinstance(part.tag, str):
            out[part.tag] = _flat(part) if part.tag == "MedlineDate" else part.text
    return out


def _journal(elem: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in elem:
        tag = part.tag
        if tag == "JournalIssue":
            for item in part:
                if item.tag == "PubDate":
                    out["pub_date"] = _pub_date(item)
                elif item.tag in ("Volume", "Issue"):
                    out[item.tag] = item.text
        elif tag in ("Title", "ISOAbbreviation", "ISSN"):
            out[tag] = part.text
    return out


def _authors(elem: Any) -> list[tuple[Any, ...]]:
    found = []
    for author in elem.iterchildren("Author"):
        if author.get("ValidYN") == "N":
            continue
        last = fore = initials = collective = affiliation = None
        for part in author:
            tag = part.tag
            if tag == "LastName":
                last = part.text
            elif tag == "ForeName":
                fore = part.text
            elif tag == "Initials":
                initials = part.text
            elif tag == "CollectiveName":
                collective = _flat(part)
            elif tag == "AffiliationInfo" and affiliation is None:
                for aff in part.iterchildren("Affiliation"):
                    affiliation = _flat(aff)
                    break
        found.append((last, fore, initials, collective, affiliation))
    return found


def _article(elem: Any, out: dict[str, Any]) -> None:
    for part in elem:
        tag = part.tag
        if tag == "ArticleTitle":
            out["title"] = _flat(part)
        elif tag == "Abstract":
            out["abstract"] = [
                (t.get("Label"), t.get("NlmCategory"), _flat(t))
                for t in part.iterchildren("AbstractText")
            ]
        elif tag == "AuthorList":
            out.setdefault("authors", []).extend(_authors(part))
        elif tag == "Journal":
            out["journal"] = _journal(part)
        elif tag == "Pagination":
            out["pages"] = {p.tag: p.text for p in part if isinstance(p.tag, str)}
        elif tag == "ELocationID":
            out.setdefault("elocations", []).append(
                (part.get("EIdType"), part.get("ValidYN", "Y"), part.text)
            )
        elif tag == "Language":
            out.setdefault("languages", []).append(part.text)
        elif tag == "PublicationTypeList":
            out["publication_types"] = [(t.get("UI"), t.text) for t in part]
        elif tag == "ArticleDate":
            out["article_date"] = (part.get("DateType", "Electronic"), _ymd(part))
        elif tag == "DataBankList":
            banks = []
            for bank in part.iterchildren("DataBank"):
                name, accessions = None, []
                for item in bank:
                    if item.tag == "DataBankName":
                        name = item.text
                    elif item.tag == "AccessionNumberList":
                        accessions = [a.text for a in item.iterchildren("AccessionNumber")]
                banks.append((name, accessions))
            out["databanks"] = banks


def _mesh(elem: Any) -> list[tuple[Any, ...]]:
    headings = []
    for heading in elem.iterchildren("MeshHeading"):
        descriptor, qualifiers = None, []
        for term in heading:
            if term.tag == "DescriptorName":
                descriptor = (term.get("UI"), term.text, term.get("MajorTopicYN") == "Y")
            elif term.tag == "QualifierName":
                qualifiers.append((term.get("UI"), term.text, term.get("MajorTopicYN") == "Y"))
        headings.append((descriptor, qualifiers))
    return headings


def _citation(elem: Any, out: dict[str, Any]) -> None:
    out["status"] = elem.get("Status")
    for part in elem:
        tag = part.tag
        if tag == "PMID":
            out["pmid"] = (part.text, part.get("Version"))
        elif tag == "Article":
            _article(part, out)
        elif tag == "MeshHeadingList":
            out["mesh"] = _mesh(part)
        elif tag == "KeywordList":
            out.setdefault("keywords", []).extend(_flat(k) for k in part.iterchildren("Keyword"))
        elif tag == "CommentsCorrectionsList":
            out["comments"] = [
                (c.get("RefType"), c.findtext("RefSource"), c.findtext("PMID")) for c in part
            ]


def _ids(elem: Any) -> list[tuple[str, str | None]]:
    return [(a.get("IdType", "pubmed"), a.text) for a in elem.iterchildren("ArticleId")]


def _references(elem: Any) -> Iterator[tuple[Any, ...]]:
    for ref in elem.iterchildren("Reference", "ReferenceList"):
        if ref.tag == "ReferenceList":
            yield from _references(ref)
            continue
        citation, ids = None, []
        for part in ref:
            if part.tag == "Citation":
                citation = _flat(part)
            elif part.tag == "ArticleIdList":
                ids = _ids(part)
        yield citation, ids


def _pubmed_data(elem: Any, out: dict[str, Any]) -> None:
    for part in elem:
        tag = part.tag
        if tag == "History":
            out["history"] = {d.get("PubStatus"): _ymd(d) for d in part}
        elif tag == "ArticleIdList":
            out["article_ids"] = _ids(part)
        elif tag == "ReferenceList":
            out.setdefault("references", []).extend(_references(part))


def lxml_record(elem: Any) -> dict[str, Any]:
    """One PubmedArticle as plain tuples and dicts (books are counted, not mapped: the
    benchmark's records are all journal articles)."""
    out: dict[str, Any] = {}
    for part in elem:
        if part.tag == "MedlineCitation":
            _citation(part, out)
        elif part.tag == "PubmedData":
            _pubmed_data(part, out)
    return out


def lxml_parse(body: bytes) -> int:
    events = etree.iterparse(
        io.BytesIO(body),
        events=("end",),
        tag=_RECORD_TAGS,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    n = 0
    for _, elem in events:
        if elem.tag == "PubmedArticle":
            lxml_record(elem)
        n += 1
        elem.clear(keep_tail=False)
        parent = elem.getparent()
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]
    return n


# --------------------------------------------------------------------------------------
# Biopython


def _no_downloads() -> None:
    """Make Biopython fail instead of fetching a DTD it does not ship."""
    from Bio.Entrez import Parser

    def refuse(url: Any, *args: Any, **kwargs: Any) -> Any:
        raise OSError(f"benchmark: network access refused ({url})")

    Parser.urlopen = refuse  # type: ignore[attr-defined]


def biopython_parse(body: bytes, method: list[str]) -> int:
    """Records in one efetch body: Entrez.parse if this Biopython accepts the set, else
    Entrez.read; `method` remembers which (decided on the first file)."""
    from Bio import Entrez as _entrez

    entrez: Any = _entrez  # untyped
    if not method:
        try:
            n = _count(entrez.parse(io.BytesIO(body)))
        except ValueError as exc:  # e.g. 1.88: "use Entrez.read instead of Entrez.parse"
            print(f"Entrez.parse refused the set ({exc}); using Entrez.read", file=sys.stderr)
            method.append("Entrez.read")
        else:
            method.append("Entrez.parse")
            return n
    if method[0] == "Entrez.parse":
        return _count(entrez.parse(io.BytesIO(body)))
    result = entrez.read(io.BytesIO(body))
    return sum(len(result.get(k, [])) for k in ("PubmedArticle", "PubmedBookArticle"))


def _count(records: Iterator[Any]) -> int:
    n = 0
    for _ in records:
        n += 1
    return n


def main() -> None:
    mode, names = sys.argv[1], sys.argv[2:]
    if mode not in ("lxml", "biopython"):
        raise SystemExit(f"usage: {sys.argv[0]} lxml|biopython FILE...")
    method: list[str] = []
    if mode == "biopython":
        _no_downloads()
        import Bio

        version = Bio.__version__
    else:
        version = ".".join(map(str, etree.LXML_VERSION[:3]))
    seconds, records = 0.0, 0
    for name in names:
        body = Path(name).read_bytes()
        start = time.perf_counter()
        records += lxml_parse(body) if mode == "lxml" else biopython_parse(body, method)
        seconds += time.perf_counter() - start
        del body
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    used = method[0] if method else "lxml.etree.iterparse"
    out = {"seconds": seconds, "records": records, "rss": rss, "method": used, "version": version}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
