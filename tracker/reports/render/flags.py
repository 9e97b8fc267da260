"""A record's consistency flags and registrations in the terminal (`tracker show`): each flag
with the texts it compares, quoted as they stand in the registry (as Text, never markup)."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from tracker.reports.flags import Consistency

_STYLE = {"major": "bold red", "minor": "yellow", "info": "dim"}


def consistency_parts(c: Consistency) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if c.study_registrations:
        line = Text("registrations: ", style="dim")
        line.append(", ".join(c.study_registrations))
        if c.own_registrations:
            how = "; ".join(f"{reg} ({prov})" for reg, prov in c.own_registrations)
            line.append(f"  [declared here: {how}]", style="dim")
        parts.append(line)
    if not c.flags:
        return parts
    table = Table(title="Consistency flags (registered vs reported)", title_justify="left")
    table.add_column("severity")
    table.add_column("flag", overflow="fold")
    for f in c.flags:
        text = Text(f.summary)
        text.append(f"  [{f.rule} on {f.record_id}]", style="dim")
        for quote in f.evidence:
            text.append("\n  " + quote, style="italic")
        table.add_row(Text(f.severity, style=_STYLE.get(f.severity, "")), text)
    parts.append(table)
    if c.needs_check:
        parts.append(
            Text(
                "NEEDS A HUMAN CHECK: a major flag stands; `tracker judge` clears the check "
                "(the flag stays).",
                style="bold red",
            )
        )
    return parts
