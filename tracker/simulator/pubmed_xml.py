"""The XML of one PubMed record, element for element as efetch sends it (pubmed_250101.dtd).

Pieces that bulk generation reuses across thousands of records (authors, MeSH, padding
references...) are rendered by separate functions, so pubmed_records can cache them. All
text goes through `esc`; only the optional inline markup is emitted raw.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN"'
    ' "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
# ISO abbreviation -> (full title, electronic ISSN, NLM unique id, country)
JOURNALS = {
    "Lancet Reg Health Eur": (
        "The Lancet regional health. Europe",
        "2666-7762",
        "101777707",
        "England",
    ),
    "N Engl J Med": (
        "The New England journal of medicine",
        "1533-4406",
        "0255562",
        "United States",
    ),
    "Amyotroph Lateral Scler Frontotemporal Degener": (
        "Amyotrophic lateral sclerosis & frontotemporal degeneration",
        "2167-9223",
        "101587185",
        "England",
    ),
    "Brain Stimul": ("Brain stimulation", "1876-4754", "101465726", "United States"),
    "Neurology": ("Neurology", "1526-632X", "0401060", "United States"),
    "J Neurol": ("Journal of neurology", "1432-1459", "0423161", "Germany"),
}
MATHML = (
    '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:mrow><mml:mi>p</mml:mi>'
    "<mml:mo>&lt;</mml:mo><mml:mn>0.05</mml:mn></mml:mrow></mml:math>"
)
# (markup, plain text) appended to the last abstract section when inline_markup is on
MARKUP_SENTENCE = (
    f" Serum neurofilament light fell by 12 pg mL<sup>-1</sup> (<i>P</i> {MATHML}).",
    " Serum neurofilament light fell by 12 pg mL-1 (P p<0.05).",
)

Ymd = tuple[int, int, int]
Abstract = Sequence[tuple[str | None, str | None, str]]


def esc(text: str) -> str:
    """Escaped for element content (NCBI leaves quotes alone there)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(text: str) -> str:
    return esc(text).replace('"', "&quot;")


def ymd(value: str) -> Ymd:
    """'2024/07/10' (or with dashes) as a tuple of ints."""
    year, month, day = value.replace("-", "/").split("/")
    return int(year), int(month), int(day)


def shift(value: Ymd, days: int) -> Ymd:
    moved = date(*value) + timedelta(days=days)
    return moved.year, moved.month, moved.day


def slashed(value: Ymd) -> str:
    return f"{value[0]:04d}/{value[1]:02d}/{value[2]:02d}"


def ymd_xml(tag: str, value: Ymd, attrs: str = "") -> str:
    year, month, day = value
    return (
        f"<{tag}{attrs}><Year>{year}</Year><Month>{month:02d}</Month><Day>{day:02d}</Day></{tag}>"
    )


def _history_date(status: str, value: Ymd, minute: int | None) -> str:
    year, month, day = value  # History months and days are not zero-padded
    clock = "" if minute is None else f"<Hour>6</Hour><Minute>{minute}</Minute>"
    return (
        f'<PubMedPubDate PubStatus="{status}"><Year>{year}</Year><Month>{month}</Month>'
        f"<Day>{day}</Day>{clock}</PubMedPubDate>"
    )


def history_xml(edat: Ymd, completed: Ymd | None, *, book: bool = False) -> str:
    parts = (
        []
        if book
        else [
            _history_date("received", shift(edat, -92), None),
            _history_date("accepted", shift(edat, -31), None),
        ]
    )
    parts += [_history_date("entrez", edat, 0), _history_date("pubmed", edat, 0)]
    parts.append(_history_date("medline", completed or edat, 1 if completed else 0))
    return f"<History>{''.join(parts)}</History>"


def authors_xml(
    authors: Sequence[tuple[str, str, str]], collective: str | None, *, book: bool = False
) -> str:
    if not authors and not collective:
        return ""
    rows = []
    for index, (last, fore, initials) in enumerate(authors):
        affiliation = (
            f"<AffiliationInfo><Affiliation>Department of Neurology, Simulated University "
            f"Hospital {index % 3 + 1}, Madrid, Spain.</Affiliation></AffiliationInfo>"
        )
        rows.append(
            f'<Author ValidYN="Y"><LastName>{esc(last)}</LastName><ForeName>{esc(fore)}'
            f"</ForeName><Initials>{esc(initials)}</Initials>{affiliation}</Author>"
        )
    if collective:
        rows.append(
            f'<Author ValidYN="Y"><CollectiveName>{esc(collective)}</CollectiveName></Author>'
        )
    kind = ' Type="authors"' if book else ""
    return f'<AuthorList{kind} CompleteYN="Y">{"".join(rows)}</AuthorList>'


def abstract_xml(sections: Abstract, inline_markup: bool) -> str:
    if not sections:
        return ""
    rows = []
    for index, (label, category, text) in enumerate(sections):
        attrs = (f' Label="{esc_attr(label)}"' if label else "") + (
            f' NlmCategory="{category}"' if category else ""
        )
        body = esc(text)
        if inline_markup and index == len(sections) - 1:
            body += MARKUP_SENTENCE[0]
        rows.append(f"<AbstractText{attrs}>{body}</AbstractText>")
    return f"<Abstract>{''.join(rows)}</Abstract>"


def title_xml(title: str, inline_markup: bool) -> str:
    """ArticleTitle content; with inline markup the first word is italic (same plain text)."""
    if not inline_markup or " " not in title:
        return esc(title)
    first, rest = title.split(" ", 1)
    return f"<i>{esc(first)}</i> {esc(rest)}"


def databanks_xml(databanks: Sequence[tuple[str, Sequence[str]]]) -> str:
    if not databanks:
        return ""
    rows = "".join(
        f"<DataBank><DataBankName>{esc(name)}</DataBankName><AccessionNumberList>"
        + "".join(f"<AccessionNumber>{esc(a)}</AccessionNumber>" for a in accessions)
        + "</AccessionNumberList></DataBank>"
        for name, accessions in databanks
    )
    return f'<DataBankList CompleteYN="Y">{rows}</DataBankList>'


def pub_types_xml(pub_types: Sequence[tuple[str, str]], *, book: bool = False) -> str:
    rows = "".join(
        f'<PublicationType UI="{ui}">{esc(name)}</PublicationType>' for ui, name in pub_types
    )
    return rows if book else f"<PublicationTypeList>{rows}</PublicationTypeList>"


def mesh_xml(mesh: Sequence[tuple[str, str, bool, Sequence[tuple[str, str, bool]]]]) -> str:
    if not mesh:
        return ""
    rows = []
    for ui, name, major, qualifiers in mesh:
        quals = "".join(
            f'<QualifierName UI="{qui}" MajorTopicYN="{"Y" if qmajor else "N"}">{esc(qname)}'
            "</QualifierName>"
            for qui, qname, qmajor in qualifiers
        )
        rows.append(
            f'<MeshHeading><DescriptorName UI="{ui}" MajorTopicYN="{"Y" if major else "N"}">'
            f"{esc(name)}</DescriptorName>{quals}</MeshHeading>"
        )
    return f"<MeshHeadingList>{''.join(rows)}</MeshHeadingList>"


def keywords_xml(keywords: Sequence[str]) -> str:
    if not keywords:
        return ""
    rows = "".join(f'<Keyword MajorTopicYN="N">{esc(k)}</Keyword>' for k in keywords)
    return f'<KeywordList Owner="NOTNLM">{rows}</KeywordList>'


def comments_xml(comments: Sequence[tuple[str, str]], journal: str) -> str:
    if not comments:
        return ""
    rows = "".join(
        f'<CommentsCorrections RefType="{ref_type}"><RefSource>{esc(journal)}. 2025;'
        f"{pmid[-3:]}:e{pmid[-4:]}</RefSource>"
        f'<PMID Version="1">{pmid}</PMID></CommentsCorrections>'
        for ref_type, pmid in comments
    )
    return f"<CommentsCorrectionsList>{rows}</CommentsCorrectionsList>"


def reference_xml(citation: str, pmid: str | None, doi: str | None = None) -> str:
    ids = f'<ArticleId IdType="pubmed">{pmid}</ArticleId>' if pmid else ""
    ids += f'<ArticleId IdType="doi">{esc(doi)}</ArticleId>' if doi else ""
    return f"<Reference><Citation>{esc(citation)}</Citation>" + (
        f"<ArticleIdList>{ids}</ArticleIdList></Reference>" if ids else "</Reference>"
    )


@lru_cache(maxsize=64)
def padding_references(count: int) -> str:
    """`count` references without PubMed ids (so they add size but no citation links)."""
    return "".join(
        reference_xml(
            f"Moreno-Alvarez P{i % 7}, Lindqvist K, Okafor CN, et al. Longitudinal decline of "
            f"motor function in a simulated cohort, part {i + 1}. J Simul Neurol. "
            f"{2005 + i % 19};{10 + i}({1 + i % 12}):{100 + 7 * i}-{109 + 7 * i}.",
            None,
            f"10.5555/jsn.{2005 + i % 19}.{1000 + i}",
        )
        for i in range(count)
    )


def journal_info(abbr: str) -> tuple[str, str, str, str]:
    """(title, ISSN, NLM id, country), made up but stable for journals not in JOURNALS."""
    if abbr in JOURNALS:
        return JOURNALS[abbr]
    number = sum(map(ord, abbr)) * 7919 % 10**7
    return abbr, f"{number // 1000 % 10000:04d}-{number % 1000:03d}X", f"{number:07d}", "England"


def pub_date_xml(year: str, month: str | None, day: str | None, medline_date: str | None) -> str:
    if medline_date:
        return f"<PubDate><MedlineDate>{esc(medline_date)}</MedlineDate></PubDate>"
    parts = f"<Year>{year}</Year>" + (f"<Month>{month}</Month>" if month else "")
    return f"<PubDate>{parts}{f'<Day>{day}</Day>' if month and day else ''}</PubDate>"


def article_ids_xml(pmid: str, pmc: str | None, doi: str | None, pii: str | None) -> str:
    rows = f'<ArticleId IdType="pubmed">{pmid}</ArticleId>'
    rows += f'<ArticleId IdType="pmc">{pmc}</ArticleId>' if pmc else ""
    rows += f'<ArticleId IdType="doi">{esc(doi)}</ArticleId>' if doi else ""
    rows += f'<ArticleId IdType="pii">{esc(pii)}</ArticleId>' if pii else ""
    return f"<ArticleIdList>{rows}</ArticleIdList>"


def delete_citation_xml(pmids: Sequence[str]) -> str:
    rows = "".join(f'<PMID Version="1">{p}</PMID>' for p in pmids)
    return f"<DeleteCitation>{rows}</DeleteCitation>"
