"""Europe PMC records for the simulator, and their JSON in the lite and core result shapes.

Shapes follow ../shared/data/real/europepmc/ (search resultType=lite, version 6.9): strings
for flags ("Y"/"N"), pubType as one "; "-joined string, tmAccessionTypeList.accessionType
(["nct"] when a trial id was text-mined). Preprints have source PPR, an id like PPR123456,
no pmid and no journal. `from_pubmed` mirrors a simulated PubMed article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from .pubmed_records import Article
from .pubmed_xml import journal_info

_NCT = re.compile(r"\bNCT\d{8}\b")


@dataclass(frozen=True, slots=True)
class EpmcRecord:
    """One Europe PMC record. `cited_by` counts citations from outside the world; the
    world adds the records that cite this one through EuropepmcWorld.cite."""

    id: str
    source: str
    title: str
    authors: tuple[str, ...]
    first_publication_date: str  # YYYY-MM-DD
    first_index_date: str
    pub_year: str
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    journal: str | None = None  # the ISO abbreviation, Europe PMC's journalTitle
    volume: str | None = None
    issue: str | None = None
    page_info: str | None = None
    pub_types: tuple[str, ...] = ("research-article", "journal article")
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    mesh: tuple[str, ...] = ()
    accessions: tuple[str, ...] = ()  # text-mined accession numbers (NCT ids...)
    open_access: bool = False
    cited_by: int = 0
    publisher: str | None = None  # a preprint's server

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.id

    @property
    def accession_types(self) -> list[str]:
        return ["nct"] if any(_NCT.fullmatch(a) for a in self.accessions) else []


def make_epmc_record(
    record_id: str,
    *,
    title: str,
    source: str = "MED",
    authors: Sequence[str] = ("Capone F",),
    first_publication_date: str = "2024-07-10",
    first_index_date: str | None = None,
    journal: str | None = "Lancet Reg Health Eur",
    doi: str | None = None,
    pmcid: str | None = None,
    pub_types: Sequence[str] = ("research-article", "journal article"),
    abstract: str = "",
    keywords: Sequence[str] = (),
    accessions: Sequence[str] = (),
    cited_by: int = 0,
    publisher: str | None = None,
) -> EpmcRecord:
    """A record; MED records get `pmid` = id. Accession numbers default to the NCT ids in
    the title and abstract, as Europe PMC's text mining finds them."""
    year = first_publication_date[:4]
    return EpmcRecord(
        id=record_id,
        source=source,
        title=title,
        authors=tuple(authors),
        first_publication_date=first_publication_date,
        first_index_date=first_index_date or first_publication_date,
        pub_year=year,
        pmid=record_id if source == "MED" else None,
        pmcid=pmcid,
        doi=doi,
        journal=journal,
        volume=str(int(year) - 1980) if journal else None,
        issue=str(int(first_publication_date[5:7])) if journal else None,
        page_info=record_id[-6:] if journal else None,
        pub_types=tuple(pub_types),
        abstract=abstract,
        keywords=tuple(keywords),
        accessions=tuple(accessions) or tuple(dict.fromkeys(_NCT.findall(f"{title} {abstract}"))),
        open_access=pmcid is not None,
        cited_by=cited_by,
        publisher=publisher,
    )


def make_preprint(
    ppr_id: str,
    *,
    title: str,
    server: str = "medRxiv",
    first_publication_date: str = "2024-07-10",
    doi: str | None = None,
    **kwargs: Any,
) -> EpmcRecord:
    """A preprint (source PPR): no PMID, no journal, pubType "preprint"."""
    if not re.fullmatch(r"PPR\d+", ppr_id):
        raise ValueError(f"not a Europe PMC preprint id: {ppr_id!r}")
    stamp = first_publication_date.replace("-", ".")
    return make_epmc_record(
        ppr_id,
        title=title,
        source="PPR",
        journal=None,
        first_publication_date=first_publication_date,
        doi=doi or f"10.1101/{stamp}.{ppr_id[3:].zfill(8)}",
        pub_types=("preprint",),
        publisher=server,
        **kwargs,
    )


def from_pubmed(article: Article, **overrides: Any) -> EpmcRecord:
    """The Europe PMC (source MED) view of a simulated PubMed article. Dates: first
    publication = the electronic date (entrez date here), first index = two days later."""
    a = article.args
    authors = [f"{last} {initials}" for last, _, initials in a["authors"]]
    authors += [a["collective"]] if a["collective"] else []
    abstract = " ".join(text for _, _, text in a["abstract"])
    published = article.edat.replace("/", "-")
    indexed = (date.fromisoformat(published) + timedelta(days=2)).isoformat()
    accessions = [acc for _, accs in a["databanks"] for acc in accs]
    record = make_epmc_record(
        article.pmid,
        title=article.title,
        authors=authors,
        first_publication_date=published,
        first_index_date=indexed,
        journal=None if article.book else a["journal"],
        doi=article.doi.lower() if article.doi else None,
        pmcid=article.pmc,
        pub_types=[name.lower() for _, name in a["pub_types"]],
        abstract=abstract,
        keywords=a["keywords"],
        accessions=list(dict.fromkeys([*accessions, *_NCT.findall(abstract)])),
    )
    return replace(record, pub_year=article.year, mesh=tuple(m[1] for m in a["mesh"]), **overrides)


def _flags(record: EpmcRecord, cited_by: int) -> dict[str, Any]:
    in_pmc = "Y" if record.pmcid else "N"
    flags: dict[str, Any] = {
        "isOpenAccess": "Y" if record.open_access else "N",
        "inEPMC": in_pmc,
        "inPMC": in_pmc,
        "hasPDF": in_pmc,
        "hasBook": "N",
        "hasSuppl": "N",
        "citedByCount": cited_by,
        "hasReferences": "Y" if record.source == "MED" else "N",
        "hasTextMinedTerms": "Y",
        "hasDbCrossReferences": "N",
        "hasLabsLinks": "N",
        "hasTMAccessionNumbers": "Y" if record.accession_types else "N",
    }
    if record.accession_types:
        flags["tmAccessionTypeList"] = {"accessionType": record.accession_types}
    return flags


def _ids(record: EpmcRecord) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record.id, "source": record.source}
    if record.pmid:
        out["pmid"] = record.pmid
    if record.pmcid:
        out |= {"pmcid": record.pmcid, "fullTextIdList": {"fullTextId": [record.pmcid]}}
    return out | ({"doi": record.doi} if record.doi else {})


def result_json(record: EpmcRecord, result_type: str, cited_by: int) -> dict[str, Any]:
    """One entry of resultList.result for resultType lite, core or idlist."""
    out = _ids(record)
    if result_type == "idlist":
        return out
    out |= {"title": record.title, "authorString": ", ".join(record.authors) + "."}
    details: dict[str, Any] = {}
    if record.publisher:
        details["bookOrReportDetails"] = {
            "publisher": record.publisher,
            "yearOfPublication": int(record.pub_year),
        }
    if result_type == "lite":
        if record.journal:
            issn = journal_info(record.journal)[1]
            out |= {"journalTitle": record.journal, "issue": record.issue}
            out |= {"journalVolume": record.volume, "pubYear": record.pub_year}
            out |= {"journalIssn": issn, "pageInfo": record.page_info}
        else:
            out["pubYear"] = record.pub_year
        out |= details | {"pubType": "; ".join(record.pub_types)}
    else:
        out["authorList"] = {"author": [{"fullName": name} for name in record.authors]}
        if record.journal:
            title, issn, nlm_id, _ = journal_info(record.journal)
            journal = {"title": title, "ISOAbbreviation": record.journal, "NLMid": nlm_id}
            out["journalInfo"] = {
                "issue": record.issue,
                "volume": record.volume,
                "yearOfPublication": int(record.pub_year),
                "printPublicationDate": record.first_publication_date,
                "journal": journal | {"ESSN": issn},
            }
        out |= {"pubYear": record.pub_year, "abstractText": record.abstract, "language": "eng"}
        out |= details | {"pubTypeList": {"pubType": list(record.pub_types)}}
        if record.keywords:
            out["keywordList"] = {"keyword": list(record.keywords)}
        if record.mesh:
            rows = [{"majorTopic_YN": "N", "descriptorName": m} for m in record.mesh]
            out["meshHeadingList"] = {"meshHeading": rows}
    out |= _flags(record, cited_by)
    out["firstIndexDate"] = record.first_index_date
    out["firstPublicationDate"] = record.first_publication_date
    return out


def citation_json(record: EpmcRecord, cited_by: int) -> dict[str, Any]:
    """One entry of citationList.citation (or referenceList.reference)."""
    out: dict[str, Any] = {"id": record.id, "source": record.source}
    out |= {"citationType": record.pub_types[-1], "title": record.title}
    out["authorString"] = ", ".join(record.authors) + "."
    if record.journal:
        out |= {"journalAbbreviation": record.journal, "issue": record.issue}
        out |= {"volume": record.volume, "pageInfo": record.page_info}
    return out | {"pubYear": int(record.pub_year), "citedByCount": cited_by}
