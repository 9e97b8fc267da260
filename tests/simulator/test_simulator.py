"""The loopback registry simulator keeps the real CT.gov v2 semantics, over real sockets.

These tests pin the behaviour the tracker's end-to-end tests rely on, so a change to the
simulator that would make those tests pass against an unrealistic server fails here first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest

from tracker.simulator import (
    CtgovWorld,
    RegistrySimulator,
    make_bulk_studies,
    make_study,
)

ALS_TMS = [("DEVICE", "Transcranial magnetic stimulation"), ("DEVICE", "Sham stimulation")]


def nct(n: int) -> str:
    return f"NCT0{n:07d}"


def study(n: int, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "title": f"Magnetic Stimulation Study {n}",
        "conditions": ["Amyotrophic Lateral Sclerosis"],
        "interventions": ALS_TMS,
    }
    return make_study(nct(n), **(args | overrides))


def ids(page: dict[str, Any]) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in page["studies"]]


@pytest.fixture
def client(simulator: RegistrySimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=simulator.ctgov_url, timeout=5.0) as c:
        yield c


def test_pages_follow_tokens_and_total_count_is_on_the_first_page_only(
    simulator: RegistrySimulator, client: httpx.Client
) -> None:
    simulator.ctgov.add_many(study(n) for n in range(25, 0, -1))
    params = {"query.cond": "ALS", "pageSize": "10", "countTotal": "true"}
    pages = [client.get("/studies", params=params).json()]
    while "nextPageToken" in pages[-1]:
        follow = params | {"pageToken": pages[-1]["nextPageToken"]}
        pages.append(client.get("/studies", params=follow).json())

    assert [len(p["studies"]) for p in pages] == [10, 10, 5]
    assert pages[0]["totalCount"] == 25
    assert all("totalCount" not in p for p in pages[1:])
    assert [i for p in pages for i in ids(p)] == [nct(n) for n in range(1, 26)]  # NCT id order


@pytest.mark.parametrize(("page_size", "expected"), [(None, 10), ("0", 10), ("5000", 1000)])
def test_page_size_defaults_to_10_and_is_capped_at_1000(
    simulator: RegistrySimulator, client: httpx.Client, page_size: str | None, expected: int
) -> None:
    simulator.ctgov.add_many(make_bulk_studies(1003, with_results=False, size_kb=1))
    params = {"pageSize": page_size} if page_size is not None else {}
    page = client.get("/studies", params=params).json()
    assert len(page["studies"]) == expected
    rest = client.get("/studies", params=params | {"pageToken": page["nextPageToken"]}).json()
    assert len(rest["studies"]) == min(expected, 1003 - expected)


def test_a_follow_up_may_change_only_page_size_and_count_total(
    simulator: RegistrySimulator, client: httpx.Client
) -> None:
    simulator.ctgov.add_many(study(n) for n in range(1, 8))
    first = client.get("/studies", params={"query.cond": "ALS", "pageSize": "3"}).json()
    token = first["nextPageToken"]

    same = {"query.cond": "ALS", "pageToken": token, "pageSize": "2", "countTotal": "true"}
    ok = client.get("/studies", params=same)
    assert ok.status_code == 200
    assert ids(ok.json()) == [nct(4), nct(5)] and "totalCount" not in ok.json()

    changed = client.get("/studies", params={"query.cond": "MND", "pageToken": token})
    assert changed.status_code == 400
    assert changed.headers["content-type"].startswith("text/plain")
    assert "pageToken" in changed.text
    assert client.get("/studies", params={"pageToken": "not-a-token"}).status_code == 400


@pytest.mark.parametrize("name", ["filter.phase", "filter.intervention", "query.recrs"])
def test_unknown_parameter_is_a_plain_text_400(client: httpx.Client, name: str) -> None:
    response = client.get("/studies", params={name: "x"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == f"`{name}` is unknown parameter"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("AREA[LastUpdatePostDate]RANGE[2024-06-01,MAX]", [2, 3]),
        ("AREA[LastUpdatePostDate]RANGE[MIN,2024-06-01]", [1, 2]),  # bounds are inclusive
        ("AREA[LastUpdatePostDate]RANGE[2024-06-02,2024-12-30]", []),
        ("AREA[LastUpdatePostDate]RANGE[2024,2024-06]", [1, 2]),  # partial dates widen
        ("AREA[LastUpdatePostDate]RANGE[2024-01-01,MAX] AND AREA[OverallStatus]COMPLETED", [3]),
    ],
)
def test_last_update_range_filter(
    simulator: RegistrySimulator, client: httpx.Client, expression: str, expected: list[int]
) -> None:
    simulator.ctgov.add_many(
        [
            study(1, last_update="2024-01-10"),
            study(2, last_update="2024-06-01"),
            study(3, last_update="2024-12-31", status="COMPLETED"),
        ]
    )
    page = client.get("/studies", params={"filter.advanced": expression}).json()
    assert ids(page) == [nct(n) for n in expected]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"query.cond": "amyotrophic lateral sclerosis"}, [1, 2]),  # 2 only via its MeSH term
        ({"query.cond": "ALS OR Parkinson"}, [1, 2, 3]),
        ({"query.cond": "(ALS OR Parkinson) AND NOT tremor"}, [1, 2]),
        ({"query.cond": '"lateral sclerosis"'}, [1, 2]),
        ({"query.cond": "trial"}, []),  # whole words: "ALS" never matches inside "Trials"
        ({"query.intr": "TMS"}, [1, 3]),  # an intervention's other name
        ({"query.intr": '"transcranial static magnetic stimulation" OR tSMS'}, [2]),
        ({"query.term": "Sham"}, [1, 2, 3]),
        ({"filter.overallStatus": "COMPLETED|TERMINATED"}, [2, 3]),
        ({"filter.ids": "NCT00000003,nct1"}, [1, 3]),
        ({"query.term": "NCT00000001", "filter.overallStatus": "COMPLETED"}, [1]),  # ids only
    ],
)
def test_query_and_filter_matching(
    simulator: RegistrySimulator,
    client: httpx.Client,
    params: dict[str, str],
    expected: list[int],
) -> None:
    tsms = [("DEVICE", "Transcranial static magnetic stimulation"), ("DEVICE", "Sham tSMS")]
    simulator.ctgov.add_many(
        [
            study(1, title="Clinical Trials of rTMS"),
            study(2, conditions=["ALS"], interventions=tsms, status="COMPLETED"),
            study(3, conditions=["Parkinson Disease", "Tremor"], status="TERMINATED"),
        ]
    )
    assert ids(client.get("/studies", params=params).json()) == [nct(n) for n in expected]


@pytest.mark.parametrize(
    "params",
    [
        {"query.cond": "(ALS"},
        {"filter.advanced": "AREA[NoSuchField]x"},
        {"filter.advanced": "AREA[LastUpdatePostDate]RANGE[yesterday,MAX]"},
        {"filter.overallStatus": "FINISHED"},
        {"filter.ids": "NCT0"},
        {"pageSize": "-1"},
        {"countTotal": "yes"},
    ],
)
def test_invalid_values_are_plain_text_400(client: httpx.Client, params: dict[str, str]) -> None:
    response = client.get("/studies", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")


def test_single_study_404_and_version(simulator: RegistrySimulator, client: httpx.Client) -> None:
    simulator.ctgov.add(study(1))
    found = client.get(f"/studies/{nct(1)}")
    assert found.status_code == 200
    assert found.json()["protocolSection"]["identificationModule"]["nctId"] == nct(1)
    assert int(found.headers["content-length"]) == len(found.content)

    missing = client.get("/studies/NCT09999999")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/plain")

    version = client.get("/version").json()
    assert version == {"apiVersion": "2.0.5", "dataTimestamp": "2025-01-15T09:00:05"}


def test_gzip_is_opt_in() -> None:
    with RegistrySimulator(gzip=True) as sim, httpx.Client(base_url=sim.ctgov_url) as client:
        sim.ctgov.add(study(1))
        response = client.get(f"/studies/{nct(1)}")
        assert response.headers["content-encoding"] == "gzip"
        assert int(response.headers["content-length"]) < len(response.content)
        assert response.json()["protocolSection"]["identificationModule"]["nctId"] == nct(1)


def test_client_reuses_one_keep_alive_connection_and_requests_are_logged(
    simulator: RegistrySimulator, client: httpx.Client
) -> None:
    for _ in range(5):
        assert client.get("/studies", params={"query.cond": "ALS"}).status_code == 200
    client.get("/version")
    assert simulator.connections_accepted == 1
    assert simulator.requests.count("/api/v2/studies") == 5
    assert simulator.requests[0] == ("GET", "/api/v2/studies", {"query.cond": "ALS"})


@pytest.mark.parametrize("kind", ["429", "500", "503", "403"])
def test_status_faults_hit_the_next_request_only(
    simulator: RegistrySimulator, client: httpx.Client, kind: str
) -> None:
    simulator.faults.inject(kind)  # type: ignore[arg-type]
    failed = client.get("/studies")
    assert failed.status_code == int(kind)
    assert "retry-after" not in failed.headers
    assert client.get("/studies").status_code == 200


def test_429_carries_retry_after_when_asked(
    simulator: RegistrySimulator, client: httpx.Client
) -> None:
    simulator.faults.inject("429", retry_after="2")
    assert client.get("/studies").headers["retry-after"] == "2"


def test_count_after_and_path_select_which_requests_fail(
    simulator: RegistrySimulator, client: httpx.Client
) -> None:
    simulator.faults.inject("500", count=2, after=1)
    statuses = []
    for _ in range(4):
        client.get("/version")  # another path: neither fails nor counts
        statuses.append(client.get("/studies").status_code)
    assert statuses == [200, 500, 500, 200]
    assert simulator.faults.pending() == []


def test_timeout_fault_delays_the_answer(
    simulator: RegistrySimulator, client: httpx.Client
) -> None:
    simulator.faults.inject("timeout", delay=0.5)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/studies", timeout=0.1)
    assert client.get("/studies").status_code == 200  # the next request is served normally


def test_truncate_fault_promises_the_full_length_and_sends_half(
    simulator: RegistrySimulator, client: httpx.Client
) -> None:
    simulator.ctgov.add_many(study(n) for n in range(1, 4))
    full = client.get("/studies").content
    simulator.faults.inject("truncate")
    with client.stream("GET", "/studies") as response:
        assert response.status_code == 200
        assert int(response.headers["content-length"]) == len(full)
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()
    assert client.get("/studies").content == full  # a new connection, a whole body


def test_malformed_fault_sends_broken_json(
    simulator: RegistrySimulator, client: httpx.Client
) -> None:
    simulator.ctgov.add(study(1))
    simulator.faults.inject("malformed")
    response = client.get("/studies")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


@pytest.mark.parametrize(
    ("kind", "last_page"),
    [("empty_last_page_with_token", []), ("trailing_empty_page", [nct(3)])],
)
def test_last_page_quirks_end_with_an_empty_page_without_token(
    simulator: RegistrySimulator, client: httpx.Client, kind: str, last_page: list[str]
) -> None:
    simulator.ctgov.add_many(study(n) for n in range(1, 4))
    simulator.faults.inject(kind)  # type: ignore[arg-type]
    params = {"pageSize": "2"}
    first = client.get("/studies", params=params).json()  # not the last page: no fault
    second = client.get("/studies", params=params | {"pageToken": first["nextPageToken"]})
    assert ids(second.json()) == last_page and "nextPageToken" in second.json()
    third = client.get("/studies", params=params | {"pageToken": second.json()["nextPageToken"]})
    assert third.content == b'{"studies":[]}'


def test_unknown_fault_kind_is_rejected(simulator: RegistrySimulator) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        simulator.faults.inject("418")  # type: ignore[arg-type]


def test_world_changes_are_stamped_and_found_by_the_incremental_filter(
    simulator: RegistrySimulator, client: httpx.Client
) -> None:
    world = simulator.ctgov
    world.add(study(1, last_update="2024-01-10", status="ACTIVE_NOT_RECRUITING"))
    since = {"filter.advanced": "AREA[LastUpdatePostDate]RANGE[2025-02-01,MAX]"}
    assert ids(client.get("/studies", params=since).json()) == []

    assert world.advance(30) == "2025-02-14"
    world.set_status(nct(1), "TERMINATED", why_stopped="Futility at interim analysis")
    world.post_results(nct(1), p_values=["0.41"])

    record = client.get(f"/studies/{nct(1)}").json()
    status = record["protocolSection"]["statusModule"]
    assert status["lastUpdatePostDateStruct"]["date"] == "2025-02-14"
    assert status["overallStatus"] == "TERMINATED"
    assert status["whyStopped"] == "Futility at interim analysis"
    assert status["resultsFirstPostDateStruct"]["date"] == "2025-02-14"
    assert record["derivedSection"]["miscInfoModule"]["versionHolder"] == "2025-02-14"
    assert record["hasResults"] is True
    analyses = record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]["analyses"]
    assert analyses[0]["pValue"] == "0.41"
    assert ids(client.get("/studies", params=since).json()) == [nct(1)]
    assert client.get("/version").json()["dataTimestamp"] == "2025-02-14T09:00:05"


def test_world_hands_out_copies_and_tracks_submitted_results() -> None:
    world = CtgovWorld(today="2025-03-01")
    world.add(study(1))
    copy = world.get(nct(1))
    assert copy is not None
    copy["protocolSection"]["statusModule"]["overallStatus"] = "WITHDRAWN"
    world.submit_results(nct(1))

    stored = world.get(nct(1))
    assert stored is not None and world.get("NCT09999999") is None
    assert stored["protocolSection"]["statusModule"]["overallStatus"] == "RECRUITING"
    tracking = stored["derivedSection"]["miscInfoModule"]["submissionTracking"]
    assert tracking["submissionInfos"] == [{"releaseDate": "2025-03-01", "mcpReleaseN": 1}]
    assert stored["hasResults"] is False and "resultsSection" not in stored


def test_make_study_has_the_real_v2_shape() -> None:
    record = make_study(
        "NCT04393467",
        title="Static Magnetic Stimulation in ALS",
        conditions=["ALS"],
        interventions=[("DEVICE", "tSMS"), ("DEVICE", "Sham tSMS")],
        status="COMPLETED",
        with_results=True,
        references=[("38000001", "RESULT")],
        outcome_measures=["ALSFRS-R progression rate", "Tracheostomy-free survival"],
        p_values=["0.62", "0.02"],
    )
    protocol, results = record["protocolSection"], record["resultsSection"]
    assert set(record) == {"protocolSection", "resultsSection", "derivedSection", "hasResults"}
    assert protocol["statusModule"]["startDateStruct"] == {"date": "2024-03", "type": "ACTUAL"}
    assert protocol["designModule"]["phases"] == ["NA"]
    assert protocol["referencesModule"]["references"][0]["pmid"] == "38000001"
    assert record["derivedSection"]["conditionBrowseModule"]["meshes"][0]["id"] == "D000000690"
    measures = results["outcomeMeasuresModule"]["outcomeMeasures"]
    assert [(m["type"], m["analyses"][0]["pValue"]) for m in measures] == [
        ("PRIMARY", "0.62"),
        ("SECONDARY", "0.02"),
    ]
    assert [g["id"] for g in results["adverseEventsModule"]["eventGroups"]] == ["EG000", "EG001"]
    assert 15_000 <= len(msgspec.json.encode(record)) <= 25_000  # like real records with results


def test_make_study_options() -> None:
    observational = make_study(
        "NCT00000001",
        title="ALS Registry",
        conditions=["ALS"],
        interventions=[("OTHER", "Questionnaires")],
        study_type="OBSERVATIONAL",
        phases=None,
        results_first_submit="2025-01-02",
        padding_kb=40,
    )
    assert "phases" not in observational["protocolSection"]["designModule"]
    tracking = observational["derivedSection"]["miscInfoModule"]["submissionTracking"]
    assert tracking["submissionInfos"][0]["releaseDate"] == "2025-01-02"
    assert observational["hasResults"] is False and "resultsSection" not in observational
    assert len(msgspec.json.encode(observational)) >= 40 * 1024


def test_make_bulk_studies_are_distinct_and_sized() -> None:
    studies = make_bulk_studies(2000, seed=7, size_kb=30)
    nct_ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]
    assert len(set(nct_ids)) == 2000
    assert all(re.fullmatch(r"NCT1\d{7}", i) for i in nct_ids)
    sizes = [len(msgspec.json.encode(s)) for s in studies[:50]]
    assert all(28 * 1024 <= size <= 36 * 1024 for size in sizes)
    assert (
        len(
            {
                s["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]
                for s in studies
            }
        )
        > 100
    )
