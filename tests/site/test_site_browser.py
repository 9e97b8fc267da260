"""The website in a real browser (headless Chromium), served over loopback HTTP, built by
`tracker site` from a simulator world synced by `tracker run`."""

from __future__ import annotations

import json
import os
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest

from tests.browser_support import CHROMEDRIVER, CHROMIUM, browser, serve
from tests.cli.test_cli import tracker
from tests.e2e_support import build_world, write_config_file

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Debian's chromium and chromium-driver (installed by .ci/run)",
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (tag, name) in {
                ("a", "href"),
                ("link", "href"),
                ("img", "src"),
                ("script", "src"),
            }:
                self.links.append(value)


@pytest.fixture
def built(simulator, tmp_path_factory):
    sim = simulator
    tmp = tmp_path_factory.mktemp("browser")
    build_world(sim.ctgov)
    config = write_config_file(tmp, sim, f"sqlite:///{tmp / 'site.db'}")
    tracker("run", "--format", "json", config=config, check_code=None)
    sim.ctgov.advance(7)
    study = sim.ctgov.ids()[0]
    sim.ctgov.set_status(study, "TERMINATED", why_stopped="Futility at <b>interim</b> analysis")
    tracker("run", "--format", "json", config=config, check_code=None)
    out = tmp / "public"
    tracker("site", "--output", str(out), config=config)
    evidence = json.loads(tracker("evidence", "--format", "json", config=config).stdout)
    return out, evidence


def _crawl(base: str) -> dict[str, bytes]:
    """Every page and file reachable from index.html; fails on any internal link that 404s."""
    seen: dict[str, bytes] = {}
    todo = [urljoin(base, "index.html")]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        with urllib.request.urlopen(url, timeout=30) as response:  # 404 raises HTTPError
            assert response.status == 200, url
            seen[url] = response.read()
        if url.endswith(".html"):
            parser = _Links()
            parser.feed(seen[url].decode())
            for link in parser.links:
                target = urljoin(url, link).split("#")[0]
                if target.startswith(base):
                    todo.append(target)
    return seen


def test_the_site_in_a_browser(built, tmp_path):
    out, evidence = built
    with serve(out) as base:
        files = _crawl(base)
        pages = sorted(u for u in files if u.endswith(".html"))
        assert any("/study/" in u for u in pages) and urljoin(base, "feed.xml") in files
        feed = feedparser.parse(files[urljoin(base, "feed.xml")])
        assert not feed.bozo and feed.entries
        assert all(len(data) < 200_000 for data in files.values())
        with browser(360, 800) as phone:
            phone.get(urljoin(base, "index.html"))
            headline = phone.find_element("css selector", "h1.standing").text
            assert headline == evidence["summary"]["standing"]
            rows = phone.find_elements("css selector", "table.counts tbody tr")
            counts = {
                r.find_element("css selector", "th a").text: r.find_elements("css selector", "td")[
                    0
                ].text
                for r in rows
            }
            assert counts["refutes"] == str(evidence["summary"]["refutes"])
            assert counts["pending"] == str(evidence["summary"]["pending"])
            for url in pages:
                phone.get(url)
                assert phone.execute_script("return document.documentElement.lang") == "en"
                overflow = phone.execute_script(
                    "return document.documentElement.scrollWidth - window.innerWidth"
                )
                assert overflow <= 0, (url, overflow)
                images = phone.execute_script(
                    "return [...document.images].map(i => [i.alt, i.naturalWidth])"
                )
                assert all(alt and width > 0 for alt, width in images), (url, images)
                levels = phone.execute_script(
                    "return [...document.querySelectorAll('h1,h2,h3,h4')].map(h => +h.tagName[1])"
                )
                steps = zip(levels, levels[1:], strict=False)
                assert levels[0] == 1 and all(b - a <= 1 for a, b in steps), url
            phone.get(urljoin(base, "index.html"))
            phone.save_screenshot(str(tmp_path / "phone.png"))
        with browser(1200, 900) as desktop:
            desktop.get(urljoin(base, "evidence.html"))
            box = desktop.find_element("css selector", ".filter-slot input")
            rows = desktop.find_elements("css selector", "table.studies tbody tr")
            first = rows[0].text
            box.send_keys(first.split()[0][:12])
            visible = [r for r in rows if r.is_displayed()]
            assert 0 < len(visible) <= len(rows)
            desktop.save_screenshot(str(tmp_path / "desktop.png"))
        # The literal registry text of the stopped trial, in a page, never as markup.
        stopped = [u for u in pages if b"Futility at" in files[u]]
        assert stopped and all(b"Futility at &lt;b&gt;interim" in files[u] for u in stopped)
    assert (tmp_path / "phone.png").read_bytes()[:4] == b"\x89PNG"
    assert os.path.getsize(tmp_path / "desktop.png") > 10_000
    assert urlsplit(base).hostname == "127.0.0.1"
