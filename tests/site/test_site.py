"""`tracker site`: pages, escaping, the feed, determinism, rebuilds and failed builds."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import feedparser
import pytest
from sqlmodel import Session

from tests.digest_support import T1, event
from tests.site_support import HOSTILE, site_files
from tracker.config import ClaimConfig, IndexConfig, SiteConfig
from tracker.evidence.summary import ledger_summary
from tracker.site import pages
from tracker.site.build import MANIFEST, build_site
from tracker.site.effects import POSTED, Estimate, pool
from tracker.site.feed import entry_id
from tracker.site.state import CACHE

CLAIM = ClaimConfig(
    statement="Magnetic stimulation slows ALS progression or prolongs survival.",
    short_name="STIMALS",
    index=IndexConfig(nct_id="NCT04393467", doi="10.1016/j.lanepe.2024.101019"),
    outcomes={"survival": ("survival", "tracheostomy-free")},
)
SITE = SiteConfig(base_url="https://example.org/stimals", contact="team@example.org")


def test_pages_show_the_standing_counts_and_every_study(world, tmp_path):
    out = tmp_path / "site"
    result = build_site(world, CLAIM, SITE, out)
    with Session(world) as session:
        summary = ledger_summary(session)
    home = (out / "index.html").read_text()
    assert f'<h1 class="standing">{summary.standing}</h1>' in home
    assert "STIMALS question: Magnetic stimulation slows ALS" in home
    assert "NCT04393467" in home and "doi:10.1016/j.lanepe.2024.101019" in home
    assert "every source complete" in home
    # What's new in plain words, newest day first, with its study page linked.
    assert home.index("retraction notice PMID:41000009") < home.index(
        "status: Recruiting → Terminated"
    )
    assert "reason given for stopping: Futility at interim analysis" in home
    assert 'href="study/NCT06000001.html"' in home
    assert "Deep TMS for depression" not in home  # not relevant: not on the site
    evidence = (out / "evidence.html").read_text()
    for key in ("refutes", "inconclusive", "confirms"):
        assert f'id="{key}"' in evidence
    assert evidence.index('id="refutes"') < evidence.index("NCT06000001.html")
    study = (out / "study" / "NCT06000002.html").read_text()
    # The human verdict beside the automatic one, and both records of the study.
    assert "Automatic verdict: pending" in study and "A person's verdict: inconclusive" in study
    assert "Results &lt;b&gt;posted&lt;/b&gt;" in study
    assert "PMID:41000001" in study and "retraction notice PMID:41000009" in study
    assert "randomized, quadruple masking, phase 3" in study
    assert result.pages == len(site_files(out)) - 2  # every file but the manifest and cache


def test_registry_text_stays_text_on_every_page_and_in_the_feed(world, tmp_path):
    out = tmp_path / "site"
    build_site(world, CLAIM, SITE, out)
    for name, data in site_files(out).items():
        if name == CACHE:
            continue  # the next build's cache, not a page (MessagePack)
        text = data.decode()
        assert "<script>alert" not in text, name
        assert 'href="javascript:' not in text, name
    study = (out / "study" / "NCT06000001.html").read_text()
    assert "tSMS &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;a href=" in study
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert any("tSMS &lt;script&gt;alert" in e.content[0].value for e in feed.entries)
    assert HOSTILE[:4] == "tSMS"


def test_feed_has_one_entry_per_dated_change_set_with_stable_ids(world, tmp_path):
    out = tmp_path / "site"
    build_site(world, CLAIM, SITE, out)
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    days = [e.id for e in feed.entries]
    assert (
        days[0]
        == entry_id("STIMALS", "2026-11-05")
        == "tag:tracker,2024:STIMALS/changes/2026-11-05"
    )
    assert len(days) == len(set(days)) == 3  # 5 Nov, 4 Nov, 30 Oct (newest first)
    assert feed.entries[0].link == "https://example.org/stimals/index.html#d-2026-11-05"
    assert "retraction notice" in feed.entries[0].content[0].value
    with Session(world) as session:
        event(session, "NCT06000002", "enrollment", "80", "120", T1 + timedelta(days=3))
        session.commit()
    build_site(world, CLAIM, SITE, out)
    again = feedparser.parse((out / "feed.xml").read_bytes())
    assert [e.id for e in again.entries][1:] == days  # a new day on top, the others unchanged


def test_same_database_same_bytes_and_a_rebuild_writes_only_what_changed(world, tmp_path):
    first = build_site(world, CLAIM, SITE, tmp_path / "a")
    build_site(world, CLAIM, SITE, tmp_path / "b")
    assert site_files(tmp_path / "a") == site_files(tmp_path / "b")
    page = tmp_path / "a" / "study" / "NCT06000001.html"
    inode = page.stat().st_ino
    again = build_site(world, CLAIM, SITE, tmp_path / "a")
    assert again.written == 0 and again.rendered_studies == 0 and first.written == first.pages
    assert page.stat().st_ino == inode  # kept, not rewritten
    with Session(world) as session:
        event(session, "NCT06000002", "enrollment", "80", "120", T1 + timedelta(days=3))
        session.commit()
    before = site_files(tmp_path / "a")
    third = build_site(world, CLAIM, SITE, tmp_path / "a")
    changed = {k for k, v in site_files(tmp_path / "a").items() if before.get(k) != v}
    assert third.rendered_studies == 1
    assert changed == {"study/NCT06000002.html", "index.html", "feed.xml", MANIFEST, CACHE}
    assert third.written == 3
    assert page.stat().st_ino == inode


def test_a_failed_build_leaves_the_previous_site_whole(world, tmp_path, monkeypatch):
    out = tmp_path / "site"
    build_site(world, CLAIM, SITE, out)
    before = site_files(out)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(pages, "evidence_pages", broken)
    with Session(world) as session:
        event(session, "NCT06000002", "enrollment", "80", "120", T1 + timedelta(days=3))
        session.commit()
    with pytest.raises(RuntimeError):
        build_site(world, CLAIM, SITE, out)
    assert site_files(out) == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_every_page_is_light(world, tmp_path):
    out = tmp_path / "site"
    build_site(world, CLAIM, SITE, out)
    sizes = {k: len(v) for k, v in site_files(out).items()}
    assert all(size < 200_000 for size in sizes.values()), sizes
    assert sizes["index.html"] + sizes["charts/studies-by-year.svg"] < 100_000


def test_many_studies_are_split_into_pages_under_the_limit(world, tmp_path, monkeypatch):
    monkeypatch.setattr(pages, "PAGE_ROWS", 2)
    monkeypatch.setattr(pages, "FIRST_PAGE_ROWS", 1)
    out = tmp_path / "site"
    build_site(world, CLAIM, SITE, out)
    assert (out / "evidence-refutes-1.html").exists()
    assert 'href="evidence-refutes-1.html"' in (out / "evidence.html").read_text()


def test_forest_plot_pools_two_comparable_hazard_ratios(world, tmp_path):
    out = tmp_path / "site"
    build_site(world, CLAIM, SITE, out)
    effects = (out / "effects.html").read_text()
    assert (
        "Fixed-effect inverse-variance pooling of 2 studies&#39; log hazard ratios for survival"
        in effects
    )
    svg = (out / "charts" / "forest-1.svg").read_text()
    assert "<svg" in svg and "Pooled (2 studies)" in svg
    assert 'href="effects.html"' in (out / "index.html").read_text()


def _hr(study: str, value: float, lower: float, upper: float) -> Estimate:
    return Estimate(
        study, POSTED, "hazard ratio", "survival", "survival", "", value, lower, upper, "", study
    )


def test_pooling_maths_and_no_pool_for_one_study():
    a, b = _hr("A", 0.8, 0.6, 1.07), _hr("B", 0.7, 0.5, 0.98)
    pooled = pool([a, b])
    assert pooled is not None
    assert 0.7 < pooled.value < 0.8 and pooled.lower < 0.7 and pooled.upper < 1.0
    assert pool([a]) is None


def _tracker(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_cli_unwritable_or_foreign_output_exits_2_naming_the_folder(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{tmp_path / 't.db'}"
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    bad = _tracker("site", "--output", str(blocker / "site"), env=env)
    assert bad.returncode == 2 and str(blocker / "site") in bad.stderr
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    refused = _tracker("site", "--output", str(foreign), env=env)
    assert refused.returncode == 2 and "not a tracker site" in refused.stderr
    assert (foreign / "notes.txt").read_text() == "mine"


def test_a_notice_two_events_name_is_said_once_in_the_news(world, tmp_path):
    """A retracted paper's 'retraction' event and its 'corrections' event (RetractionIn)
    read the same: what's new says it once."""
    build_site(world, CLAIM, SITE, tmp_path / "before")
    said = (tmp_path / "before" / "index.html").read_text().count("retraction notice PMID:41000009")
    with Session(world) as session:
        event(
            session,
            "PMID:41000001",
            "corrections",
            None,
            "RetractionIn PMID:41000009",
            T1 + timedelta(days=1),
        )
        session.commit()
    build_site(world, CLAIM, SITE, tmp_path / "after")
    home = (tmp_path / "after" / "index.html").read_text()
    assert said >= 1 and home.count("retraction notice PMID:41000009") == said
