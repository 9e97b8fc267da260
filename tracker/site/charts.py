"""The website's charts as small SVG files, drawn with matplotlib (Agg, no pyplot).

Text stays text (svg.fonttype none) and ids come from a fixed salt with no date in the
metadata, so the same numbers give the same bytes. Each chart comes with its text
alternative: a one-line summary for alt, and the numbers as a table on the page.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from tracker.reports.verdicts import VERDICT_COLOURS, VERDICT_LABELS
from tracker.site.effects import Forest, Pooled
from tracker.site.model import StudyRow

_RC: dict[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "tracker-site", "font.size": 10}


def _rc() -> Any:
    return matplotlib.rc_context(_RC)  # type: ignore[arg-type]


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with _rc():
        FigureCanvasSVG(figure)
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def per_year(studies: Sequence[StudyRow]) -> tuple[list[str], dict[str, list[int]]]:
    """Years (with an 'undated' column when needed) and studies per verdict in each."""
    counts = Counter(((s.date or "")[:4] or "undated", s.verdict) for s in studies)
    years = sorted({y for y, _ in counts}, key=lambda y: (y == "undated", y))
    return years, {v: [counts[(y, v)] for y in years] for v in VERDICT_LABELS}


def timeline_chart(studies: Sequence[StudyRow]) -> tuple[bytes, str]:
    """Stacked bars of studies by year of registration or publication, one colour a verdict."""
    years, series = per_year(studies)
    with _rc():
        figure = Figure(figsize=(6.4, 2.6))
        axes = figure.add_subplot()
        bottom = [0] * len(years)
        for verdict, values in series.items():
            if not any(values):
                continue
            axes.bar(
                years,
                values,
                bottom=bottom,
                color=VERDICT_COLOURS[verdict],
                label=VERDICT_LABELS[verdict],
                width=0.7,
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.set_ylabel("studies")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.tick_params(axis="x", labelrotation=45 if len(years) > 10 else 0, labelsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        if years:
            axes.legend(frameon=False, fontsize=8, loc="upper left")
        # Fixed margins, not tight_layout: measuring every label's box costs most of a second.
        figure.subplots_adjust(left=0.09, right=0.99, top=0.97, bottom=0.22)
    total = {VERDICT_LABELS[v]: sum(vals) for v, vals in series.items() if sum(vals)}
    span = f"{years[0]} to {years[-1]}" if years else "no years"
    alt = f"Studies by year of registration or publication, {span}, coloured by verdict: " + (
        ", ".join(f"{k} {n}" for k, n in total.items()) or "none yet"
    )
    return _svg(figure), alt


def forest_chart(forest: Forest) -> tuple[bytes, str]:
    """One measure and outcome: a row per estimate with its 95% interval (its source in the
    label), the pooled one as a diamond."""
    rows = [(e.label[:80], e.value, e.lower, e.upper, False) for e in forest.estimates]
    pooled = forest.pooled
    if pooled is not None:
        rows.append((f"Pooled ({pooled.studies} studies)", *_triple(pooled), True))
    ratio = forest.estimates[0].ratio
    with _rc():
        figure = Figure(figsize=(6.4, 0.8 + 0.3 * len(rows)))
        axes = figure.add_subplot()
        for y, (_, value, lower, upper, is_pooled) in enumerate(rows):
            axes.plot([lower, upper], [y, y], color="#1f2328", linewidth=1.2)
            axes.plot([value], [y], marker="D" if is_pooled else "s", color="#0969da")
        axes.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=7)
        axes.invert_yaxis()
        if ratio:
            axes.set_xscale("log")
        axes.axvline(1 if ratio else 0, color="#8c959f", linewidth=0.8, linestyle="--")
        axes.set_xlabel(forest.title)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout(pad=0.4)
    alt = f"{forest.title}, with 95% intervals: " + "; ".join(
        f"{r[0]} {r[1]:.3g} ({r[2]:.3g} to {r[3]:.3g})" for r in rows
    )
    return _svg(figure), alt


def _triple(p: Pooled) -> tuple[float, float, float]:
    return p.value, p.lower, p.upper
