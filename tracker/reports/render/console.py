"""Rich renderers for the terminal. Registry text always goes in as Text, never markup,
so a title such as '[Effect of X on Y]' prints as itself."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from tracker.reports.digest_data import Digest, SourceHealth
from tracker.reports.grouping import RecordSection, group_by_record
from tracker.reports.render.fit import FittedTable, add_columns
from tracker.reports.render.fold import NBSP, Folded
from tracker.reports.verdicts import VERDICT_LABELS, VERDICT_STYLES, state_style


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def linked_id(record_id: str, url: str | None) -> Text:
    """The id, as a terminal hyperlink where the terminal supports them."""
    return Text(record_id, style=Style(bold=True, link=url) if url else "bold")


def render_digest(digest: Digest) -> RenderableType:
    window = (
        f"{when(digest.since)} → {when(digest.until)} UTC" if digest.since else "all stored records"
    )
    parts: list[RenderableType] = [
        Text.assemble(("tracker digest", "bold"), f"  {window}"),
        standing_line(digest.standing, digest.state),
    ]
    listed = group_by_record(digest.sections)
    if not listed:
        parts += [Text(""), Text("Nothing new in this window.", style="dim")]
    for section in listed:
        parts += [Text(""), _section_lines(section)]
    if digest.not_relevant or digest.unassessed:
        parts += [Text(""), Text(not_listed_sentence(digest), style="dim")]
    parts += [Text(""), _ledger(digest), Text(""), health_table(digest.health)]
    parts += _failures(digest.health)
    return Group(*parts)


def not_listed_sentence(digest: Digest) -> str:
    """E.g. 'Not listed: 3 new records or changes on records judged not relevant; 1 on
    records not assessed yet.'"""
    bits = []
    if digest.not_relevant:
        bits.append(f"{digest.not_relevant} on records judged not relevant")
    if digest.unassessed:
        bits.append(f"{digest.unassessed} on records not assessed yet")
    first, *rest = bits or ["none"]
    count, tail = first.split(" ", 1)
    return (
        f"Not listed: {count} new records or changes {tail}" + "".join(f"; {b}" for b in rest) + "."
    )


def _section_lines(section: RecordSection) -> RenderableType:
    """A line per record and one per change under it, not a Table (a rich Table measures
    every cell of every row, about a millisecond an item, and a busy week has a thousand).
    A line too long for the terminal folds between words: a title under the title, a
    change under the change, the time it happened kept whole."""
    lines: list[RenderableType] = [
        Text(f"{section.title} ({len(section.records)})", style="bold underline")
    ]
    for record in section.records:
        line = Text("  ")
        line.append_text(linked_id(record.id, record.url))
        line.append(" ")
        line.append(record.title)
        lines.append(Folded(line, hang=3 + len(record.id)))
        for item in record.items:
            line = Text("    ")
            line.append(item.what)
            if item.flag:
                line.append(f"  {item.flag}", style="bold red")
            line.append(f"  ·{NBSP}{when(item.at).replace(' ', NBSP)}", style="dim")
            lines.append(Folded(line, hang=6))
    return Group(*lines)


def standing_line(standing: str | None, state: str | None) -> Text:
    """The claim's standing, first under every heading, in its state's colour."""
    return Text(standing or "No evidence assessed yet.", style=f"bold {state_style(state)}")


def _ledger(digest: Digest) -> RenderableType:
    """The count of studies by verdict; on a narrow terminal it folds between the counts,
    never inside one ("not applicable 2" stays whole)."""
    lead = "Studies by verdict: "
    counts = Text(lead)
    for index, verdict in enumerate(VERDICT_LABELS):
        if index:
            counts.append(f"{NBSP}· ")
        count = f"{VERDICT_LABELS[verdict]} {digest.evidence.get(verdict, 0)}"
        counts.append(count.replace(" ", NBSP), style=VERDICT_STYLES[verdict])
    return Group(Text("Ledger", style="bold underline"), Folded(counts, hang=len(lead)))


def _failures(health: list[SourceHealth]) -> list[RenderableType]:
    return [
        Folded(Text.assemble((f"{h.source}: ", "bold red"), error))
        for h in health
        for error in h.errors
    ]


def health_table(health: list[SourceHealth]) -> FittedTable:
    """Each source's last run; on a narrow terminal the retries, the last success and the
    stored count are dropped, in that order."""

    def build(dropped: frozenset[str]) -> Table:
        table = Table(title="Sources", title_justify="left")
        names = ["source", "last run", "result", "last success", "fetched", "retries", "stored"]
        kept = add_columns(table, names, dropped)
        for h in health:
            cells = _health_cells(h)
            table.add_row(*(cells[name] for name in kept))
        return table

    return FittedTable(build, ["retries", "last success", "stored"])


def _health_cells(h: SourceHealth) -> dict[str, str | Text]:
    if h.last_run_at is None:
        result: Text = Text("not synced yet", style="dim")
    elif h.complete:
        result = Text("complete", style="green")
    else:
        result = Text(f"INCOMPLETE ({h.last_status})", style="bold red")
    synced = h.last_run_at is not None
    return {
        "source": h.source,
        "last run": when(h.last_run_at),
        "result": result,
        "last success": when(h.last_success) if synced else "",
        "fetched": f"{h.fetched}/{h.expected}" if synced else "",
        "retries": str(h.retries) if synced else "",
        "stored": str(h.stored),
    }
