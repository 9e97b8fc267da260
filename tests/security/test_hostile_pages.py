"""Registry answers that are 200 but not what the API sends, over a real loopback socket:
they fail the source with one message naming the URL, never a complete sync of nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from tracker.config import Config, CtgovConfig, CtgovQuery, EuropepmcConfig
from tracker.errors import SourceError
from tracker.http import make_client
from tracker.sources.ctgov import fetch_pages
from tracker.sources.europepmc import fetch_pages as epmc_pages

Answer = tuple[int, dict[str, str], bytes]
Route = Callable[[str, dict[str, list[str]]], Answer]
QUERY = CtgovQuery(name="als-tms", cond="ALS", intr="magnetic stimulation")


@pytest.fixture
def serve() -> Iterator[Callable[[Route], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(route: Route) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                status, headers, body = route(url.path, parse_qs(url.query))
                self.send_response(status)
                for name, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def pages(base: str) -> list[int]:
    cfg = CtgovConfig(url=f"{base}/api/v2", page_size=10, rps=0)
    client = make_client(Config(), rps_by_host={})
    with client:
        return [len(page.studies) for page in fetch_pages(client, cfg, QUERY, since=None)]


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "body", [b'{"foo": 1}', b'{"totalCount": 0}', b"{}"], ids=["foo", "count-only", "empty"]
)
def test_json_that_is_not_a_studies_page_fails_naming_the_url(
    serve: Callable[[Route], str], body: bytes
) -> None:
    base = serve(lambda path, query: (200, JSON, body))
    with pytest.raises(SourceError) as info:
        pages(base)
    message = str(info.value)
    assert f"{base}/api/v2/studies" in message and "studies" in message
    assert "\n" not in message


def test_redirect_to_an_html_login_page_fails_naming_the_url(
    serve: Callable[[Route], str],
) -> None:
    def route(path: str, query: dict[str, list[str]]) -> Answer:
        if path == "/login":
            return 200, {"Content-Type": "text/html"}, b"<html><form>Sign in</form></html>"
        return 302, {"Location": "/login"}, b""

    base = serve(route)
    with pytest.raises(SourceError, match="malformed JSON") as info:
        pages(base)
    assert f"{base}/api/v2/studies" in str(info.value)


def test_an_empty_studies_page_is_still_a_complete_page(serve: Callable[[Route], str]) -> None:
    base = serve(lambda path, query: (200, JSON, b'{"studies": [], "totalCount": 0}'))
    assert pages(base) == [0]


def test_a_page_token_that_keeps_changing_stops_at_a_cap_from_the_count(
    serve: Callable[[Route], str],
) -> None:
    served: list[int] = []

    def route(path: str, query: dict[str, list[str]]) -> Answer:
        number = int(query.get("pageToken", ["1"])[0])
        served.append(number)
        if number > 50:  # without a cap the walk would never end: end it, and fail below
            return 200, JSON, b'{"studies": []}'
        body = b'{"studies": [], "totalCount": 25, "nextPageToken": "%d"}' % (number + 1)
        return 200, JSON, body

    base = serve(route)
    with pytest.raises(SourceError, match="still given a new page token after 5 pages"):
        pages(base)  # 25 records in pages of 10: 3 pages, plus 2 to spare
    assert served == [1, 2, 3, 4, 5]


def test_a_europe_pmc_cursor_that_keeps_changing_stops_at_a_cap_from_the_count(
    serve: Callable[[Route], str],
) -> None:
    served: list[str] = []

    def route(path: str, query: dict[str, list[str]]) -> Answer:
        cursor = query["cursorMark"][0]
        served.append(cursor)
        following = "1" if cursor == "*" else str(int(cursor) + 1)
        if cursor != "*" and int(cursor) > 50:  # end an uncapped walk so the test fails
            return 200, JSON, b'{"hitCount": 3, "resultList": {"result": []}}'
        body = b'{"hitCount": 3, "nextCursorMark": "%s", "resultList": {"result": [{"id": "1"}]}}'
        return 200, JSON, body % following.encode()

    base = serve(route)
    cfg = EuropepmcConfig(url=base, query="ALS", rps=0)
    client = make_client(Config(), rps_by_host={})
    with client, pytest.raises(SourceError, match="still given a new cursor after 4 pages"):
        for _ in epmc_pages(client, cfg, since=None, page_size=2):
            pass
    assert served == ["*", "1", "2", "3"]  # 3 hits in pages of 2: 2 pages, plus 2 to spare
