"""What the website shows, as plain data: studies, their records and timelines, news.

Built by tracker.site.collect from stored rows; rendered by tracker.site.pages. Frozen
and made of plain values, so `repr` of a study is a fingerprint of its page's content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from tracker.ids import study_slug
from tracker.site.effects import Estimate

__all__ = ["study_slug"]


@dataclass(frozen=True, slots=True)
class HumanVerdict:
    verdict: str
    note: str
    by: str | None
    at: datetime


class RecordRow(msgspec.Struct, frozen=True, gc=False):
    """One record of a study (a Struct: the site's cache stores thousands and reads them
    back fast)."""

    id: str
    source: str
    kind: str
    """'registry entry', 'paper', 'preprint' or 'retraction notice'."""
    title: str
    url: str | None
    date: str | None
    """Registered (a trial) or published (a paper), as the registry gives it."""
    status: str | None
    where: str | None
    """A paper's journal."""
    retracted: bool
    role: str
    verdict: str
    """The record's own automatic verdict."""
    reason: str
    evidence: tuple[str, ...]
    version: int


@dataclass(frozen=True, slots=True)
class StudyRow:
    key: str
    slug: str
    title: str
    verdict: str
    """Effective: the human verdict when there is one, else the automatic one."""
    automatic: str
    human: HumanVerdict | None
    role: str
    reason: str
    evidence: tuple[str, ...]
    strength: str | None
    participants: int | None
    design: str
    status: str
    date: str | None
    """The study's first date (registration or publication), for the chart."""
    records: tuple[RecordRow, ...]
    events: tuple[int, int] = (0, 0)
    """Change events on its records: how many, and the newest id (the page's fingerprint)."""
    registrations: tuple[str, ...] = ()
    """Every registration of the study: its CT.gov ids and other registries' numbers."""
    flags: tuple[FlagLine, ...] = ()
    """Consistency flags (registered vs reported), most severe first."""
    needs_check: bool = False
    """A major flag no human verdict has answered yet."""
    estimates: tuple[Estimate, ...] = ()
    """Effect estimates from its posted results and abstracts."""


@dataclass(frozen=True, slots=True)
class FlagLine:
    severity: str
    rule: str
    summary: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimelineRow:
    at: datetime
    record_id: str
    text: str
    flag: str | None = None


@dataclass(frozen=True, slots=True)
class NewsItem:
    study: str
    slug: str | None
    """The study page, when the record belongs to a relevant study."""
    title: str
    changes: tuple[str, ...]
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NewsDay:
    day: str
    """YYYY-MM-DD (UTC)."""
    items: tuple[NewsItem, ...]
    added: int = 0
    """Studies judged for the first time that day (counted, a few named)."""
    more: int = 0
    """Items left out of `items` to keep the page light."""


@dataclass(frozen=True, slots=True)
class HealthLine:
    text: str
    complete: bool
    updated: datetime | None


@dataclass(frozen=True)
class SiteFacts:
    """Everything the site-wide pages (home, evidence table, feed) need."""

    title: str
    short_name: str
    statement: str
    index_trial: str
    index_doi: str
    index_pmid: str
    index_date: str
    standing: str
    counts: dict[str, int]
    participants: dict[str, int]
    studies: list[StudyRow]
    health: HealthLine
    news: list[NewsDay] = field(default_factory=list)
    contact: str = ""
    base_url: str = ""
