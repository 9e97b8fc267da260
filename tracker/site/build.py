"""Build the site into a temporary folder beside the output, then swap it in.

A build that fails midway leaves the previous site whole: nothing is written into the
output folder itself, only renamed in at the end. A rebuild renders only the study pages
whose content changed (a fingerprint per page, kept in the site's manifest), and a file
whose bytes did not change is hard-linked from the previous site, so it keeps its inode
and time (rsync and static hosts see no change).
"""

from __future__ import annotations

import hashlib
import json
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
from tracker.records.trial import TrialData
from tracker.site import pages
from tracker.site.charts import forest_chart, per_year, timeline_chart
from tracker.site.collect import collect_studies
from tracker.site.effects import estimates, pool
from tracker.site.facts import site_facts
from tracker.site.feed import FEED_NAME, atom_feed
from tracker.site.model import SiteFacts, StudyRow
from tracker.site.news import timelines
from tracker.store.db import session_scope

MANIFEST = ".tracker-site.json"
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


def _code_hash() -> str:
    """Changes to templates, styles or this package's code re-render every page."""
    digest = hashlib.sha256()
    package = resources.files("tracker.site")
    for name in sorted(p.name for p in package.iterdir() if p.name.endswith(".py")):
        digest.update(package.joinpath(name).read_bytes())
    for folder in ("templates", "static"):
        for item in sorted(package.joinpath(folder).iterdir(), key=lambda p: p.name):
            digest.update(item.name.encode() + item.read_bytes())
    return digest.hexdigest()


def _fingerprint(study: StudyRow, facts: SiteFacts, code: str) -> str:
    site = (facts.title, facts.statement, facts.contact, facts.short_name, code)
    return hashlib.sha256(repr((study, site)).encode()).hexdigest()


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
        result = _build_into(engine, claim, site, output, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, output)
    return BuildResult(output, result[0], result[1], result[2], time.perf_counter() - start)


def _build_into(
    engine: Engine, claim: ClaimConfig, site: SiteConfig, output: Path, staging: Path
) -> tuple[int, int, int]:
    old = _manifest(output)
    code = _code_hash()
    writer = _Writer(output, staging)
    new_prints: dict[str, str] = {}
    with session_scope(engine) as session:
        studies, with_results = collect_studies(session)
        facts = site_facts(session, claim, site, studies)
        stale: list[StudyRow] = []
        for s in studies:
            fp = new_prints[s.slug] = _fingerprint(s, facts, code)
            name = f"study/{s.slug}.html"
            if old.get("studies", {}).get(s.slug) == fp and writer.keep(name):
                continue
            stale.append(s)
        for i in range(0, len(stale), BATCH):
            batch = stale[i : i + BATCH]
            lines = timelines(session, batch)
            for s in batch:
                writer.write(
                    f"study/{s.slug}.html", pages.study_page(facts, s, lines.get(s.key, []))
                )
    writer.old_charts = old.get("charts", {}) if old.get("code") == code else {}
    _site_wide(writer, facts, claim, with_results)
    manifest = {"code": code, "studies": new_prints, "charts": writer.charts}
    (staging / MANIFEST).write_text(json.dumps(manifest, sort_keys=True, indent=0))
    return writer.count, writer.written, len(stale)


def _site_wide(
    writer: _Writer, facts: SiteFacts, claim: ClaimConfig, trials: list[tuple[str, TrialData]]
) -> None:
    chart_input = hashlib.sha256(repr(per_year(facts.studies)).encode()).hexdigest()
    alt = writer.cached_alt("charts/studies-by-year.svg", chart_input)
    if alt is None:  # the numbers changed (or no previous site): draw it again
        chart, alt = timeline_chart(facts.studies)
        writer.write("charts/studies-by-year.svg", chart)
    writer.charts["charts/studies-by-year.svg"] = {"input": chart_input, "alt": alt}
    forests = _forests(writer, claim, trials)
    writer.write("index.html", pages.home_page(facts, alt, forests))
    if forests:
        writer.write("effects.html", pages.effects_page(facts, forests))
    for page in pages.evidence_pages(facts):
        writer.write(page.name, page.html)
    writer.write(FEED_NAME, atom_feed(facts, pages.environment()))
    static = resources.files("tracker.site").joinpath("static")
    for name in ("site.css", "table.js"):
        writer.write(name, static.joinpath(name).read_bytes())


def _forests(
    writer: _Writer, claim: ClaimConfig, trials: list[tuple[str, TrialData]]
) -> list[dict[str, object]]:
    terms = [t for group in claim.outcomes.values() for t in group]
    found = estimates(trials, terms)
    pooled = {p.measure: p for p in pool(found)}
    out: list[dict[str, object]] = []
    for measure in dict.fromkeys(e.measure for e in found):
        members = [e for e in found if e.measure == measure]
        svg, alt = forest_chart(members, pooled.get(measure))
        name = f"forest-{len(out) + 1}.svg"
        writer.write(f"charts/{name}", svg)
        out.append(
            {
                "measure": measure,
                "file": name,
                "alt": alt,
                "estimates": members,
                "pooled": pooled.get(measure),
            }
        )
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


def _manifest(output: Path) -> dict[str, Any]:
    try:
        data = json.loads((output / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _swap(staging: Path, output: Path) -> None:
    """Two renames: the old site out of the way, the new one in; then the old one removed."""
    retired = output.parent / f".{output.name}.old-{os.getpid()}"
    if output.exists():
        output.rename(retired)
    staging.rename(output)
    shutil.rmtree(retired, ignore_errors=True)
