"""Europe PMC: /search paging over httpx.MockTransport, parse_result on real and core-shaped
results, the id rules, and the pure merge rules of the sync (no database)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import msgspec
import pytest

from tests import paths
from tracker.config import Config, EuropepmcConfig, HttpConfig
from tracker.errors import SourceError
from tracker.http import make_client
from tracker.ingest.europepmc import ANNOTATION, Known, merge_target, page_links, split_page
from tracker.records.article import AbstractSection, Author, Journal, MeshHeading, MeshQualifier
from tracker.records.trial import PartialDate
from tracker.sources.europepmc import EpmcPage, error_message, fetch_pages, search_params
from tracker.sources.europepmc_parse import FetchedResult, article_id, parse_result, read_result
from tracker.sources.europepmc_wire import Result

REAL = paths.SHARED_REAL / "europepmc"
URL = "https://www.ebi.ac.uk/europepmc/webservices/rest"
CFG = EuropepmcConfig(url=URL, query='"amyotrophic lateral sclerosis" OR tSMS')
ERROR_BEAN = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><errorBean><errCode>0</errCode>'
    b"<errMsg>Invalid cursorMark: AoJbogus</errMsg></errorBean>"
)


def real_bytes(name: str) -> bytes:
    """A recorded response from ../shared; a fresh clone has none, so the test skips."""
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path.read_bytes()


def real_results(name: str) -> list[bytes]:
    body = json.loads(real_bytes(name))
    return [json.dumps(r).encode() for r in body["resultList"]["result"]]


def page(ids: list[str], *, hits: int, mark: str | None = None) -> bytes:
    body: dict[str, Any] = {"version": "6.9", "hitCount": hits}
    if mark is not None:
        body["nextCursorMark"] = mark
    results = [{"id": i, "source": "MED", "pmid": i, "title": f"Paper {i}"} for i in ids]
    return json.dumps(body | {"resultList": {"result": results}}).encode()


Answer = bytes | httpx.Response


def client_for(
    answers: dict[str, Answer],
) -> tuple[httpx.Client, list[httpx.Request]]:
    """A client whose /search answers by cursorMark (bytes are a 200 JSON body)."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = answers[request.url.params["cursorMark"]]
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, content=answer)

    cfg = Config().model_copy(update={"http": HttpConfig(retries=0)})
    transport = httpx.MockTransport(handler)
    return make_client(cfg, rps_by_host={}, transport=transport, sleep=lambda _: None), calls


def walk(
    answers: dict[str, Answer], **kw: Any
) -> tuple[list[tuple[int, int, int | None]], list[httpx.Request]]:
    client, calls = client_for(answers)
    pages = [(p.number, len(p.results), p.hit_count) for p in fetch_pages(client, CFG, **kw)]
    return pages, calls


# --- fetch_pages ------------------------------------------------------------------------------


def test_search_params_window_by_index_date_and_keep_the_query_whole():
    params = search_params(CFG, since=date(2025, 1, 8), page_size=1000)
    assert params == {
        "query": '("amyotrophic lateral sclerosis" OR tSMS) AND '
        "FIRST_IDATE:[2025-01-08 TO 3000-01-01]",
        "format": "json",
        "resultType": "core",
        "pageSize": "1000",
    }
    assert search_params(CFG, since=None, page_size=5)["query"] == CFG.query


def test_pages_follow_the_cursor_until_no_mark_comes_back():
    pages, calls = walk(
        {
            "*": page(["1", "2"], hits=5, mark="AoJa"),
            "AoJa": page(["3", "4"], hits=5, mark="AoJb"),
            "AoJb": page(["5"], hits=5),
        },
        since=None,
        page_size=2,
    )
    assert pages == [(1, 2, 5), (2, 2, 5), (3, 1, 5)]
    assert [c.url.params["cursorMark"] for c in calls] == ["*", "AoJa", "AoJb"]
    first = calls[0].url.params
    assert (first["resultType"], first["format"], first["pageSize"]) == ("core", "json", "2")
    assert all(c.url.params["query"] == CFG.query for c in calls)  # every page repeats it


def test_a_repeated_mark_at_the_end_stops_the_walk():
    # Solr-style end: the last full page still has a mark; following it gives an empty
    # page whose mark is the one sent. That empty page is not yielded.
    pages, calls = walk(
        {
            "*": page(["1", "2"], hits=3, mark="AoJa"),
            "AoJa": page(["3"], hits=3, mark="AoJb"),
            "AoJb": page([], hits=3, mark="AoJb"),
        },
        since=None,
    )
    assert pages == [(1, 2, 3), (2, 1, 3)]
    assert len(calls) == 3


def test_an_unchanged_mark_with_results_still_ends_the_walk():
    # Following it again would fetch the same page forever.
    answers: dict[str, Answer] = {
        "*": page(["1"], hits=2, mark="AoJa"),
        "AoJa": page(["2"], hits=2, mark="AoJa"),
    }
    pages, calls = walk(answers, since=None)
    assert pages == [(1, 1, 2), (2, 1, 2)] and len(calls) == 2


def test_a_cursor_that_comes_back_later_is_a_loop_not_an_endless_walk():
    answers: dict[str, Answer] = {
        "*": page(["1"], hits=9, mark="AoJa"),
        "AoJa": page(["2"], hits=9, mark="AoJb"),
        "AoJb": page(["3"], hits=9, mark="AoJa"),
    }
    client, calls = client_for(answers)
    pages = fetch_pages(client, CFG, since=None)
    with pytest.raises(SourceError, match="search page 3: nextCursorMark repeats"):
        list(pages)
    assert len(calls) == 3


def test_no_hits_is_one_empty_page_carrying_the_count():
    pages, _ = walk({"*": page([], hits=0)}, since=None)
    assert pages == [(1, 0, 0)]


@pytest.mark.parametrize("status", [400, 200])
def test_an_error_bean_is_a_source_error_with_its_message(status):
    answers: dict[str, Answer] = {
        "*": page(["1"], hits=2, mark="AoJa"),
        "AoJa": httpx.Response(status, content=ERROR_BEAN),
    }
    with pytest.raises(SourceError) as err:
        walk(answers, since=None)
    assert str(err.value) == (
        f"europepmc: search page 2: Europe PMC says: Invalid cursorMark: AoJbogus (HTTP {status})"
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (b'{"hitCount": 2, "resultList": {"result": [{"id": "1"', "search page 2: malformed JSON"),
        (b'{"hitCount": "many"}', "search page 2: malformed JSON"),
        (httpx.Response(404, text="Not Found"), "search page 2: HTTP 404 from"),
    ],
    ids=["truncated", "wrong-type", "404"],
)
def test_broken_pages_are_source_errors_naming_the_page(answer, message):
    client, _ = client_for({"*": page(["1"], hits=2, mark="AoJa"), "AoJa": answer})
    seen: list[EpmcPage] = []
    with pytest.raises(SourceError, match=message):
        seen.extend(fetch_pages(client, CFG, since=None))
    assert [p.number for p in seen] == [1]  # the page before the failure was handed over


def test_network_errors_are_source_errors():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    cfg = Config().model_copy(update={"http": HttpConfig(retries=0)})
    client = make_client(
        cfg, rps_by_host={}, transport=httpx.MockTransport(refuse), sleep=lambda _: None
    )
    with pytest.raises(SourceError, match="search page 1: ConnectError: connection refused"):
        list(fetch_pages(client, CFG, since=None))


def test_an_empty_query_is_refused_before_asking():
    client, calls = client_for({})
    with pytest.raises(SourceError, match="no query configured"):
        list(fetch_pages(client, EuropepmcConfig(url=URL, query="  "), since=None))
    assert calls == []


def test_error_message_reads_only_error_beans():
    assert error_message(ERROR_BEAN) == "Invalid cursorMark: AoJbogus"
    assert error_message(b'{"errMsg": "<errMsg>x</errMsg>"}') is None
    assert error_message(b"<html>Bad gateway</html>") is None
    real = real_bytes("biomcp_supplementaryFiles_PMC3040717_not_open_access.xml")
    assert error_message(real) == "Article with id PMC3040717 is not open access one"


# --- ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pmid", "source", "rid", "doi", "expected"),
    [
        ("22663011", "MED", "22663011", "10.1056/NEJMoa1203421", "PMID:22663011"),
        (None, "PPR", "PPR123456", "10.1101/2024.07.10.00123456", "PPR:PPR123456"),
        (None, "AGR", "AGR99", "10.1016/J.LANEPE.2024.101019", "DOI:10.1016/j.lanepe.2024.101019"),
        (None, "CTX", "CTX1", None, "CTX:CTX1"),
        (None, "AGR", "AGR98", "10.1002/" + "x" * 60, "AGR:AGR98"),  # too long for the id
        (None, None, None, None, ""),
    ],
)
def test_article_id_rules(pmid, source, rid, doi, expected):
    assert article_id(pmid, source, rid, doi) == expected


def test_read_result_keeps_an_odd_record_unparsed_with_its_id():
    raw = msgspec.Raw(b'{"id": "123", "source": "MED", "pmid": 123, "title": "x"}')
    fetched = read_result(raw)
    assert (fetched.id, fetched.record, fetched.raw) == ("PMID:123", None, raw)
    assert "Expected `str | null`, got `int`" in (fetched.error or "")


# --- parse_result -----------------------------------------------------------------------------

CORE: dict[str, Any] = {
    "id": "39000001",
    "source": "MED",
    "pmid": "39000001",
    "pmcid": "PMC11000001",
    "doi": "10.1016/J.LANEPE.2024.101019",
    "title": "Static magnetic stimulation in <i>ALS</i>: the STIMALS trial.",
    "authorString": "Di Lazzaro V, Capone F.",
    "authorList": {
        "author": [
            {
                "fullName": "Di Lazzaro V",
                "firstName": "Vincenzo",
                "lastName": "Di Lazzaro",
                "initials": "V",
                "affiliation": "Campus Bio-Medico, Rome",
            },
            {"fullName": "Capone F"},
            {"collectiveName": "STIMALS Study Group"},
        ]
    },
    "journalInfo": {
        "issue": "9",
        "volume": "44",
        "yearOfPublication": 2024,
        "journal": {
            "title": "The Lancet regional health. Europe",
            "ISOAbbreviation": "Lancet Reg Health Eur",
            "ESSN": "2666-7762",
            "NLMid": "101777707",
        },
    },
    "pageInfo": "101019",
    "pubYear": "2024",
    "abstractText": "<h4>Background</h4>tSMS (NCT04393467) &amp; sham.<h4>Findings</h4>No effect.",
    "language": "eng",
    "pubTypeList": {"pubType": ["research-article", "randomized controlled trial"]},
    "keywordList": {"keyword": ["ALS", "tSMS"]},
    "meshHeadingList": {
        "meshHeading": [
            {
                "majorTopic_YN": "Y",
                "descriptorName": "Amyotrophic Lateral Sclerosis",
                "meshQualifierList": {
                    "meshQualifier": [
                        {"abbreviation": "TH", "qualifierName": "therapy", "majorTopic_YN": "N"}
                    ]
                },
            }
        ]
    },
    "tmAccessionTypeList": {"accessionType": ["nct"]},
    "citedByCount": 3,
    "firstIndexDate": "2024-07-12",
    "firstPublicationDate": "2024-07-10",
}


def test_parse_result_maps_a_core_result():
    record = parse_result(msgspec.convert(CORE, Result))
    assert (record.id, record.pmid, record.pmcid) == ("PMID:39000001", "39000001", "PMC11000001")
    assert record.doi == "10.1016/J.LANEPE.2024.101019"  # as sent; the store lower-cases it
    assert record.title == "Static magnetic stimulation in ALS: the STIMALS trial."
    text = "Background tSMS (NCT04393467) & sham. Findings No effect."
    assert record.abstract == [AbstractSection(label=None, category=None, text=text)]
    assert record.authors == [
        Author(
            last_name="Di Lazzaro",
            fore_name="Vincenzo",
            initials="V",
            affiliation="Campus Bio-Medico, Rome",
        ),
        Author(last_name="Capone", initials="F"),
        Author(collective_name="STIMALS Study Group"),
    ]
    assert record.journal == Journal(
        title="The Lancet regional health. Europe",
        iso_abbreviation="Lancet Reg Health Eur",
        issn="2666-7762",
        volume="44",
        issue="9",
        pages="101019",
    )
    assert record.pub_date == PartialDate(value="2024-07-10", precision="day")
    assert [p.name for p in record.publication_types] == [
        "research-article",
        "Randomized Controlled Trial",  # PubMed's spelling, so rules match either source
    ]
    assert record.keywords == ["ALS", "tSMS"] and record.languages == ["eng"]
    assert record.mesh == [
        MeshHeading(
            ui=None,
            name="Amyotrophic Lateral Sclerosis",
            major=True,
            qualifiers=[MeshQualifier(ui=None, name="therapy", major=False)],
        )
    ]
    assert [(i.type, i.value) for i in record.article_ids] == [
        ("pubmed", "39000001"),
        ("doi", "10.1016/J.LANEPE.2024.101019"),
        ("pmc", "PMC11000001"),
        ("europepmc", "MED:39000001"),
    ]
    assert record.entrez_date is None and not record.retracted


def test_read_result_takes_annotated_trials_and_the_index_date():
    fetched = read_result(json.dumps(CORE).encode())
    assert fetched.annotated_trials == ["NCT04393467"]
    assert (fetched.index_date, fetched.doi) == ("2024-07-12", "10.1016/J.LANEPE.2024.101019")
    # Without the text-mining flag, an NCT id in the abstract is not an annotation (the
    # sync still links it with provenance 'abstract').
    plain = read_result(json.dumps({**CORE, "tmAccessionTypeList": None}).encode())
    assert plain.annotated_trials == []


def test_the_citation_count_makes_no_new_content():
    one = parse_result(msgspec.convert(CORE, Result))
    other = parse_result(msgspec.convert({**CORE, "citedByCount": 99, "inEPMC": "N"}, Result))
    assert msgspec.json.encode(one) == msgspec.json.encode(other)


def test_parse_result_reads_a_real_lite_result():
    (raw,) = real_results("biomcp_search_pmid_22663011.json")
    fetched = read_result(raw)
    record = fetched.record
    assert record is not None and fetched.id == "PMID:22663011"
    assert record.title == "Improved survival with MEK inhibition in BRAF-mutated melanoma."
    assert record.authors[0] == Author(last_name="Flaherty", initials="KT")
    assert record.authors[-1] == Author(collective_name="METRIC Study Group")
    assert len(record.authors) == 26
    assert record.journal == Journal(
        title="N Engl J Med",
        iso_abbreviation="N Engl J Med",
        issn="0028-4793",
        volume="367",
        issue="2",
        pages="107-114",
    )
    assert [p.name for p in record.publication_types] == [
        "Clinical Trial, Phase III",
        "Comparative Study",
        "research support, non-u.s. gov't",  # not a type the rules read: kept as sent
        "Multicenter Study",
        "Randomized Controlled Trial",
        "Journal Article",
    ]
    assert record.pub_date == PartialDate(value="2012-06-04", precision="day")
    # Flagged 'nct', but a lite result has no abstract to read the id from.
    assert fetched.annotated_trials == [] and fetched.index_date == "2012-06-08"


def parsed_title(raw: bytes) -> str:
    record = read_result(raw).record
    assert record is not None and record.title is not None, "the result did not parse"
    return record.title


def test_titles_lose_markup_even_when_escaped_twice():
    raws = real_results("biomcp_search_atm_variant_pagesize25.json")
    titles = [parsed_title(raw) for raw in raws]
    assert titles[0].startswith("Rare Germline Variants in DNA Repair Genes Detected in BRCA-")
    assert titles[3] == (
        "Rare, protein-truncating variants in ATM, CHEK2 and PALB2, but not XRCC2, "
        "are associated with increased breast cancer risks."
    )


def test_a_preprint_has_its_server_for_a_journal():
    result = {
        "id": "PPR900001",
        "source": "PPR",
        "doi": "10.1101/2024.07.10.24310001",
        "title": "tSMS in ALS: a pilot",
        "bookOrReportDetails": {"publisher": "medRxiv", "yearOfPublication": 2024},
        "pubTypeList": {"pubType": ["preprint"]},
        "firstPublicationDate": "2024-07-10",
    }
    record = parse_result(msgspec.convert(result, Result))
    assert record.id == "PPR:PPR900001" and record.pmid is None
    assert record.journal == Journal(title="medRxiv")
    assert [p.name for p in record.publication_types] == ["Preprint"]


def test_a_retraction_from_europe_pmc_reads_as_one():
    result = {**CORE, "pubTypeList": {"pubType": ["retracted publication", "journal article"]}}
    assert parse_result(msgspec.convert(result, Result)).retracted


# --- merge rules (pure) ---------------------------------------------------------------------


def fetched_pmid(pmid: str, trials: list[str]) -> FetchedResult:
    record = parse_result(msgspec.convert({**CORE, "id": pmid, "pmid": pmid}, Result))
    return FetchedResult(record.id, b"{}", record, record.doi, trials, None)


KNOWN = Known(
    pubmed_ids=frozenset({"PMID:1"}),
    by_doi={"10.1/a": "PMID:1", "10.1/b": "PPR:PPR7", "10.1/c": "DOI:10.1/c"},
)


@pytest.mark.parametrize(
    ("article", "doi", "target"),
    [
        ("PMID:1", "10.1/zzz", "PMID:1"),  # PubMed has it: never overwrite
        ("PMID:2", None, None),  # a PMID PubMed lacks: stored
        ("PMID:2", "10.1/a", None),  # has a PMID of its own: not merged by DOI
        ("DOI:10.1/a", "10.1/A", "PMID:1"),  # same DOI, any case
        ("AGR:AGR1", "10.1/b", "PPR:PPR7"),  # a DOI match with any stored article
        ("DOI:10.1/c", "10.1/c", None),  # itself: an update, stored as usual
        ("PPR:PPR8", "10.1/new", None),  # a new preprint
        ("PPR:PPR8", None, None),
    ],
)
def test_merge_target(article, doi, target):
    assert merge_target(article, doi, KNOWN) == target


def test_split_page_and_links_put_annotations_on_the_merged_paper():
    ours = FetchedResult("PMID:1", b"{}", None, None, ["NCT00000001"], None)
    by_doi = FetchedResult("DOI:10.1/a", b"{}", None, "10.1/a", ["NCT00000002"], None)
    new = fetched_pmid("3", ["NCT04393467"])
    stored, merged = split_page([ours, by_doi, new], KNOWN)
    assert stored == [new]
    assert merged == {"PMID:1": "PMID:1", "DOI:10.1/a": "PMID:1"}
    links = page_links([ours, by_doi, new], merged)
    assert links == [
        ("PMID:1", "NCT00000001", ANNOTATION),
        ("PMID:1", "NCT00000002", ANNOTATION),
        ("PMID:3", "NCT04393467", "abstract"),  # the stored record's own links
        ("PMID:3", "NCT04393467", ANNOTATION),
    ]
