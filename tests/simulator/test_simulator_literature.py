"""The simulator's PubMed E-utilities and Europe PMC parts keep the real semantics, over sockets.

Formats are checked against the real DTDs in ../shared/data/real/spec/ (skipped when the
shared folder is absent); paging, History server, the 9,999-id cap, date windows, faults
and world changes are exercised with plain httpx, as the tracker's clients will meet them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from tests import paths
from tests.simulator.dtd_check import Dtd, load_dtd, validate
from tracker.simulator import (
    ESEARCH_CAP,
    RegistrySimulator,
    from_pubmed,
    make_article,
    make_bulk_articles,
    make_delete_citation,
    make_epmc_record,
    make_preprint,
)

SPEC = paths.SHARED_REAL / "spec"
DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN"'
    ' "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)


def dtd(name: str) -> Dtd:
    if not (SPEC / name).exists():
        pytest.skip(f"{SPEC / name} is not available")
    return load_dtd(SPEC / name)


def pmid(n: int) -> str:
    return str(39_000_000 + n)


def article(n: int, **overrides: Any) -> Any:
    args: dict[str, Any] = {"title": f"Static magnetic stimulation in ALS, report {n}"}
    return make_article(pmid(n), **(args | overrides))


def ids(response: httpx.Response) -> list[str]:
    return [e.text or "" for e in ET.fromstring(response.content).iter("Id")]


def pmids(response: httpx.Response) -> list[str]:
    """The records' own PMIDs in answer order (the DeleteCitation ones last), not cited ones."""
    found = []
    for record in ET.fromstring(response.content):
        if record.tag == "DeleteCitation":
            found += [e.text or "" for e in record]
        else:
            found.append(record.findtext("*/PMID") or "")
    return found


@pytest.fixture
def eutils(simulator: RegistrySimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=simulator.pubmed_url, timeout=5.0) as client:
        yield client


@pytest.fixture
def epmc(simulator: RegistrySimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=simulator.europepmc_url, timeout=5.0) as client:
        yield client


def search(client: httpx.Client, term: str, **params: str) -> httpx.Response:
    return client.get("/esearch.fcgi", params={"db": "pubmed", "term": term, **params})


# --- records -------------------------------------------------------------------------------


def test_every_generated_record_fits_the_2025_dtd(
    simulator: RegistrySimulator, eutils: httpx.Client
) -> None:
    pubmed_dtd = dtd("pubmed_250101.dtd")
    variants = [
        article(1, inline_markup=True, keywords=["tSMS"], pmc="PMC11200001"),
        article(2, collective="tSMS-ALS Study Group", mesh=[], medline_date="2024 Jul-Aug"),
        article(3, comments=[("CommentIn", pmid(9))], references=[("Capone F. 2020", pmid(1))]),
        article(4, abstract=[(None, None, "Unstructured & <short>.")], authors=[], doi=None),
        article(5, book=True, pub_types=[("D016454", "Review")], collective="NICE", size_kb=4),
        article(6, size_kb=6, day="15", databanks=[("ClinicalTrials.gov", ["NCT1", "NCT2"])]),
        *make_bulk_articles(60, seed=3, size_kb=5),
    ]
    simulator.pubmed.add_many(variants)
    simulator.pubmed.delete(pmid(6))
    wanted = [a.pmid for a in variants]
    response = eutils.post("/efetch.fcgi", data={"db": "pubmed", "id": ",".join(wanted)})

    assert response.headers["content-type"] == "text/xml; charset=UTF-8"
    assert response.text.split("\n")[:3] == [
        '<?xml version="1.0" ?>',
        DOCTYPE,
        "<PubmedArticleSet>",
    ]
    root = ET.fromstring(response.content)
    assert validate(root, pubmed_dtd) == []
    assert [c.tag for c in root][-1] == "DeleteCitation"
    assert pmids(response) == [*wanted[:5], *wanted[6:], pmid(6)]  # request order; deleted last
    for record in variants:  # each record alone is one well-formed element too
        assert validate(ET.fromstring(record.xml), pubmed_dtd) == []
    bad = ET.fromstring(variants[0].xml.replace(b"<Language>eng</Language>", b""))
    assert validate(bad, pubmed_dtd)  # the checker does notice a missing required element


def test_make_article_has_the_real_structure() -> None:
    record = make_article(
        "39101019",
        title="Static magnetic stimulation in ALS",
        inline_markup=True,
        keywords=["neuromodulation"],
        comments=[("RetractionIn", "39999999")],
        references=[("Capone F, et al. Brain Stimul. 2020", "32000001"), ("A book.", None)],
        pmc="PMC11200001",
    )
    root = ET.fromstring(record.xml)
    citation = root.find("MedlineCitation")
    assert citation is not None and citation.get("Status") == "MEDLINE"
    assert root.findtext("MedlineCitation/PMID") == "39101019"
    title = root.find(".//ArticleTitle")
    assert title is not None and "".join(title.itertext()) == record.title
    labels = [(a.get("Label"), a.get("NlmCategory")) for a in root.iter("AbstractText")]
    assert labels[0] == ("BACKGROUND", "BACKGROUND") and len(labels) == 4
    assert root.find(".//{http://www.w3.org/1998/Math/MathML}math") is not None
    assert root.findtext(".//DataBank/AccessionNumberList/AccessionNumber") == "NCT04393467"
    history = [d.get("PubStatus") for d in root.iter("PubMedPubDate")]
    assert history == ["received", "accepted", "entrez", "pubmed", "medline"]
    id_types = [a.get("IdType") for a in root.find("PubmedData/ArticleIdList") or []]
    assert id_types == ["pubmed", "pmc", "doi", "pii"]
    assert root.findtext(".//CommentsCorrections[@RefType='RetractionIn']/PMID") == "39999999"
    assert root.findtext(".//MeshHeading/QualifierName") == "therapy"
    assert (record.edat, record.pdat, record.mdat) == ("2024/07/10", "2024/07/01", "2024/07/12")
    assert record.doi == "10.1016/j.lanepe.2024.101019" and record.cites == {"32000001"}
    assert make_delete_citation(["1", "2"]) == (
        b'<DeleteCitation><PMID Version="1">1</PMID><PMID Version="1">2</PMID></DeleteCitation>'
    )


def test_bulk_articles_are_distinct_varied_and_realistically_sized() -> None:
    records = make_bulk_articles(3000, seed=1)
    assert len({r.pmid for r in records}) == 3000
    assert 5 * 1024 <= sum(len(r.xml) for r in records) / 3000 <= 6.5 * 1024
    assert len({r.edat for r in records}) > 1000 and len({r.title for r in records}) == 3000
    assert make_bulk_articles(5, seed=2)[0].pmid != records[0].pmid


# --- esearch / efetch ----------------------------------------------------------------------


def test_esearch_pages_with_retstart_and_retmax_newest_first(
    simulator: RegistrySimulator, eutils: httpx.Client
) -> None:
    simulator.pubmed.add_many(article(n, entrez_date=f"2024/07/{n:02d}") for n in range(1, 8))
    first = search(eutils, "als", retmax="3")
    assert ids(first) == [pmid(7), pmid(6), pmid(5)]
    root = ET.fromstring(first.content)
    assert [root.findtext(t) for t in ("Count", "RetMax", "RetStart")] == ["7", "3", "0"]
    assert ids(search(eutils, "als", retmax="3", retstart="6")) == [pmid(1)]
    big = ET.fromstring(search(eutils, "als", retmax="5000").content)
    assert big.findtext("RetMax") == "7"  # the number returned, not the number asked for
    assert ET.fromstring(search(eutils, "als").content).findtext("RetMax") == "7"  # default 20
    assert validate(root, dtd("eutils_esearch.dtd")) == []

    as_json = search(eutils, "als", retmax="100", retmode="json").json()
    assert as_json["header"] == {"type": "esearch", "version": "0.3"}
    result = as_json["esearchresult"]
    assert (result["count"], result["retmax"], result["retstart"]) == ("7", "7", "0")
    assert result["querytranslation"] == '"als"[All Fields]'
    count = search(eutils, "als", rettype="count")
    assert count.text.endswith("<eSearchResult>\n\t<Count>7</Count>\n</eSearchResult>\n")


def test_history_server_feeds_efetch(simulator: RegistrySimulator, eutils: httpx.Client) -> None:
    simulator.pubmed.add_many(article(n, entrez_date=f"2024/07/{n:02d}") for n in range(1, 11))
    root = ET.fromstring(search(eutils, "als", usehistory="y", retmax="0").content)
    webenv, key = root.findtext("WebEnv") or "", root.findtext("QueryKey")
    assert webenv.startswith("MCID_") and key == "1" and root.findtext("RetMax") == "0"
    params = {"db": "pubmed", "WebEnv": webenv, "query_key": "1", "retstart": "4", "retmax": "3"}
    assert pmids(eutils.get("/efetch.fcgi", params=params)) == [pmid(6), pmid(5), pmid(4)]
    lower = {"db": "pubmed", "webenv": webenv, "query_key": "1", "retstart": "8"}  # Biopython
    assert pmids(eutils.post("/efetch.fcgi", data=lower)) == [pmid(2), pmid(1)]

    second = ET.fromstring(search(eutils, "report 3", usehistory="y", WebEnv=webenv).content)
    assert (second.findtext("WebEnv"), second.findtext("QueryKey")) == (webenv, "2")
    again = {"db": "pubmed", "WebEnv": webenv, "query_key": "2"}
    assert pmids(eutils.get("/efetch.fcgi", params=again)) == [pmid(3)]
    for bad in ({"WebEnv": "MCID_nope", "query_key": "1"}, {}):
        error = eutils.get("/efetch.fcgi", params={"db": "pubmed", **bad})
        assert error.status_code == 200 and ET.fromstring(error.content).tag == "eFetchResult"
        assert ET.fromstring(error.content).findtext("ERROR")


def test_esearch_reaches_only_the_first_9999_ids(
    simulator: RegistrySimulator, eutils: httpx.Client
) -> None:
    simulator.pubmed.add_many(make_bulk_articles(ESEARCH_CAP + 51, size_kb=0))
    root = ET.fromstring(search(eutils, "trial", retmax="100000", usehistory="y").content)
    assert root.findtext("Count") == "10050" and root.findtext("RetMax") == "9999"
    assert "Restrictions achieved" in (root.findtext("WarningList/OutputMessage") or "")
    tail = ET.fromstring(search(eutils, "trial", retstart="9990", retmax="100").content)
    assert tail.findtext("RetMax") == "9"
    over = ET.fromstring(search(eutils, "trial", retstart="9999").content)
    assert "cannot be larger than 9998" in (over.findtext("ERROR") or "")
    history = {"db": "pubmed", "WebEnv": root.findtext("WebEnv"), "query_key": "1"}
    fetched = eutils.get("/efetch.fcgi", params=history | {"retstart": "9990", "retmax": "500"})
    assert len(pmids(fetched)) == 9  # the History server keeps the same 9,999
    assert search(eutils, "trial", retmode="json").json()["esearchresult"]["count"] == "10050"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"datetype": "edat", "mindate": "2024/03/01", "maxdate": "2024/03/31"}, [2]),
        ({"datetype": "pdat", "mindate": "2023", "maxdate": "2023"}, [1]),
        ({"datetype": "mdat", "mindate": "2024/12/01", "maxdate": "2025/01/15"}, [3, 1]),
        ({"datetype": "edat", "reldate": "30"}, [3]),  # world.today is 2025/01/15
        ({"term": "als AND 2024/03/01:2024/03/31[edat]"}, [2]),
        ({"term": 'als AND "2024/06/01"[Date - Entry] : "3000"[Date - Entry]'}, [3]),
        ({"term": "als AND 2023[dp]"}, [1]),
        ({"term": "2024/12/01:2025/01/15[mdat] NOT 2025[pdat]"}, [1]),
    ],
)
def test_date_windows_by_datetype_and_in_the_term(
    simulator: RegistrySimulator, eutils: httpx.Client, params: dict[str, str], expected: list[int]
) -> None:
    simulator.pubmed.add_many(
        [
            article(1, year="2023", entrez_date="2023/11/02", mdat="2024/12/20"),
            article(2, year="2024", month="Mar", entrez_date="2024/03/05", mdat="2024/04/01"),
            article(3, year="2025", month="Jan", entrez_date="2025/01/02", mdat="2025/01/03"),
        ]
    )
    params = dict(params)
    response = search(eutils, params.pop("term", "als"), **params)
    assert ids(response) == [pmid(n) for n in expected]
    if "datetype" in params and "reldate" not in params:
        translation = ET.fromstring(response.content).findtext("QueryTranslation") or ""
        assert translation.startswith('"als"[All Fields] AND ') and "[Date - " in translation


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ('"magnetic stimulation"[tiab]', [3, 2, 1]),
        ("report 2", [2]),
        ("stimulat* AND NCT04000002[si]", [2]),
        ("Amyotrophic Lateral Sclerosis[mh] NOT Randomized Controlled Trial[pt]", [3]),
        ('"amyotrophic lateral sclerosis/therapy"[MeSH Terms]', [2, 1]),
        (f"{pmid(1)}[uid] OR {pmid(3)}[pmid]", [3, 1]),
        ("Ruiz A[au]", [2]),
        ('"report 1" OR "report 2" AND ALS', [2, 1]),
        ('"report 1" OR "report 2" AND parkinson', []),  # left to right, no precedence
        ('"report 1" OR ("report 2" AND parkinson)', [1]),
        ("nonexistentword", []),
    ],
)
def test_term_matching(
    simulator: RegistrySimulator, eutils: httpx.Client, term: str, expected: list[int]
) -> None:
    rct = [("D016449", "Randomized Controlled Trial")]
    nct = [("ClinicalTrials.gov", ["NCT04000002"])]
    als_major: list[Any] = [("D000690", "Amyotrophic Lateral Sclerosis", True, [])]
    simulator.pubmed.add_many(
        [
            article(1, pub_types=rct),
            article(2, pub_types=rct, authors=[("Ruiz", "Ana", "A")], databanks=nct),
            article(3, pub_types=[("D016428", "Journal Article")], mesh=als_major),
        ]
    )
    assert ids(search(eutils, term, retmax="100")) == [pmid(n) for n in expected]


def test_zero_hits_unknown_fields_and_errors(
    simulator: RegistrySimulator, eutils: httpx.Client
) -> None:
    simulator.pubmed.add(article(1))
    none = ET.fromstring(search(eutils, "als AND zzzq").content)
    assert [none.findtext(t) for t in ("Count", "RetMax")] == ["0", "0"]
    assert none.find("IdList") is not None and len(none.find("IdList") or []) == 0
    assert none.findtext("ErrorList/PhraseNotFound") == "zzzq"
    assert none.findtext("WarningList/OutputMessage") == "No items found."
    assert validate(none, dtd("eutils_esearch.dtd")) == []
    partial = search(eutils, "als OR zzzq", retmode="json").json()["esearchresult"]
    assert partial["count"] == "1" and partial["errorlist"]["phrasesnotfound"] == ["zzzq"]
    unknown = ET.fromstring(search(eutils, "als[xyz]").content)
    assert unknown.findtext("ErrorList/FieldNotFound") == "xyz" and unknown.findtext("Count") == "1"

    invalid = search(eutils, "als", db="nothing")
    assert invalid.status_code == 200
    assert ET.fromstring(invalid.content).findtext("ERROR") == "Invalid db name specified: nothing"
    as_json = search(eutils, "als", db="nothing", retmode="json").json()
    assert as_json["esearchresult"]["ERROR"] == "Invalid db name specified: nothing"
    for params in ({"term": "(als"}, {"term": "als", "mindate": "2024"}):
        assert ET.fromstring(search(eutils, **params).content).findtext("ERROR")


def test_post_efetch_with_many_ids_keeps_request_order(
    simulator: RegistrySimulator, eutils: httpx.Client
) -> None:
    records = make_bulk_articles(400, seed=5, size_kb=1)
    simulator.pubmed.add_many(records)
    wanted = [r.pmid for r in reversed(records)] + ["1"]  # an unknown PMID is skipped
    response = eutils.post("/efetch.fcgi", data={"db": "pubmed", "id": wanted})  # id=..&id=..
    assert pmids(response) == wanted[:-1]
    logged = simulator.requests[-1]
    assert logged.method == "POST" and logged.params["id"].count(",") == 400

    by_post = eutils.post("/esearch.fcgi", data={"db": "pubmed", "term": "trial", "retmax": "5"})
    assert ids(by_post) == simulator.pubmed.search("trial")[:5]


def test_book_articles_and_deleted_citations(
    simulator: RegistrySimulator, eutils: httpx.Client
) -> None:
    simulator.pubmed.add_many([article(1), article(2, book=True, mesh=[])])
    simulator.pubmed.delete(pmid(1))
    assert search(eutils, "als").text.count("<Id>") == 1
    response = eutils.get("/efetch.fcgi", params={"db": "pubmed", "id": f"{pmid(1)},{pmid(2)}"})
    root = ET.fromstring(response.content)
    assert [c.tag for c in root] == ["PubmedBookArticle", "DeleteCitation"]
    assert root.findtext("PubmedBookArticle/BookDocument/PMID") == pmid(2)
    assert root.findtext("DeleteCitation/PMID") == pmid(1)


def test_elink_citedin(simulator: RegistrySimulator, eutils: httpx.Client) -> None:
    simulator.pubmed.add_many(
        [article(1), article(2, references=[("Capone F. 2024", pmid(1))]), article(3)]
    )
    simulator.pubmed.cite_index(pmid(3), pmid(1))
    base: list[tuple[str, Any]] = [("dbfrom", "pubmed"), ("db", "pubmed")]
    base.append(("linkname", "pubmed_pubmed_citedin"))
    response = eutils.get("/elink.fcgi", params=[*base, ("id", pmid(1)), ("id", pmid(3))])
    root = ET.fromstring(response.content)
    assert validate(root, dtd("eutils_elink.dtd")) == []
    first, second = root.findall("LinkSet")
    assert first.findtext("LinkSetDb/LinkName") == "pubmed_pubmed_citedin"
    assert [e.text for e in first.iterfind("LinkSetDb/Link/Id")] == [pmid(3), pmid(2)]
    assert second.findtext("IdList/Id") == pmid(3) and second.find("LinkSetDb") is None
    joined = eutils.get("/elink.fcgi", params=[*base, ("id", f"{pmid(1)},{pmid(3)}")])
    assert len(ET.fromstring(joined.content).findall("LinkSet")) == 1
    refs = {"dbfrom": "pubmed", "linkname": "pubmed_pubmed_refs", "id": pmid(2)}
    assert ids(eutils.get("/elink.fcgi", params=refs))[-1] == pmid(1)


def test_rate_limit_is_off_by_default_and_answers_like_ncbi(
    simulator: RegistrySimulator, eutils: httpx.Client
) -> None:
    assert all(search(eutils, "als").status_code == 200 for _ in range(5))
    simulator.eutils_rate_limit = True
    time.sleep(1.05)  # a fresh one-second window
    statuses = [search(eutils, "als", tool="tracker", email="dev@example.org") for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert statuses[-1].headers["content-type"] == "application/json"
    assert statuses[-1].json() == {
        "error": "API rate limit exceeded",
        "api-key": "127.0.0.1",
        "count": "4",
        "limit": "3",
    }
    keyed = [search(eutils, "als", api_key="k1").status_code for _ in range(10)]
    assert keyed == [200] * 10  # 10/s with a key, counted apart from the IP
    over = search(eutils, "als", api_key="k1")
    assert over.status_code == 429 and over.json()["limit"] == "10"
    logged = [r.params for r in simulator.requests if "tool" in r.params]
    assert logged[0]["tool"] == "tracker" and logged[0]["email"] == "dev@example.org"


# --- Europe PMC ----------------------------------------------------------------------------


def test_europepmc_cursor_paging_to_the_end(
    simulator: RegistrySimulator, epmc: httpx.Client
) -> None:
    world = simulator.europepmc
    world.add_many(from_pubmed(article(n, entrez_date=f"2024/07/{n:02d}")) for n in range(1, 8))
    world.add(
        make_preprint("PPR123456", title="ALS tSMS preprint", first_publication_date="2024-08-01")
    )
    params = {"query": "ALS", "format": "json", "pageSize": "3"}
    pages = [epmc.get("/search", params=params).json()]
    while "nextCursorMark" in pages[-1]:
        pages.append(
            epmc.get("/search", params=params | {"cursorMark": pages[-1]["nextCursorMark"]}).json()
        )
    assert [len(p["resultList"]["result"]) for p in pages] == [3, 3, 2]
    assert all(p["hitCount"] == 8 and p["version"] == "6.9" for p in pages)
    found = [r["id"] for p in pages for r in p["resultList"]["result"]]
    assert found == ["PPR123456", *(pmid(n) for n in range(7, 0, -1))]
    preprint = pages[0]["resultList"]["result"][0]
    assert preprint["source"] == "PPR" and "pmid" not in preprint
    assert preprint["pubType"] == "preprint"
    first = pages[0]["resultList"]["result"][1]
    assert first["tmAccessionTypeList"] == {"accessionType": ["nct"]}
    assert pages[1]["request"]["cursorMark"] == pages[0]["nextCursorMark"]

    world.cursor_end = "repeat"  # the Solr-style ending: one more, empty page
    last = epmc.get("/search", params=params | {"cursorMark": pages[1]["nextCursorMark"]}).json()
    done = epmc.get("/search", params=params | {"cursorMark": last["nextCursorMark"]}).json()
    assert done["resultList"]["result"] == [] and done["nextCursorMark"] == last["nextCursorMark"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"EXT_ID:{pmid(1)} AND SRC:MED", [pmid(1)]),
        ("SRC:PPR", ["PPR000002"]),
        ("FIRST_PDATE:[2024-07-02 TO 2024-12-31]", ["PPR000002", pmid(3)]),
        ('ALS NOT PUB_TYPE:"retracted publication"', ["PPR000002", pmid(1)]),
        ('"magnetic stimulation" AND (AUTH:"capone" OR SRC:PPR)', ["PPR000002", pmid(3), pmid(1)]),
    ],
)
def test_europepmc_queries(
    simulator: RegistrySimulator, epmc: httpx.Client, query: str, expected: list[str]
) -> None:
    retracted = [("D016428", "Journal Article"), ("D016441", "Retracted Publication")]
    simulator.europepmc.add_many(
        [
            from_pubmed(article(1, entrez_date="2024/07/01")),
            make_preprint(
                "PPR000002",
                title="Static magnetic stimulation for ALS",
                first_publication_date="2024-09-01",
            ),
            from_pubmed(article(3, entrez_date="2024/07/03", pub_types=retracted)),
        ]
    )
    found = epmc.get("/search", params={"query": query, "format": "json"}).json()
    assert [r["id"] for r in found["resultList"]["result"]] == expected


def test_europepmc_citations_paging_and_errors(
    simulator: RegistrySimulator, epmc: httpx.Client
) -> None:
    world = simulator.europepmc
    world.add(make_epmc_record(pmid(0), title="Index trial", first_publication_date="2023-01-01"))
    for n in range(1, 6):
        world.add(
            make_epmc_record(
                pmid(n), title=f"Follow-up {n}", first_publication_date=f"2024-0{n}-01"
            )
        )
        world.cite(pmid(n), pmid(0))
    params = {"format": "json", "pageSize": "2"}
    pages = [
        epmc.get(f"/MED/{pmid(0)}/citations", params=params | {"page": str(p)}).json()
        for p in (1, 2, 3)
    ]
    assert all(p["hitCount"] == 5 for p in pages)
    cited = [c["id"] for p in pages for c in p["citationList"]["citation"]]
    assert cited == [pmid(n) for n in range(5, 0, -1)]
    keys = "id source title authorString journalAbbreviation pubYear citedByCount".split()
    assert set(keys) <= set(pages[0]["citationList"]["citation"][0])
    hit = epmc.get("/search", params={"query": f"EXT_ID:{pmid(0)}", "format": "json"}).json()
    assert hit["resultList"]["result"][0]["citedByCount"] == 5
    refs = epmc.get(f"/MED/{pmid(1)}/references", params={"format": "json"}).json()
    assert [r["id"] for r in refs["referenceList"]["reference"]] == [pmid(0)]

    for bad in (
        {"query": "(ALS", "format": "json"},
        {"query": "ALS"},
        {"query": "ALS", "format": "json", "cursorMark": "xyz"},
    ):
        error = epmc.get("/search", params=bad)
        assert error.status_code == 400 and ET.fromstring(error.content).tag == "errorBean"


# --- faults and a moving world -------------------------------------------------------------

EFETCH = "/entrez/eutils/efetch.fcgi"
SEARCH = "/europepmc/webservices/rest/search"


@pytest.mark.parametrize("kind", ["429", "500", "503", "403"])
@pytest.mark.parametrize("path", [EFETCH, SEARCH, "/entrez/eutils/*"])
def test_status_faults_on_the_literature_paths(
    simulator: RegistrySimulator, kind: str, path: str
) -> None:
    simulator.pubmed.add(article(1))
    simulator.europepmc.add(from_pubmed(article(1)))
    simulator.faults.inject(kind, path=path)  # type: ignore[arg-type]
    url = simulator.base_url + (SEARCH if path == SEARCH else EFETCH)
    params = {"query": "ALS", "format": "json"} if path == SEARCH else {"id": pmid(1)}
    failed = httpx.get(url, params=params)
    assert failed.status_code == int(kind)
    if kind == "429" and path != SEARCH:
        assert failed.headers["content-type"] == "application/json"
        assert failed.json()["error"] == "API rate limit exceeded"
    assert httpx.get(url, params=params).status_code == 200


@pytest.mark.parametrize("path", [EFETCH, SEARCH])
def test_timeout_truncate_and_malformed_on_the_literature_paths(
    simulator: RegistrySimulator, path: str
) -> None:
    simulator.pubmed.add(article(1))
    simulator.europepmc.add(from_pubmed(article(1)))
    params = {"query": "ALS", "format": "json"} if path == SEARCH else {"id": pmid(1)}
    with httpx.Client(base_url=simulator.base_url, params=params) as client:
        simulator.faults.inject("timeout", path=path, delay=0.5)
        with pytest.raises(httpx.ReadTimeout):
            client.get(path, timeout=0.1)
        simulator.faults.inject("truncate", path=path)
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(path)
        simulator.faults.inject("malformed", path=path)
        broken = client.get(path)
        assert broken.status_code == 200
        with pytest.raises(ET.ParseError if path == EFETCH else json.JSONDecodeError):
            ET.fromstring(broken.content) if path == EFETCH else broken.json()
        assert client.get(path).status_code == 200


def test_world_moves_new_article_retraction_and_citation(
    simulator: RegistrySimulator, eutils: httpx.Client
) -> None:
    world = simulator.pubmed
    world.add(article(1, entrez_date="2024/07/10", mdat="2024/07/12"))
    window = {"datetype": "mdat", "mindate": "2025/02/01", "maxdate": "3000"}
    assert ids(search(eutils, "als", **window)) == []

    assert world.advance(30) == "2025/02/14"
    world.add(article(2, entrez_date=world.today, mdat=world.today))
    world.retract(pmid(1), pmid(90))
    world.cite_index(pmid(2), pmid(1))
    new = {"datetype": "edat", "mindate": "2025/02/14", "maxdate": "2025/02/14"}
    assert ids(search(eutils, "als", **new)) == [pmid(90), pmid(2)]  # the notice too
    assert ids(search(eutils, "als", **window)) == [pmid(90), pmid(2), pmid(1)]
    assert ids(search(eutils, '"retracted publication"[pt]')) == [pmid(1)]

    root = ET.fromstring(eutils.get("/efetch.fcgi", params={"id": pmid(1)}).content)
    assert root.findtext(".//DateRevised/Year") == "2025"
    assert root.findtext(".//CommentsCorrections[@RefType='RetractionIn']/PMID") == pmid(90)
    links = {"dbfrom": "pubmed", "linkname": "pubmed_pubmed_citedin", "id": pmid(1)}
    assert ids(eutils.get("/elink.fcgi", params=links)) == [pmid(1), pmid(2)]
    world.update(pmid(2), lambda args: args.update(title="Renamed report"))
    assert world.get(pmid(2)).title == "Renamed report"  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["429", "503", "truncate", "malformed"])
@pytest.mark.parametrize("path", ["/entrez/eutils/elink.fcgi", "/europepmc/webservices/rest/MED/*"])
def test_faults_on_the_citation_endpoints(
    simulator: RegistrySimulator, kind: str, path: str
) -> None:
    """The citation chase's two endpoints misbehave on request like the others; elink also
    answers a POST of several ids with one LinkSet per id (how the chase asks)."""
    simulator.pubmed.add_many([article(1), article(2, references=[("Capone F. 2024", pmid(1))])])
    simulator.europepmc.add_many([from_pubmed(article(1)), from_pubmed(article(2))])
    simulator.europepmc.cite(pmid(2), pmid(1))
    if path.startswith("/entrez"):
        form = {"dbfrom": "pubmed", "linkname": "pubmed_pubmed_citedin", "id": [pmid(1), pmid(2)]}

        def ask() -> httpx.Response:
            return httpx.post(simulator.base_url + path, data=form)
    else:

        def ask() -> httpx.Response:
            url = f"{simulator.europepmc_url}/MED/{pmid(1)}/citations"
            return httpx.get(url, params={"format": "json"})

    simulator.faults.inject(kind, path=path)  # type: ignore[arg-type]
    if kind == "truncate":
        with pytest.raises(httpx.RemoteProtocolError):
            ask()
    elif kind == "malformed":
        broken = ask()
        with pytest.raises(ET.ParseError if path.startswith("/entrez") else json.JSONDecodeError):
            ET.fromstring(broken.content) if path.startswith("/entrez") else broken.json()
    else:
        assert ask().status_code == int(kind)
    healthy = ask()
    assert healthy.status_code == 200
    if path.startswith("/entrez"):
        sets = ET.fromstring(healthy.content).findall("LinkSet")
        assert [s.findtext("IdList/Id") for s in sets] == [pmid(1), pmid(2)]
        assert [e.text for e in sets[0].iterfind("LinkSetDb/Link/Id")] == [pmid(2)]
    else:
        assert [c["id"] for c in healthy.json()["citationList"]["citation"]] == [pmid(2)]
