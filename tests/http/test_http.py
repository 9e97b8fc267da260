"""The HTTP layer (pacing, retries, Retry-After, User-Agent) and CT.gov paging over it.

Every test runs the real client stack over `httpx.MockTransport` with an injected sleep
that only records delays, so nothing here waits or touches the network.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

import tracker.http.retry
from tests import paths
from tracker import __version__
from tracker.config import Config, CtgovConfig, CtgovQuery, HttpConfig, OperatorConfig
from tracker.errors import SourceError
from tracker.http import (
    MAX_RETRY_AFTER,
    HttpStats,
    ThrottledTransport,
    backoff_delay,
    make_client,
    parse_retry_after,
)
from tracker.sources.ctgov import fetch_pages, query_params, read_study

FIXTURES = paths.FIXTURES / "ctgov"
URL = "https://clinicaltrials.gov/api/v2/studies"

Answer = httpx.Response | Exception | int
PageAnswer = Answer | bytes


class Sleeps:
    """A fake sleep that records each delay, and a clock that the sleeps advance."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.now = 1000.0

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def make_config(**http: Any) -> Config:
    policy = {"retries": 3, "backoff_base": 1.0, "backoff_max": 8.0, **http}
    return Config().model_copy(update={"http": HttpConfig(**policy)})


def scripted(answers: list[Answer]) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport that gives the answers in turn (an int is a bare status code)."""
    calls: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, int):
            return httpx.Response(answer, text=f"status {answer}")
        return answer

    return httpx.MockTransport(handler), calls


def client_for(
    answers: list[Answer], cfg: Config | None = None
) -> tuple[httpx.Client, Sleeps, HttpStats, list[httpx.Request]]:
    transport, calls = scripted(answers)
    sleeps, stats = Sleeps(), HttpStats()
    client = make_client(
        cfg or make_config(), rps_by_host={}, transport=transport, stats=stats, sleep=sleeps
    )
    return client, sleeps, stats, calls


# --- retries ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 429, 500, 502, 503, 504])
def test_retryable_status_is_retried_until_success(status: int) -> None:
    client, sleeps, stats, calls = client_for([status, status, httpx.Response(200, text="ok")])
    response = client.get(URL)
    assert (response.status_code, response.text) == (200, "ok")
    assert len(calls) == 3
    assert (stats.requests, stats.retries) == (3, 2)
    assert stats.retry_reasons == [f"HTTP {status}", f"HTTP {status}"]
    assert len(sleeps.delays) == 2


def test_gives_up_after_retries_and_returns_the_last_response() -> None:
    last = httpx.Response(503, text="still down", headers={"X-Attempt": "last"})
    client, sleeps, stats, calls = client_for([503, 502, last], make_config(retries=2))
    response = client.get(URL)
    assert response.status_code == 503
    assert response.text == "still down"
    assert response.headers["X-Attempt"] == "last"
    assert len(calls) == 3
    assert (stats.requests, stats.retries) == (3, 2)
    assert len(sleeps.delays) == 2  # no sleep after the last attempt


def test_zero_retries_means_one_attempt() -> None:
    client, sleeps, stats, calls = client_for([503], make_config(retries=0))
    assert client.get(URL).status_code == 503
    assert (len(calls), stats.retries, sleeps.delays) == (1, 0, [])


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    client, sleeps, stats, calls = client_for([status, 200])
    assert client.get(URL).status_code == status
    assert (len(calls), stats.requests, stats.retries, sleeps.delays) == (1, 1, 0, [])


@pytest.mark.parametrize(
    "make_error",
    [
        lambda: httpx.ConnectError("connection refused"),
        lambda: httpx.ReadTimeout("timed out"),
        lambda: httpx.ConnectTimeout("timed out"),
        lambda: httpx.ReadError("connection reset"),
        lambda: httpx.RemoteProtocolError("peer closed connection"),
    ],
    ids=["connect", "read-timeout", "connect-timeout", "read-error", "protocol"],
)
def test_transport_errors_are_retried(make_error: Callable[[], Exception]) -> None:
    error = make_error()
    client, sleeps, stats, calls = client_for([error, make_error(), httpx.Response(200)])
    assert client.get(URL).status_code == 200
    assert len(calls) == 3
    assert stats.retries == 2
    assert stats.retry_reasons == [type(error).__name__] * 2
    assert len(sleeps.delays) == 2


def test_transport_error_is_raised_when_retries_run_out() -> None:
    errors: list[Answer] = [httpx.ConnectError(f"refused {i}") for i in range(3)]
    client, sleeps, stats, calls = client_for(errors, make_config(retries=2))
    with pytest.raises(httpx.ConnectError, match="refused 2"):
        client.get(URL)
    assert (len(calls), stats.requests, stats.retries) == (3, 3, 2)


def test_mixed_failures_are_counted_in_order() -> None:
    client, _, stats, _ = client_for([httpx.ReadTimeout("slow"), 429, 200])
    assert client.get(URL).status_code == 200
    assert stats.retry_reasons == ["ReadTimeout", "HTTP 429"]


class _TruncatedBody(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b'{"studies": ['
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def test_truncated_body_is_retried() -> None:
    truncated = httpx.Response(200, stream=_TruncatedBody())
    client, _, stats, calls = client_for([truncated, httpx.Response(200, json={"studies": []})])
    assert client.get(URL).json() == {"studies": []}
    assert len(calls) == 2
    assert stats.retry_reasons == ["RemoteProtocolError"]


def test_non_http_errors_are_not_retried() -> None:
    client, _, stats, calls = client_for([ValueError("a bug"), 200])
    with pytest.raises(ValueError, match="a bug"):
        client.get(URL)
    assert (len(calls), stats.retries) == (1, 0)


def test_stats_accumulate_across_requests() -> None:
    client, _, stats, _ = client_for([200, 503, 200, 404])
    for _ in range(3):
        client.get(URL)
    assert (stats.requests, stats.retries) == (4, 1)


# --- how long to wait ---------------------------------------------------------------------


def _retry_after(value: str) -> httpx.Response:
    return httpx.Response(429, headers={"Retry-After": value})


def test_retry_after_seconds_is_honoured() -> None:
    client, sleeps, _, _ = client_for([_retry_after("7"), _retry_after("0"), 200])
    assert client.get(URL).status_code == 200
    assert sleeps.delays == [7.0, 0.0]


def test_retry_after_is_capped() -> None:
    client, sleeps, _, _ = client_for([_retry_after("86400"), 200])
    client.get(URL)
    assert sleeps.delays == [MAX_RETRY_AFTER]


def test_retry_after_http_date_is_honoured() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    client, sleeps, _, _ = client_for([_retry_after(when), 200])
    client.get(URL)
    (delay,) = sleeps.delays
    assert 25.0 < delay <= 30.0


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(timedelta(days=3), MAX_RETRY_AFTER), (timedelta(hours=-1), 0.0)],
    ids=["far-future-capped", "past-is-zero"],
)
def test_retry_after_http_date_bounds(offset: timedelta, expected: float) -> None:
    when = format_datetime(datetime.now(UTC) + offset, usegmt=True)
    client, sleeps, _, _ = client_for([httpx.Response(503, headers={"Retry-After": when}), 200])
    client.get(URL)
    assert sleeps.delays == [expected]


def test_unparseable_retry_after_falls_back_to_backoff() -> None:
    client, sleeps, _, _ = client_for([_retry_after("soon"), 200])
    client.get(URL)
    (delay,) = sleeps.delays
    assert 0.5 <= delay <= 1.0


def test_no_retry_after_means_exponential_backoff_with_jitter() -> None:
    cfg = make_config(retries=4, backoff_base=1.0, backoff_max=8.0)
    client, sleeps, _, _ = client_for([503, 503, 503, 503, 200], cfg)
    client.get(URL)
    ceilings = [1.0, 2.0, 4.0, 8.0]
    assert len(sleeps.delays) == len(ceilings)
    for delay, ceiling in zip(sleeps.delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling


def test_backoff_is_capped_by_backoff_max() -> None:
    cfg = make_config(retries=3, backoff_base=10.0, backoff_max=15.0)
    client, sleeps, _, _ = client_for([500, 500, 500, 200], cfg)
    client.get(URL)
    for delay, ceiling in zip(sleeps.delays, [10.0, 15.0, 15.0], strict=True):
        assert ceiling / 2 <= delay <= ceiling


@pytest.mark.parametrize(
    ("attempt", "base", "cap", "ceiling"),
    [(0, 1.0, 120.0, 1.0), (3, 1.0, 120.0, 8.0), (10, 1.0, 120.0, 120.0), (2, 0.5, 1.0, 1.0)],
)
def test_backoff_delay_spans_half_to_full_ceiling(
    monkeypatch: pytest.MonkeyPatch, attempt: int, base: float, cap: float, ceiling: float
) -> None:
    policy = HttpConfig(backoff_base=base, backoff_max=cap)
    monkeypatch.setattr(tracker.http.retry, "random", random.Random(20240611))
    samples = [backoff_delay(attempt, policy) for _ in range(200)]
    assert all(ceiling / 2 <= s <= ceiling for s in samples)
    assert max(samples) - min(samples) > ceiling / 4  # jittered, not a constant


def test_backoff_delay_zero_base_never_waits() -> None:
    assert backoff_delay(5, HttpConfig(backoff_base=0.0)) == 0.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("0", 0.0),
        ("120", 120.0),
        (" 7 ", 7.0),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 60.0),
        ("Wed, 21 Oct 2015 07:28:00 -0000", 60.0),  # no zone: read as UTC
        ("Wed, 21 Oct 2015 09:28:00 +0200", 60.0),
        ("Wed, 21 Oct 2015 07:26:00 GMT", 0.0),  # in the past
        ("Wed, 32 Oct 2015 07:28:00 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = datetime(2015, 10, 21, 7, 27, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == expected


# --- pacing -------------------------------------------------------------------------------


def _paced(rps_by_host: dict[str, float]) -> tuple[httpx.Client, Sleeps]:
    sleeps = Sleeps()
    transport = ThrottledTransport(
        httpx.MockTransport(lambda request: httpx.Response(200)),
        rps_by_host=rps_by_host,
        policy=HttpConfig(),
        sleep=sleeps,
        clock=sleeps.clock,
    )
    return httpx.Client(transport=transport), sleeps


def test_requests_to_a_paced_host_are_spaced() -> None:
    client, sleeps = _paced({"clinicaltrials.gov": 2.0})
    for _ in range(4):
        client.get(URL)
    assert sleeps.delays == pytest.approx([0.5, 0.5, 0.5])


def test_pacing_only_waits_for_what_is_left() -> None:
    client, sleeps = _paced({"clinicaltrials.gov": 2.0})
    client.get(URL)
    sleeps.now += 0.2  # the caller spent 0.2 s between requests
    client.get(URL)
    sleeps.now += 5.0  # and then a long pause: no wait at all
    client.get(URL)
    assert sleeps.delays == pytest.approx([0.3])


def test_pacing_is_per_host() -> None:
    client, sleeps = _paced({"clinicaltrials.gov": 1.0, "eutils.ncbi.nlm.nih.gov": 10.0})
    client.get(URL)
    client.get("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi")
    client.get("https://unpaced.example/x")
    client.get("https://unpaced.example/x")
    assert sleeps.delays == []
    client.get("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi")
    client.get(URL)
    assert sleeps.delays == pytest.approx([0.1, 0.9])


def test_zero_rps_turns_pacing_off() -> None:
    client, sleeps = _paced({"clinicaltrials.gov": 0.0})
    for _ in range(3):
        client.get(URL)
    assert sleeps.delays == []


# --- the client ---------------------------------------------------------------------------


def test_user_agent_names_the_operator() -> None:
    operator = OperatorConfig(name="als-watch", contact="ops@lab.example")
    cfg = make_config().model_copy(update={"operator": operator})
    client, _, _, calls = client_for([200], cfg)
    client.get(URL)
    agent = calls[0].headers["User-Agent"]
    assert agent.startswith(f"als-watch/{__version__} ")
    assert "mailto:ops@lab.example" in agent


def test_client_timeouts_come_from_config() -> None:
    client, _, _, _ = client_for([], make_config(timeout=42.0, connect_timeout=7.0))
    assert client.timeout == httpx.Timeout(42.0, connect=7.0)


def test_client_follows_redirects_for_nct_aliases() -> None:
    moved = httpx.Response(301, headers={"Location": URL + "/NCT04393467"})
    client, _, _, calls = client_for([moved, httpx.Response(200, json={"ok": True})])
    response = client.get(URL + "/NCT00000001")
    assert response.json() == {"ok": True}
    assert str(calls[1].url) == URL + "/NCT04393467"


def test_gzip_encoded_response_is_decoded_once() -> None:
    body = json.dumps({"studies": [], "totalCount": 0}).encode()
    gzipped = httpx.Response(
        200,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        content=gzip.compress(body),
    )
    client, _, _, _ = client_for([gzipped])
    assert client.get(URL).content == body


# --- CT.gov paging over the client --------------------------------------------------------

CTGOV = CtgovConfig(url="https://ctgov.test/api/v2/", page_size=50)
QUERY = CtgovQuery(name="als-tms", cond="ALS", intr='"magnetic stimulation" OR tSMS')


def study_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes().strip()


def page_bytes(
    studies: list[bytes], *, total: int | None = None, token: str | None = None
) -> bytes:
    parts = [b'{"studies": [' + b", ".join(studies) + b"]"]
    if total is not None:
        parts.append(b'"totalCount": %d' % total)
    if token is not None:
        parts.append(b'"nextPageToken": ' + json.dumps(token).encode())
    return b", ".join(parts) + b"}"


def ctgov_client(
    pages: dict[str | None, PageAnswer], cfg: Config | None = None
) -> tuple[httpx.Client, list[httpx.Request]]:
    """Route on pageToken (None is the first page); bytes are a 200 JSON body."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = pages[request.url.params.get("pageToken")]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, int):
            return httpx.Response(answer)
        if isinstance(answer, bytes):
            return httpx.Response(200, content=answer, headers={"Content-Type": "application/json"})
        return answer

    client = make_client(
        cfg or make_config(),
        rps_by_host={},
        transport=httpx.MockTransport(handler),
        sleep=Sleeps(),
    )
    return client, calls


STIMALS = study_bytes("NCT04393467.json")
OBSERVATIONAL = study_bytes("NCT05100000_observational.json")
TERMINATED = study_bytes("NCT06200000_terminated.json")


def three_pages() -> dict[str | None, PageAnswer]:
    return {
        None: page_bytes([STIMALS], total=3, token="tok-2"),
        "tok-2": page_bytes([OBSERVATIONAL], token="tok-3"),
        "tok-3": page_bytes([TERMINATED]),
    }


def test_fetch_pages_follows_next_page_token() -> None:
    client, calls = ctgov_client(three_pages())
    pages = list(fetch_pages(client, CTGOV, QUERY, since=None))
    assert [p.number for p in pages] == [1, 2, 3]
    assert [p.query for p in pages] == ["als-tms"] * 3
    assert [p.total_count for p in pages] == [3, None, None]
    assert [[read_study(raw).nct_id for raw in p.studies] for p in pages] == [
        ["NCT04393467"],
        ["NCT05100000"],
        ["NCT06200000"],
    ]
    assert [c.url.params.get("pageToken") for c in calls] == [None, "tok-2", "tok-3"]
    assert {(c.url.host, c.url.path) for c in calls} == {("ctgov.test", "/api/v2/studies")}


def test_fetch_pages_repeats_the_first_request_on_every_page() -> None:
    client, calls = ctgov_client(three_pages())
    list(fetch_pages(client, CTGOV, QUERY, since=None))
    first = dict(calls[0].url.params)
    assert first == {
        "format": "json",
        "pageSize": "50",
        "query.cond": "ALS",
        "query.intr": '"magnetic stimulation" OR tSMS',
        "countTotal": "true",
    }
    for call, token in zip(calls[1:], ["tok-2", "tok-3"], strict=True):
        later = dict(call.url.params)
        assert later.pop("pageToken") == token
        assert "countTotal" not in later
        assert later == {k: v for k, v in first.items() if k != "countTotal"}


def test_fetch_pages_since_adds_last_update_filter_to_every_page() -> None:
    client, calls = ctgov_client(three_pages())
    list(fetch_pages(client, CTGOV, QUERY, since=date(2025, 1, 13)))
    assert [c.url.params.get("filter.advanced") for c in calls] == [
        "AREA[LastUpdatePostDate]RANGE[2025-01-13,MAX]"
    ] * 3


def test_fetch_pages_keeps_each_study_exact_bytes_and_version_holder() -> None:
    client, _ = ctgov_client({None: page_bytes([STIMALS, TERMINATED], total=2)})
    (page,) = fetch_pages(client, CTGOV, QUERY, since=None)
    studies = [read_study(raw) for raw in page.studies]
    assert [bytes(s.raw) for s in studies] == [STIMALS, TERMINATED]
    assert [s.version_holder for s in studies] == ["2025-11-20", "2025-11-20"]
    assert all(s.error is None and s.trial is not None for s in studies)
    assert studies[1].trial is not None
    assert studies[1].trial.results_submitted == "2025-02-10"


def test_fetch_pages_empty_last_page() -> None:
    client, calls = ctgov_client({None: b'{"studies": [], "totalCount": 0}'})
    (page,) = fetch_pages(client, CTGOV, QUERY, since=None)
    assert (page.studies, page.total_count, len(calls)) == ([], 0, 1)


@pytest.mark.parametrize(
    ("query", "since", "expected"),
    [
        (
            CtgovQuery(name="q", cond="ALS"),
            None,
            {"format": "json", "pageSize": "10", "query.cond": "ALS"},
        ),
        (
            CtgovQuery(name="q", cond="  ", intr="", term="tSMS"),
            date(2024, 2, 29),
            {
                "format": "json",
                "pageSize": "10",
                "query.term": "tSMS",
                "filter.advanced": "AREA[LastUpdatePostDate]RANGE[2024-02-29,MAX]",
            },
        ),
    ],
    ids=["cond-only", "blank-fields-dropped"],
)
def test_query_params(query: CtgovQuery, since: date | None, expected: dict[str, str]) -> None:
    assert query_params(query, since=since, page_size=10) == expected


def test_plain_text_400_becomes_source_error_with_the_body() -> None:
    message = "Parameter 'fields' contains invalid field name: 'StudyDesign'"
    bad = httpx.Response(400, text=message, headers={"Content-Type": "text/plain"})
    client, calls = ctgov_client({None: bad})
    with pytest.raises(SourceError) as info:
        list(fetch_pages(client, CTGOV, QUERY, since=None))
    assert info.value.source == "ctgov"
    assert message in str(info.value)
    assert "HTTP 400" in str(info.value)
    assert "page 1" in str(info.value)
    assert len(calls) == 1  # not retried


def test_persistent_503_becomes_source_error_after_retries() -> None:
    client, calls = ctgov_client({None: 503}, make_config(retries=2))
    with pytest.raises(SourceError, match="HTTP 503"):
        list(fetch_pages(client, CTGOV, QUERY, since=None))
    assert len(calls) == 3


def test_transport_failure_becomes_source_error() -> None:
    client, calls = ctgov_client({None: httpx.ConnectError("refused")}, make_config(retries=1))
    with pytest.raises(SourceError, match="ConnectError") as info:
        list(fetch_pages(client, CTGOV, QUERY, since=None))
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert len(calls) == 2


@pytest.mark.parametrize(
    "body",
    [b'{"studies": [', b"<html>maintenance</html>", b'{"studies": {}}', b"[]", b""],
    ids=["truncated", "html", "studies-not-a-list", "array", "empty"],
)
def test_malformed_page_becomes_source_error_naming_the_page(body: bytes) -> None:
    client, _ = ctgov_client({None: page_bytes([STIMALS], total=2, token="t2"), "t2": body})
    pages = fetch_pages(client, CTGOV, QUERY, since=None)
    assert next(pages).number == 1
    with pytest.raises(SourceError, match="page 2") as info:
        next(pages)
    assert "malformed JSON" in str(info.value)


def test_repeated_page_token_raises() -> None:
    client, calls = ctgov_client(
        {
            None: page_bytes([STIMALS], total=9, token="loop"),
            "loop": page_bytes([OBSERVATIONAL], token="loop"),
        }
    )
    pages = fetch_pages(client, CTGOV, QUERY, since=None)
    assert [next(pages).number, next(pages).number] == [1, 2]
    with pytest.raises(SourceError, match="repeats an earlier page token"):
        next(pages)
    assert len(calls) == 2


def test_unparseable_study_is_kept_with_its_error() -> None:
    bad = json.loads(STIMALS)
    bad["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = "forty"
    bad_bytes = json.dumps(bad).encode()
    no_id = b'{"protocolSection": {"identificationModule": {"briefTitle": "no id"}}}'
    client, _ = ctgov_client({None: page_bytes([OBSERVATIONAL, bad_bytes, no_id], total=3)})
    (page,) = fetch_pages(client, CTGOV, QUERY, since=None)
    good, broken, anonymous = (read_study(raw) for raw in page.studies)
    assert good.trial is not None and good.error is None
    assert broken.trial is None
    assert broken.nct_id == "NCT04393467"  # salvaged from the raw JSON
    assert bytes(broken.raw) == bad_bytes
    assert broken.error is not None and "enrollmentInfo" in broken.error
    assert (anonymous.nct_id, anonymous.trial, bytes(anonymous.raw)) == ("", None, no_id)
    assert anonymous.error is not None and "nctId" in anonymous.error
