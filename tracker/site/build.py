"""Build the site into a temporary folder beside the output, then swap it in.

A build that fails midway leaves the previous site whole: nothing is written into the
output folder itself, only renamed in at the end. A rebuild reads again only the records
whose stored rows changed (tracker.site.state), renders only the study pages whose
fingerprint changed, and draws a chart only when its numbers changed; a file whose bytes
did not change is hard-linked from the previous site, so it keeps its inode and time
(rsync and static hosts see no change). The pages that show totals (home, evidence
table, feed, effects) are rendered on every build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tracker.config import ClaimConfig, SiteConfig
from tracker.errors import UsageError
from tracker.site import pages
from tracker.site.charts import forest_chart, per_year, timeline_chart
from tracker.site.collect import collect_studies
from tracker.site.effects import Estimate, forests
from tracker.site.facts import site_facts
from tracker.site.feed import FEED_NAME, atom_feed
from tracker.site.model import SiteFacts, StudyRow
from tracker.site.state import MANIFEST, claim_hash, code_hash, load, save
from tracker.site.timeline import timelines
from tracker.store.db import session_scope

__all__ = ["MANIFEST", "BuildResult", "build_site", "check_output"]

BATCH = 200
"""Study pages whose timelines are read and rendered together."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    output: Path
    pages: int
    written: int
    """Files whose bytes changed (or are new)."""
    rendered_studies: int
    seconds: float
    read_records: int = 0
    """Records read from the database (the others came from the previous build)."""


def check_output(output: Path) -> None:
    """The output must be a folder we may replace: absent, empty, or a previous site."""
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output}: not a folder; give --output a folder for the site")
    if output.is_dir() and any(output.iterdir()) and not (output / MANIFEST).exists():
        raise UsageError(
            f"{output}: the folder holds files that are not a tracker site; "
            "choose an empty or new folder"
        )
    parent = output.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{output}: cannot write the site there (folder {parent} is not writable)")


def build_site(engine: Engine, claim: ClaimConfig, site: SiteConfig, output: Path) -> BuildResult:
    start = time.perf_counter()
    output = output.absolute()
    check_output(output)
    try:
        staging = Path(os.fspath(output.parent / f".{output.name}.building-{os.getpid()}"))
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
    except OSError as exc:
        raise UsageError(f"{output}: cannot write the site there: {exc.strerror}") from exc
    try:
        counts = _build_into(engine, claim, site, output, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, output)
    return BuildResult(output, *counts[:3], time.perf_counter() - start, counts[3])


def _build_into(
    engine: Engine, claim: ClaimConfig, site: SiteConfig, output: Path, staging: Path
) -> tuple[int, int, int, int]:
    code, claim_key = code_hash(), claim_hash(claim)
    previous = load(output, code=code, claim=claim_key)
    old_prints: dict[str, str] = previous.manifest.get("studies", {})
    writer = _Writer(output, staging)
    new_prints: dict[str, str] = {}
    with session_scope(engine) as session:
        collected = collect_studies(session, claim, previous)
        facts = site_facts(session, claim, site, collected.studies)
        site_part = repr((facts.title, facts.statement, facts.contact, facts.short_name, code))
        stale: list[StudyRow] = []
        for s in collected.studies:
            own = collected.digests[s.key]
            fp = new_prints[s.slug] = hashlib.sha256((site_part + own).encode()).hexdigest()
            if old_prints.get(s.slug) == fp and writer.keep(f"study/{s.slug}.html"):
                continue
            stale.append(s)
        for i in range(0, len(stale), BATCH):
            batch = stale[i : i + BATCH]
            lines = timelines(session, batch, limit=pages.TIMELINE_ROWS)
            for s in batch:
                writer.write(f"study/{s.slug}.html", pages.study_page(facts, s, lines.get(s.key)))
    writer.old_charts = previous.manifest.get("charts", {})
    _site_wide(writer, facts, collected.estimates)
    manifest = {
        "code": code,
        "claim": claim_key,
        "marks": collected.reading.marks,
        "studies": new_prints,
        "charts": writer.charts,
    }
    save(staging, manifest, collected.records)
    return writer.count, writer.written, len(stale), len(collected.reading.stale)


def _site_wide(writer: _Writer, facts: SiteFacts, estimates: list[Estimate]) -> None:
    chart_input = hashlib.sha256(repr(per_year(facts.studies)).encode()).hexdigest()
    alt = writer.cached_alt("charts/studies-by-year.svg", chart_input)
    if alt is None:  # the numbers changed (or no previous site): draw it again
        chart, alt = timeline_chart(facts.studies)
        writer.write("charts/studies-by-year.svg", chart)
    writer.charts["charts/studies-by-year.svg"] = {"input": chart_input, "alt": alt}
    plots = _forests(writer, estimates)
    writer.write("index.html", pages.home_page(facts, alt, plots))
    if plots:
        writer.write("effects.html", pages.effects_page(facts, plots))
    for page in pages.evidence_pages(facts):
        writer.write(page.name, page.html)
    writer.write(FEED_NAME, atom_feed(facts, pages.environment()))
    static = resources.files("tracker.site").joinpath("static")
    for name in ("site.css", "table.js"):
        writer.write(name, static.joinpath(name).read_bytes())


def _forests(writer: _Writer, estimates: list[Estimate]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for n, forest in enumerate(forests(estimates), start=1):
        name = f"charts/forest-{n}.svg"
        chart_input = hashlib.sha256(repr(forest).encode()).hexdigest()
        alt = writer.cached_alt(name, chart_input)
        if alt is None:
            svg, alt = forest_chart(forest)
            writer.write(name, svg)
        writer.charts[name] = {"input": chart_input, "alt": alt}
        out.append({"forest": forest, "file": name.removeprefix("charts/"), "alt": alt})
    return out


class _Writer:
    """Writes files into the staging folder; unchanged bytes become links to the old file."""

    def __init__(self, output: Path, staging: Path) -> None:
        self.output, self.staging = output, staging
        self.count = self.written = 0
        self.old_charts: dict[str, Any] = {}
        self.charts: dict[str, Any] = {}

    def cached_alt(self, name: str, chart_input: str) -> str | None:
        """The text alternative of a chart drawn from the same numbers last time (the file
        is kept), or None when it must be drawn again."""
        old = self.old_charts.get(name)
        if not old or old.get("input") != chart_input or not self.keep(name):
            return None
        alt: str = old["alt"]
        return alt

    def keep(self, name: str) -> bool:
        old = self.output / name
        if not old.is_file():
            return False
        self._place(name, old)
        self.count += 1
        return True

    def write(self, name: str, content: str | bytes) -> None:
        data = content.encode() if isinstance(content, str) else content
        self.count += 1
        old = self.output / name
        if old.is_file() and old.stat().st_size == len(data) and old.read_bytes() == data:
            self._place(name, old)
            return
        target = self.staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.written += 1

    def _place(self, name: str, old: Path) -> None:
        target = self.staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(old, target)
        except OSError:
            shutil.copy2(old, target)


def _swap(staging: Path, output: Path) -> None:
    """Two renames: the old site out of the way, the new one in; then the old one removed."""
    retired = output.parent / f".{output.name}.old-{os.getpid()}"
    if output.exists():
        output.rename(retired)
    staging.rename(output)
    shutil.rmtree(retired, ignore_errors=True)
