"""Tables that fit the terminal: columns are dropped, least important first, until the table's
natural width fits, rather than letting rich cut every cell ("2026-12-…", "INCOMPLE…")."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table

Build = Callable[[frozenset[str]], Table]
"""Builds the table without the named columns."""


class FittedTable:
    """A table built for the width it is printed at (80 columns, a pipe, an email)."""

    def __init__(self, build: Build, drop_order: Sequence[str]) -> None:
        self._build = build
        self._drop_order = drop_order

    def for_width(self, console: Console, width: int) -> Table:
        dropped: set[str] = set()
        table = self._build(frozenset())
        wide = console.options.update_width(10_000)
        for name in self._drop_order:
            if Measurement.get(console, wide, table).maximum <= width:
                break
            dropped.add(name)
            table = self._build(frozenset(dropped))
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.for_width(console, options.max_width)


def add_columns(table: Table, names: Iterable[str], dropped: frozenset[str]) -> list[str]:
    """Add the columns not dropped (dates and codes never wrap); returns the kept names."""
    kept = [name for name in names if name not in dropped]
    for name in kept:
        table.add_column(name, no_wrap=True)
    return kept
