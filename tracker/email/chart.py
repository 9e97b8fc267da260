"""The email's chart: studies per verdict as one small PNG, drawn with matplotlib (Agg).

The Figure is built directly (no pyplot), so no global backend or figure state is
touched and nothing needs a display.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from tracker.reports.verdicts import VERDICT_COLOURS, VERDICT_LABELS


def ledger_chart(counts: dict[str, int]) -> bytes:
    """A horizontal bar per verdict with its count: a PNG of a few KB."""
    verdicts = list(VERDICT_LABELS)
    values = [counts.get(v, 0) for v in verdicts]
    figure = Figure(figsize=(5.6, 1.6), dpi=110)  # 616 x 176 px, shown 560 wide
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(verdicts))
    bars = axes.barh(positions, values, color=[VERDICT_COLOURS[v] for v in verdicts], height=0.62)
    axes.set_yticks(list(positions), [VERDICT_LABELS[v] for v in verdicts], fontsize=10)
    axes.invert_yaxis()  # the first verdict on top, as in the text
    axes.bar_label(bars, labels=[str(v) for v in values], padding=3, fontsize=10)
    axes.set_xlim(0, max([*values, 1]) * 1.15)
    axes.set_xticks([])
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    figure.tight_layout(pad=0.4)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    # Five flat colours and antialiased text fit a 64-colour palette: a third of the bytes.
    with Image.open(io.BytesIO(buffer.getvalue())) as image:
        small = image.convert("RGB").quantize(colors=64)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()
