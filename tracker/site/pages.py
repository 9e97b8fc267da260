"""Render the website's pages with Jinja2 (autoescaped: every registry text stays text)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tracker.reports.plain import ROLE_WORDS, VERDICT_WORDS, verdict_label
from tracker.reports.verdicts import VERDICT_LABELS
from tracker.site.charts import per_year
from tracker.site.model import SiteFacts, StudyRow, study_slug
from tracker.site.timeline import Timeline

PAGE_ROWS = 200
"""Studies per evidence page (keeps every page well under 200 KB)."""
FIRST_PAGE_ROWS = 40
"""Studies per verdict on the main evidence page when there are more than PAGE_ROWS."""
TIMELINE_ROWS = 200
"""Newest timeline entries on a study page."""
RECORD_ROWS = 50
"""Records shown in full on a study page; the rest by id (a study can gather hundreds of
papers, and every page stays under 200 KB)."""
TITLE_LIMIT = 200


def clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 1].rstrip() + "…"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("tracker.site", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "xml"), default=True),
        undefined=StrictUndefined,
        trim_blocks=False,
    )
    env.filters["clip"] = clip
    env.filters["verdict"] = verdict_label
    env.filters["words"] = lambda v: VERDICT_WORDS.get(v, v)
    env.filters["role"] = lambda r: {
        "follow_up": "a follow-up (after the index result)",
        "prior": "earlier evidence (before the index result)",
        "index": "the index study",
        "review": "a systematic review",
        "background": "background",
        "excluded": "not relevant",
    }.get(r, ROLE_WORDS.get(r, r))
    env.filters["slug"] = study_slug
    env.filters["longday"] = lambda d: f"{int(d[8:10])} {_MONTHS[int(d[5:7]) - 1]} {d[:4]}"
    return env


_MONTHS = (
    "January February March April May June July August September October November December".split()
)


def _verdicts(facts: SiteFacts) -> list[dict[str, Any]]:
    return [
        {
            "key": v,
            "label": label,
            "words": VERDICT_WORDS[v],
            "count": facts.counts.get(v, 0),
            "participants": facts.participants.get(v, 0),
        }
        for v, label in VERDICT_LABELS.items()
    ]


def home_page(facts: SiteFacts, chart_alt: str, forests: list[Any]) -> str:
    years, series = per_year(facts.studies)
    rows = [
        {"year": y, "counts": [series[v][i] for v in VERDICT_LABELS]} for i, y in enumerate(years)
    ]
    return (
        environment()
        .get_template("index.html")
        .render(
            facts=facts,
            root="",
            page="home",
            verdicts=_verdicts(facts),
            chart_alt=chart_alt,
            chart_rows=rows,
            forests=forests,
        )
    )


@dataclass(frozen=True)
class EvidencePage:
    name: str
    html: str


def evidence_pages(facts: SiteFacts) -> list[EvidencePage]:
    """evidence.html (every verdict), plus pages per verdict when there are many studies."""
    by_verdict: dict[str, list[StudyRow]] = {v: [] for v in VERDICT_LABELS}
    for s in facts.studies:
        by_verdict.setdefault(s.verdict, []).append(s)
    many = len(facts.studies) > PAGE_ROWS
    template = environment().get_template("evidence.html")
    out: list[EvidencePage] = []
    groups = []
    for v, rows in by_verdict.items():
        chunks = [rows[i : i + PAGE_ROWS] for i in range(0, len(rows), PAGE_ROWS)] if many else []
        pages = [{"n": n + 1, "href": f"evidence-{v}-{n + 1}.html"} for n in range(len(chunks))]
        label = VERDICT_LABELS.get(v, v)
        group = {"key": v, "label": label, "words": VERDICT_WORDS.get(v, ""), "total": len(rows)}
        groups.append({**group, "rows": rows[:FIRST_PAGE_ROWS] if many else rows, "pages": pages})
        for n, chunk in enumerate(chunks):
            html = template.render(
                facts=facts,
                root="",
                page="evidence",
                heading=f"{label.capitalize()}: page {n + 1} of {len(chunks)}",
                groups=[{**group, "rows": chunk, "pages": pages}],
            )
            out.append(EvidencePage(f"evidence-{v}-{n + 1}.html", html))
    main = template.render(
        facts=facts, root="", page="evidence", heading="All studies", groups=groups
    )
    return [EvidencePage("evidence.html", main), *out]


def study_page(facts: SiteFacts, study: StudyRow, timeline: Timeline | None) -> str:
    rows = timeline.rows if timeline else []
    shown = rows[-TIMELINE_ROWS:][::-1]  # newest first
    return (
        environment()
        .get_template("study.html")
        .render(
            facts=facts,
            root="../",
            page="study",
            s=study,
            timeline=shown,
            cut=max(0, (timeline.total if timeline else 0) - len(shown)),
            records=study.records[:RECORD_ROWS],
            more_records=study.records[RECORD_ROWS:],
        )
    )


def effects_page(facts: SiteFacts, forests: list[Any]) -> str:
    return (
        environment()
        .get_template("effects.html")
        .render(facts=facts, root="", page="effects", forests=forests)
    )
