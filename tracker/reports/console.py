"""Rich renderers for the terminal. Registry text always goes in as Text, never markup,
so a title such as '[Effect of X on Y]' prints as itself."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tracker.reports.digest import Change, Digest, NewItem, SourceHealth


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def linked_id(record_id: str, url: str | None) -> Text:
    """The id, as a terminal hyperlink where the terminal supports them."""
    return Text(record_id, style=f"bold link {url}" if url else "bold")


def render_digest(digest: Digest) -> RenderableType:
    window = (
        f"{when(digest.since)} → {when(digest.until)} UTC" if digest.since else "all stored records"
    )
    title = Text.assemble(("tracker digest", "bold"), f"  {window}")
    return Group(
        title,
        Text(""),
        _changes_table(digest.changes),
        Text(""),
        _new_table(digest.new),
        Text(""),
        health_table(digest.health),
    )


def _changes_table(changes: list[Change]) -> RenderableType:
    if not changes:
        return Text("No changes in this window.", style="dim")
    table = Table(title=f"Changes ({len(changes)})", title_justify="left", expand=False)
    for name in ("record", "title", "field", "old", "new", "when"):
        table.add_column(name, overflow="fold")
    for c in changes:
        table.add_row(
            linked_id(c.id, c.url),
            Text(c.title),
            Text(c.field),
            Text(c.old or "–", style="red"),
            Text(c.new or "–", style="green"),
            Text(when(c.at)),
        )
    return table


def _new_table(new: list[NewItem]) -> RenderableType:
    if not new:
        return Text("No new records in this window.", style="dim")
    table = Table(title=f"New records ({len(new)})", title_justify="left")
    for name in ("record", "title", "status", "first seen"):
        table.add_column(name, overflow="fold")
    for item in new:
        table.add_row(
            linked_id(item.id, item.url),
            Text(item.title),
            Text(item.status or "–"),
            Text(when(item.first_seen_at)),
        )
    return table


def health_table(health: list[SourceHealth]) -> Table:
    table = Table(title="Sources", title_justify="left")
    for name in (
        "source",
        "last run",
        "result",
        "last success",
        "fetched/expected",
        "retries",
        "stored",
    ):
        table.add_column(name)
    for h in health:
        if h.last_run_at is None:
            table.add_row(
                h.source, "never", Text("not synced yet", style="dim"), "", "", "", str(h.stored)
            )
            continue
        result = (
            Text("complete", style="green")
            if h.complete
            else Text(f"INCOMPLETE ({h.last_status})", style="bold red")
        )
        table.add_row(
            h.source,
            when(h.last_run_at),
            result,
            when(h.last_success),
            f"{h.fetched}/{h.expected}",
            str(h.retries),
            str(h.stored),
        )
    return table
