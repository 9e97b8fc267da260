"""PubMed records for the simulator: `make_article` builds one in the exact efetch XML shape.

The shapes follow the real efetch answers in ../shared/data/real/pubmed/ and the element
order of pubmed_250101.dtd (tests/simulator/test_simulator_literature.py validates against it). An
Article keeps its XML pre-encoded, so efetch only joins bytes, plus the normalised text and
tags that PubmedWorld.search matches, and the make_article arguments, so that the world can
rebuild a record when a test changes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import tracker.simulator.pubmed_xml as px

AUTO = "auto"  # doi=AUTO: 10.1016/j.lanepe.<year>.<last 6 digits of the PMID>
_NON_WORD = re.compile(r"[\W_]+")
_DEFAULT_ABSTRACT = (
    ("BACKGROUND", "BACKGROUND", "No treatment halts amyotrophic lateral sclerosis (ALS)."),
    (
        "METHODS",
        "METHODS",
        "In this randomised, sham-controlled trial, adults with ALS received transcranial static"
        " magnetic stimulation (tSMS) or sham stimulation for 6 months (NCT04393467).",
    ),
    ("RESULTS", "RESULTS", "The ALSFRS-R slope did not differ between groups (p=0.41)."),
    ("CONCLUSIONS", "CONCLUSIONS", "tSMS was safe but did not slow functional decline."),
)
_PAD_BYTES = len(px.padding_references(1))
_ELECTRONIC = ' DateType="Electronic"'


@dataclass(frozen=True, slots=True)
class Article:
    """One stored PubMed record. Dates are YYYY/MM/DD; `xml` is one <PubmedArticle> (or
    <PubmedBookArticle>) element; `text` is the normalised title | abstract+keywords |
    MeSH, publication types and accession numbers, each part padded with spaces."""

    pmid: str
    title: str
    edat: str
    pdat: str
    mdat: str
    text: str
    ti_end: int  # text[:ti_end] is the title, text[:tiab_end] title, abstract and keywords
    tiab_end: int
    tags: str  # "\x1f"-separated field:value entries for [mh], [pt], [si], [au], [ta]...
    doi: str | None
    pmc: str | None
    cites: frozenset[str]
    book: bool
    xml: bytes
    args: Mapping[str, Any]  # the make_article arguments, pmid included

    @property
    def year(self) -> str:
        return self.pdat[:4]


def norm(text: str) -> str:
    """Lower case, every run of non-word characters one space, padded: ' a b '."""
    return f" {_NON_WORD.sub(' ', text.lower()).strip()} "


def _month_number(month: str | None) -> int:
    if not month:
        return 1
    return int(month) if month.isdigit() else px.MONTHS.index(month[:3].title()) + 1


def _pub_date(args: Mapping[str, Any]) -> str:
    if args["medline_date"]:  # "2024 Jul-Aug": the year and the first month named
        found = re.match(r"(\d{4})\s*([A-Za-z]{3})?", args["medline_date"])
        if found is None:
            raise ValueError(f"medline_date must start with a year: {args['medline_date']!r}")
        return f"{found[1]}/{_month_number(found[2]):02d}/01"
    day = int(args["day"]) if args["day"] and args["month"] else 1
    return f"{int(args['year']):04d}/{_month_number(args['month']):02d}/{day:02d}"


def static_parts(args: Mapping[str, Any]) -> dict[str, str]:
    """What does not change between bulk copies of one template: XML fragments, and the
    MeSH, publication type, author and journal parts of the search index."""
    tags = [f"ta:{args['journal']}", "la:eng"]
    for _, name, major, qualifiers in args["mesh"]:
        tags += [f"mh:{name}", *(f"mh:{name}/{q[1]}" for q in qualifiers)]
        tags += [f"mj:{name}"] if major or any(q[2] for q in qualifiers) else []
    tags += [f"pt:{name}" for _, name in args["pub_types"]]
    tags += [f"au:{last} {initials}" for last, _, initials in args["authors"]]
    tags += [f"au:{args['collective']}"] if args["collective"] else []
    extra = [*(m[1] for m in args["mesh"]), *(name for _, name in args["pub_types"])]
    return {
        "tags": "\x1f" + "".join(f"{t.lower()}\x1f" for t in tags),
        "extra": norm(" ".join(extra)),
        "authors": px.authors_xml(args["authors"], args["collective"], book=args["book"]),
        "pub_types": px.pub_types_xml(args["pub_types"], book=args["book"]),
        "mesh": "" if args["book"] else px.mesh_xml(args["mesh"]),
        "keywords": px.keywords_xml(args["keywords"]),
        "comments": px.comments_xml(args["comments"], args["journal"]),
        "references": "".join(px.reference_xml(c, p) for c, p in args["references"]),
    }


def _render(args: Mapping[str, Any], static: Mapping[str, str], padding: int) -> str:
    pmid, doi, pmc, book = args["pmid"], args["doi"], args["pmc"], args["book"]
    edat, mdat = px.ymd(args["entrez_date"]), px.ymd(args["mdat"])
    year, journal = args["year"], args["journal"]
    pub_date = px.pub_date_xml(year, args["month"], args["day"], args["medline_date"])
    title = px.title_xml(args["title"], args["inline_markup"])
    abstract = px.abstract_xml(args["abstract"], args["inline_markup"])
    refs = static["references"] + (px.padding_references(padding) if padding else "")
    ref_list = f"<ReferenceList>{refs}</ReferenceList>" if refs else ""
    doi_id = f'<ArticleId IdType="doi">{px.esc(doi)}</ArticleId>' if doi else ""
    if book:
        shelf = f"nbk{pmid[-6:]}"
        return (
            f'<PubmedBookArticle><BookDocument><PMID Version="1">{pmid}</PMID><ArticleIdList>'
            f'<ArticleId IdType="bookaccession">NBK{pmid[-6:]}</ArticleId>{doi_id}</ArticleIdList>'
            "<Book><Publisher><PublisherName>National Academies Press (US)</PublisherName>"
            "<PublisherLocation>Washington (DC)</PublisherLocation></Publisher>"
            f'<BookTitle book="{shelf}">{title}</BookTitle>{pub_date}{static["authors"]}'
            + (f'<ELocationID EIdType="doi">{px.esc(doi)}</ELocationID>' if doi else "")
            + f"</Book><Language>eng</Language>{static['pub_types']}{abstract}"
            f"{static['keywords']}{px.ymd_xml('DateRevised', mdat)}{ref_list}</BookDocument>"
            f"<PubmedBookData>{px.history_xml(edat, None, book=True)}<PublicationStatus>ppublish"
            f"</PublicationStatus>{px.article_ids_xml(pmid, None, None, None)}</PubmedBookData>"
            "</PubmedBookArticle>"
        )
    medline = bool(args["mesh"])
    full_title, issn, nlm_id, country = px.journal_info(journal)
    page = pmid[-6:]
    pii = f"S{issn}({year[2:]}){pmid[-5:]}-{pmid[-1]}"
    return (
        f'<PubmedArticle><MedlineCitation Status="{"MEDLINE" if medline else "PubMed-not-MEDLINE"}"'
        f' Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        + (px.ymd_xml("DateCompleted", mdat) if medline else "")
        + px.ymd_xml("DateRevised", mdat)
        + f'<Article PubModel="Print-Electronic"><Journal><ISSN IssnType="Electronic">{issn}'
        f'</ISSN><JournalIssue CitedMedium="Internet"><Volume>{int(year) - 1980}</Volume>'
        f"<Issue>{_month_number(args['month'])}</Issue>{pub_date}</JournalIssue>"
        f"<Title>{px.esc(full_title)}</Title><ISOAbbreviation>{px.esc(journal)}</ISOAbbreviation>"
        f"</Journal><ArticleTitle>{title}</ArticleTitle><Pagination><StartPage>{page}"
        f"</StartPage><MedlinePgn>{page}</MedlinePgn></Pagination>"
        + (f'<ELocationID EIdType="doi" ValidYN="Y">{px.esc(doi)}</ELocationID>' if doi else "")
        + f'<ELocationID EIdType="pii" ValidYN="Y">{pii}</ELocationID>{abstract}'
        f"{static['authors']}<Language>eng</Language>{px.databanks_xml(args['databanks'])}"
        f"{static['pub_types']}{px.ymd_xml('ArticleDate', edat, _ELECTRONIC)}"
        f"</Article><MedlineJournalInfo><Country>{country}</Country><MedlineTA>"
        f"{px.esc(journal)}</MedlineTA><NlmUniqueID>{nlm_id}</NlmUniqueID><ISSNLinking>{issn}"
        "</ISSNLinking></MedlineJournalInfo>"
        + ("<CitationSubset>IM</CitationSubset>" if medline else "")
        + f"{static['comments']}{static['mesh']}{static['keywords']}</MedlineCitation>"
        f"<PubmedData>{px.history_xml(edat, mdat if medline else None)}<PublicationStatus>"
        f"ppublish</PublicationStatus>{px.article_ids_xml(pmid, pmc, doi, pii)}{ref_list}"
        "</PubmedData></PubmedArticle>"
    )


def padding_for(args: Mapping[str, Any], static: Mapping[str, str]) -> int:
    """Padding units that bring the record to its `size_kb`."""
    missing = int(args["size_kb"] * 1024) - len(_render(args, static, 0).encode())
    return max(0, -(-missing // _PAD_BYTES))


def _index(args: Mapping[str, Any], static: Mapping[str, str]) -> tuple[str, int, int, str]:
    """(text, ti_end, tiab_end, tags) for PubmedWorld.search."""
    abstract = " ".join(text for _, _, text in args["abstract"])
    if args["inline_markup"] and args["abstract"]:
        abstract += px.MARKUP_SENTENCE[1]
    ti = norm(args["title"])
    tiab = f"{ti}|{norm(abstract + ' ' + ' '.join(args['keywords']))}"
    accessions = [(bank, a) for bank, accs in args["databanks"] for a in accs]
    tags = [f"si:{a}\x1fsi:{bank}/{a}" for bank, a in accessions]
    tags += [f"aid:{args['doi']}"] if args["doi"] else []
    extra = static["extra"]
    if accessions:
        extra += norm(" ".join(a for _, a in accessions))[1:]
    joined = static["tags"] + "".join(f"{t.lower()}\x1f" for t in tags)
    return f"{tiab}|{extra}", len(ti), len(tiab), joined


def build_article(given: Mapping[str, Any], static: Mapping[str, str], padding: int) -> Article:
    args = dict(given)  # bulk records hand in a ChainMap: one flat copy reads faster
    text, ti_end, tiab_end, tags = _index(args, static)
    return Article(
        pmid=args["pmid"],
        title=args["title"],
        edat=px.slashed(px.ymd(args["entrez_date"])),
        pdat=_pub_date(args),
        mdat=px.slashed(px.ymd(args["mdat"])),
        text=text,
        ti_end=ti_end,
        tiab_end=tiab_end,
        tags=tags,
        doi=args["doi"],
        pmc=args["pmc"],
        cites=frozenset(p for _, p in args["references"] if p),
        book=args["book"],
        xml=_render(args, static, padding).encode(),
        args=given,
    )


def make_article(
    pmid: str,
    *,
    title: str,
    abstract: px.Abstract = _DEFAULT_ABSTRACT,
    authors: Sequence[tuple[str, str, str]] = (("Capone", "Federico", "F"),),
    collective: str | None = None,
    journal: str = "Lancet Reg Health Eur",
    year: str = "2024",
    month: str | None = "Jul",
    day: str | None = None,
    medline_date: str | None = None,
    entrez_date: str = "2024/07/10",
    mdat: str = "2024/07/12",
    pub_types: Sequence[tuple[str, str]] = (
        ("D016428", "Journal Article"),
        ("D016449", "Randomized Controlled Trial"),
    ),
    mesh: Sequence[tuple[str, str, bool, Sequence[tuple[str, str, bool]]]] = (
        ("D000690", "Amyotrophic Lateral Sclerosis", False, (("Q000628", "therapy", True),)),
    ),
    keywords: Sequence[str] = (),
    databanks: Sequence[tuple[str, Sequence[str]]] = (("ClinicalTrials.gov", ("NCT04393467",)),),
    doi: str | None = AUTO,
    pmc: str | None = None,
    comments: Sequence[tuple[str, str]] = (),
    references: Sequence[tuple[str, str | None]] = (),
    book: bool = False,
    inline_markup: bool = False,
    size_kb: float = 0,
) -> Article:
    """One PubMed record. `abstract` is (Label, NlmCategory, text) sections; `mesh` is
    (UI, descriptor, major, [(UI, qualifier, major)]); `comments` (RefType, PMID) pairs;
    `references` (citation, PMID or None), whose PMIDs make up `cites`. Records with no
    MeSH are PubMed-not-MEDLINE. `size_kb` pads with PMID-less references up to that size."""
    args = dict(locals())  # the parameters only: nothing else is bound yet
    if not pmid.isdigit():
        raise ValueError(f"not a PMID: {pmid!r}")
    if doi == AUTO:
        args["doi"] = f"10.1016/j.lanepe.{year}.{pmid[-6:].zfill(6)}"
    static = static_parts(args)
    return build_article(args, static, padding_for(args, static))


def make_delete_citation(pmids: Sequence[str]) -> bytes:
    """The <DeleteCitation> element real efetch appends to a PubmedArticleSet."""
    return px.delete_citation_xml(pmids).encode()
