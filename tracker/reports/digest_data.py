"""The digest as plain data: its sections in the order every renderer shows them, the
listed items, each source's health, and the Digest that holds them. No database here:
renderers (console, Markdown, JSON, email) import these values and nothing that queries."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from tracker.ids import Source
from tracker.records.text import clean_text

SECTIONS: tuple[tuple[str, str], ...] = (
    ("verdict_changes", "Verdict changes"),
    ("flags", "New consistency flags (registered vs reported)"),
    ("follow_ups", "New follow-ups"),
    ("results", "Results submitted or posted"),
    ("status", "Status changes"),
    ("slipped", "Primary completion dates that slipped"),
    ("enrollment", "Enrollment changes"),
    ("retractions", "Retractions and notices"),
    ("citing", "New papers citing the index"),
    ("new_relevant", "New relevant records"),
    ("other", "Other changes"),
)
"""Section key and heading, in the order every renderer shows them."""


def _clean_fields(item: object) -> None:
    """Registry text stored before cleaning existed is cleaned here too, so the report data
    every renderer reads holds no control character, whatever the database holds."""
    for f in dataclasses.fields(item):  # type: ignore[arg-type]
        value = getattr(item, f.name)
        if isinstance(value, str):
            object.__setattr__(item, f.name, clean_text(value))


@dataclass(frozen=True, slots=True)
class NewItem:
    id: str
    source: Source
    title: str
    status: str | None
    first_seen_at: datetime
    url: str | None
    relevant: bool | None = None
    """The evidence engine's judgement; None while the record is not assessed."""

    def __post_init__(self) -> None:
        _clean_fields(self)


@dataclass(frozen=True, slots=True)
class Change:
    id: str
    title: str
    field: str
    old: str | None
    new: str | None
    at: datetime
    url: str | None

    def __post_init__(self) -> None:
        _clean_fields(self)


@dataclass(frozen=True, slots=True)
class Item:
    """One listed line of a section: a record, what happened to it, and its registry page."""

    id: str
    title: str
    url: str | None
    what: str
    """What happened, as display text, e.g. 'RECRUITING → TERMINATED'."""
    at: datetime
    keys: tuple[str, ...]
    """What an email marks as reported: 'event:<id>' for change events, 'new:<record>'."""
    flag: str | None = None
    """A short emphasis, e.g. 'stopped' or '+8 months'."""

    def __post_init__(self) -> None:
        _clean_fields(self)


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    items: list[Item]


@dataclass(frozen=True, slots=True)
class SourceHealth:
    source: Source
    last_run_at: datetime | None
    last_status: str | None
    last_success: datetime | None
    fetched: int | None
    expected: int | None
    complete: bool | None
    retries: int | None
    errors: list[str]
    stored: int


@dataclass(frozen=True, slots=True)
class Digest:
    since: datetime | None
    until: datetime
    new: list[NewItem]
    changes: list[Change]
    verdict_changes: list[Change]
    evidence: dict[str, int]
    health: list[SourceHealth]
    sections: list[Section] = dataclasses.field(default_factory=list)
    standing: str | None = None
    """The claim's standing in one sentence (tracker.evidence.summary)."""
    state: str | None = None
    """The claim's state: 'confirmed', 'not_supported', 'contested', 'open' or 'untested'."""
    not_relevant: int = 0
    """New records and changes in the window on records judged not relevant (not listed)."""
    unassessed: int = 0
    """New records and changes in the window on records not assessed yet (not listed)."""

    @property
    def item_count(self) -> int:
        return sum(len(section.items) for section in self.sections)

    @property
    def item_keys(self) -> list[str]:
        return [key for section in self.sections for item in section.items for key in item.keys]

    def without(self, reported: Collection[str]) -> Digest:
        """The same digest minus the items whose keys were all reported already."""
        sections = [
            Section(
                s.key,
                s.title,
                [i for i in s.items if not i.keys or not all(k in reported for k in i.keys)],
            )
            for s in self.sections
        ]
        return dataclasses.replace(self, sections=sections)
