"""Every response is bounded: in size (decompressed), in total time, and by a stop request.
A failure that cannot heal (refused, DNS) fails at once; a transient one is still retried.

Real sockets on 127.0.0.1, hostile servers from tests/hostile_http.py."""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
from typing import Any

import httpx
import pytest

from tests.hostile_http import bomb_body, closed_port, drip, endless, gzip_bomb, serving, status
from tracker.config import Config, HttpConfig
from tracker.errors import SourceError
from tracker.http import HttpStats, make_client
from tracker.runtime.interrupt import Interrupted, clear_stop, request_stop
from tracker.sources.request import fetch

MiB = 1 << 20


def _config(**http: Any) -> Config:
    policy = {"retries": 0, "timeout": 5.0, "connect_timeout": 5.0, "deadline": 10.0, **http}
    return Config().model_copy(update={"http": HttpConfig(**policy)})


def _get(url: str, cfg: Config, *, cap: int = 8 * MiB, stats: HttpStats | None = None) -> bytes:
    host = httpx.URL(url).host
    with make_client(cfg, rps_by_host={}, stats=stats, max_body_by_host={host: cap}) as client:
        return fetch(client, "GET", url + "/studies", source="ctgov", where="page 1")


@pytest.fixture(autouse=True)
def _no_stop_left_over():
    clear_stop()
    yield
    clear_stop()


def test_a_1_gib_body_fails_at_the_cap_without_holding_it() -> None:
    sent: list[int] = []
    tracemalloc.start()
    try:
        with serving(endless(sent)) as url, pytest.raises(SourceError) as err:
            _get(url, _config())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "larger than 8 MiB" in str(err.value) and f"{url}/studies" in str(err.value)
    assert peak < 24 * MiB  # the cap and a chunk, not the body
    assert sum(sent) < 64 * MiB  # and the rest was never read


def test_a_gzip_bomb_fails_at_the_cap_after_inflating_a_piece_at_a_time() -> None:
    tracemalloc.start()
    try:
        with serving(gzip_bomb()) as url, pytest.raises(SourceError) as err:
            _get(url, _config())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "larger than 8 MiB" in str(err.value)
    assert peak < 24 * MiB  # httpx alone would inflate 64 KiB of it into 64 MiB at once


def test_the_bomb_is_a_real_gzip_body() -> None:
    assert gzip.decompress(bomb_body(16 * MiB)) == bytes(16 * MiB)
    assert len(bomb_body()) < 2 * MiB


def test_a_body_under_the_cap_is_read_whole_and_gzip_still_works() -> None:
    with serving(gzip_bomb(inflated=2 * MiB)) as url:
        assert _get(url, _config()) == bytes(2 * MiB)


@pytest.mark.parametrize("head_first", [True, False], ids=["body-drips", "headers-drip"])
def test_a_dripping_server_is_cut_at_the_total_deadline(head_first: bool) -> None:
    stats = HttpStats()
    cfg = _config(deadline=1.0, retries=1, backoff_base=0.01, backoff_max=0.01)
    started = time.monotonic()
    with serving(drip(0.2, head_first=head_first)) as url, pytest.raises(SourceError) as err:
        _get(url, cfg, stats=stats)
    took = time.monotonic() - started
    assert "within 1 s (http.deadline)" in str(err.value)
    assert stats.retries == 1  # a deadline is a timeout: retried like one
    assert took < 4.0  # two attempts of about a second each, not the read timeout's 5 s each


def _stop_after(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, request_stop)
    timer.start()
    return timer


@pytest.mark.parametrize("head_first", [True, False], ids=["body-drips", "headers-drip"])
def test_a_stop_request_ends_a_stalled_request_at_once(head_first: bool) -> None:
    cfg = _config(deadline=60.0, timeout=60.0)
    with serving(drip(0.5, head_first=head_first)) as url:
        _stop_after(0.5)
        started = time.monotonic()
        with pytest.raises(Interrupted):
            _get(url, cfg)
    assert time.monotonic() - started < 1.5


def test_a_stop_request_ends_a_back_off_wait_at_once() -> None:
    cfg = _config(retries=5)
    with serving(status(503, retry_after="30")) as url:
        _stop_after(0.5)
        started = time.monotonic()
        with pytest.raises(Interrupted):
            _get(url, cfg)
    assert time.monotonic() - started < 1.5


def test_no_new_attempt_starts_after_a_stop_request() -> None:
    stats = HttpStats()
    request_stop()
    with serving(status(200)) as url, pytest.raises(Interrupted):
        _get(url, _config(), stats=stats)
    assert stats.requests == 0


@pytest.mark.parametrize("reason", ["connection refused", "DNS lookup failed"])
def test_a_failure_that_cannot_heal_fails_at_once_saying_what_to_check(reason) -> None:
    if reason == "connection refused":
        url = f"http://127.0.0.1:{closed_port()}"
    else:
        url = "http://no-such-registry.invalid"
    stats = HttpStats()
    cfg = _config(retries=5, backoff_base=1.0)
    started = time.monotonic()
    with pytest.raises(SourceError) as err:
        _get(url, cfg, stats=stats)
    assert time.monotonic() - started < 2.0
    assert stats.retries == 0 and stats.requests == 1
    message = str(err.value)
    assert message.startswith(f"ctgov: cannot reach {httpx.URL(url).host} ({reason})")
    assert "network connection" in message and "TRACKER_CTGOV_URL" in message


def test_a_transient_failure_is_still_retried() -> None:
    stats = HttpStats()
    cfg = _config(retries=2, backoff_base=0.01, backoff_max=0.01)
    with serving(status(503)) as url, pytest.raises(SourceError, match="HTTP 503"):
        _get(url, cfg, stats=stats)
    assert stats.retries == 2
