"""The digest grouped by record: each record once, with every change of the window under it.

A trial that was stopped, slipped and changed its verdict in one week is one entry, placed
in the most important of its sections (the order of tracker.reports.digest_data.SECTIONS),
with its changes listed under it in that order. Terminal, Markdown and email read this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.reports.digest_data import Item, Section


@dataclass(frozen=True, slots=True)
class RecordEntry:
    id: str
    title: str
    url: str | None
    items: list[Item]
    """Every change of the record in the window, most important section first."""

    @property
    def at(self) -> datetime:
        return max(item.at for item in self.items)

    @property
    def flags(self) -> list[str]:
        return list(dict.fromkeys(item.flag for item in self.items if item.flag))


@dataclass(frozen=True, slots=True)
class RecordSection:
    key: str
    title: str
    records: list[RecordEntry]


def group_by_record(sections: list[Section]) -> list[RecordSection]:
    """Sections of records (empty ones left out), each record in its first section only."""
    home: dict[str, str] = {}
    gathered: dict[str, list[Item]] = {}
    first: dict[str, Item] = {}
    for section in sections:
        for item in section.items:
            home.setdefault(item.id, section.key)
            first.setdefault(item.id, item)
            gathered.setdefault(item.id, []).append(item)
    out = []
    for section in sections:
        ids = [
            i for i in dict.fromkeys(item.id for item in section.items) if home[i] == section.key
        ]
        if not ids:
            continue
        records = [RecordEntry(i, first[i].title, first[i].url, _ordered(gathered[i])) for i in ids]
        out.append(RecordSection(section.key, section.title, records))
    return out


def _ordered(items: list[Item]) -> list[Item]:
    """Stable: section order is kept (the gathering order), time within one section."""
    return list(dict.fromkeys(items))
