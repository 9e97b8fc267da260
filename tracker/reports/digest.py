"""Build the digest as plain data: what is new and what changed in a time window.

No rendering happens here; console, markdown, json and email renderers all read the same
Digest. The sections come most important first (verdict changes ... new relevant
records). Records the evidence engine judged not relevant are counted, never listed;
records it has not assessed yet are counted apart, so a reader knows they exist.

Everything is read with narrow column selects through indexed columns (first_seen_at,
change_events.at, primary keys), so the digest of a large database costs what its
window holds, not what the database holds.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from tracker.evidence.summary import ledger_summary
from tracker.ids import record_url, source_of
from tracker.records.text import clean_text
from tracker.reports.overview import standing_of
from tracker.reports.plain import plain_change, status_words
from tracker.runtime.redact import scrub
from tracker.store.models import Article, Assessment, ChangeEvent, Report, SyncRun, Trial

SOURCES = ("ctgov", "pubmed", "europepmc")

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

_FIELD_SECTION = {
    "results_submitted": "results",
    "results_posted": "results",
    "overall_status": "status",
    "why_stopped": "status",
    "enrollment": "enrollment",
    "retraction": "retractions",
    "corrections": "retractions",
}


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
    source: str
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
    source: str
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


def last_report_until(session: Session, kind: str) -> datetime | None:
    stmt = select(func.max(Report.until)).where(col(Report.kind) == kind)
    value: datetime | None = session.scalar(stmt)
    return value


def mark_reported(session: Session, kind: str, since: datetime | None, until: datetime) -> None:
    session.add(Report(kind=kind, since=since, until=until, created_at=until))


def build_digest(session: Session, *, since: datetime | None, until: datetime) -> Digest:
    """Records first seen in (since, until], and material changes in the same window.

    `since=None` means everything stored (the `--all` digest)."""
    new = sorted(
        [*_new_trials(session, since, until), *_new_articles(session, since, until)],
        key=lambda item: (item.first_seen_at, item.id),
    )
    events = _events(session, since, until)
    changes = [e.change for e in events if e.change.field != "verdict"]
    verdict_changes = [e.change for e in events if e.change.field == "verdict"]
    sections, not_relevant, unassessed = _sections(session, new, events)
    ledger = ledger_summary(session)
    return Digest(
        since=since,
        until=until,
        new=new,
        changes=changes,
        verdict_changes=verdict_changes,
        evidence=dict(ledger.counts),
        health=[source_health(session, source) for source in SOURCES],
        sections=sections,
        standing=standing_of(ledger),
        state=ledger.state,
        not_relevant=not_relevant,
        unassessed=unassessed,
    )


def _window(column: Any, since: datetime | None, until: datetime) -> list[Any]:
    conditions = [column <= until]
    if since is not None:
        conditions.append(column > since)
    return conditions


def _new_trials(session: Session, since: datetime | None, until: datetime) -> list[NewItem]:
    rows = session.execute(
        select(
            col(Trial.nct_id),
            col(Trial.brief_title),
            col(Trial.overall_status),
            col(Trial.first_seen_at),
            col(Assessment.relevant),
        )
        .join(Assessment, col(Assessment.record_id) == col(Trial.nct_id), isouter=True)
        .where(*_window(col(Trial.first_seen_at), since, until))
    )
    return [
        NewItem(
            id=nct_id,
            source="ctgov",
            title=title or nct_id,
            status=status,
            first_seen_at=first_seen,
            url=record_url(nct_id),
            relevant=relevant,
        )
        for nct_id, title, status, first_seen, relevant in rows
    ]


def _new_articles(session: Session, since: datetime | None, until: datetime) -> list[NewItem]:
    rows = session.execute(
        select(
            col(Article.id),
            col(Article.title),
            col(Article.in_pubmed),
            col(Article.retracted),
            col(Article.cites_index),
            col(Article.first_seen_at),
            col(Assessment.relevant),
        )
        .join(Assessment, col(Assessment.record_id) == col(Article.id), isouter=True)
        .where(*_window(col(Article.first_seen_at), since, until))
    )
    return [
        NewItem(
            id=article_id,
            source="pubmed" if in_pubmed else "europepmc",
            title=title or article_id,
            status="retracted" if retracted else ("cites the index" if cites else None),
            first_seen_at=first_seen,
            url=record_url(article_id),
            relevant=relevant,
        )
        for article_id, title, in_pubmed, retracted, cites, first_seen, relevant in rows
    ]


@dataclass(frozen=True, slots=True)
class _Event:
    event_id: int
    change: Change
    relevant: bool | None


def _events(session: Session, since: datetime | None, until: datetime) -> list[_Event]:
    stmt = (
        select(
            col(ChangeEvent.id),
            col(ChangeEvent.record_id),
            col(ChangeEvent.field),
            col(ChangeEvent.old),
            col(ChangeEvent.new),
            col(ChangeEvent.at),
            col(Trial.brief_title),
            col(Article.title),
            col(Assessment.relevant),
        )
        .join(Trial, col(Trial.nct_id) == col(ChangeEvent.record_id), isouter=True)
        .join(Article, col(Article.id) == col(ChangeEvent.record_id), isouter=True)
        .join(Assessment, col(Assessment.record_id) == col(ChangeEvent.record_id), isouter=True)
        .where(*_window(col(ChangeEvent.at), since, until))
        .order_by(col(ChangeEvent.at), col(ChangeEvent.record_id), col(ChangeEvent.id))
    )
    return [
        _Event(
            event_id,
            Change(
                id=record_id,
                title=trial_title or article_title or record_id,
                field=field,
                old=old,
                new=new,
                at=at,
                url=record_url(record_id),
            ),
            relevant,
        )
        for event_id, record_id, field, old, new, at, trial_title, article_title, relevant in (
            session.execute(stmt)
        )
    ]


def _sections(
    session: Session, new: list[NewItem], events: list[_Event]
) -> tuple[list[Section], int, int]:
    """Sort the window's events and new records into the listed sections; count the rest."""
    buckets: dict[str, list[Item]] = {key: [] for key, _ in SECTIONS}
    not_relevant = unassessed = 0
    citing = [e for e in events if e.change.field == "cited_by" and e.change.new]
    citing_titles = _article_titles(session, [e.change.new or "" for e in citing])
    for event in events:
        change = event.change
        key = f"event:{event.event_id}"
        if change.field == "cited_by":
            paper = change.new or ""
            buckets["citing"].append(
                Item(
                    paper,
                    citing_titles.get(paper) or paper,
                    record_url(paper),
                    f"cites {change.id}",
                    change.at,
                    (key,),
                )
            )
            continue
        if event.relevant is None and change.field not in ("verdict", "role"):
            unassessed += 1
            continue
        if event.relevant is False:
            not_relevant += 1
            continue
        section, what, flag = _classify(change)
        buckets[section].append(
            Item(change.id, change.title, change.url, what, change.at, (key,), flag)
        )
    for item in new:
        if item.relevant is None:
            unassessed += 1
        elif not item.relevant:
            not_relevant += 1
        else:
            buckets["new_relevant"].append(
                Item(
                    item.id,
                    item.title,
                    item.url,
                    f"new {_kind(item.id)}"
                    + (f", {status_words(item.status)}" if item.status else ""),
                    item.first_seen_at,
                    (f"new:{item.id}",),
                )
            )
    _merge_new_relevant(buckets)
    return [Section(key, title, buckets[key]) for key, title in SECTIONS], not_relevant, unassessed


def _classify(change: Change) -> tuple[str, str, str | None]:
    """Section, display text (plain words, tracker.reports.plain) and flag of one change."""
    if change.field == "flag":  # 'severity: summary', as the flag pass writes it
        severity, _, summary = (change.new or "").partition(": ")
        return "flags", summary or severity, severity or None
    plain = plain_change(change.field, change.old, change.new)
    if change.field == "verdict":
        section = "new_relevant" if change.old is None else "verdict_changes"
    elif change.field == "role":
        section = "follow_ups" if change.new == "follow_up" else "other"
    elif change.field == "primary_completion_date" and plain.flag:
        section = "slipped"
    else:
        section = _FIELD_SECTION.get(change.field, "other")
    return section, plain.text, plain.flag


def _merge_new_relevant(buckets: dict[str, list[Item]]) -> None:
    """One line per record among new relevant records, and none for a record a section
    above already lists (a new follow-up is shown once); its keys travel with that line."""
    listed: dict[str, Item] = {}
    positions: dict[str, tuple[str, int]] = {}
    for key, _ in SECTIONS:
        if key == "new_relevant":
            continue
        for index, item in enumerate(buckets[key]):
            positions.setdefault(item.id, (key, index))
    for item in buckets["new_relevant"]:
        if item.id in positions:
            key, index = positions[item.id]
            above = buckets[key][index]
            buckets[key][index] = dataclasses.replace(above, keys=above.keys + item.keys)
        elif item.id in listed:
            first = listed[item.id]
            listed[item.id] = dataclasses.replace(first, keys=first.keys + item.keys)
        else:
            listed[item.id] = item
    buckets["new_relevant"] = sorted(listed.values(), key=lambda i: (i.at, i.id))


def _article_titles(session: Session, ids: Iterable[str]) -> dict[str, str | None]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(col(Article.id), col(Article.title)).where(col(Article.id).in_(wanted))
    )
    return {str(article_id): title for article_id, title in rows}


def _kind(record_id: str) -> str:
    return {"ctgov": "trial", "pubmed": "paper", "europepmc": "paper"}[source_of(record_id)]


def _stored_count(source: str) -> Any:
    if source == "ctgov":
        return select(func.count()).select_from(Trial)
    flag = col(Article.in_pubmed) if source == "pubmed" else col(Article.in_europepmc)
    # "= true", not a bare column: SQLite uses ix_articles_in_* only for a comparison.
    return select(func.count()).select_from(Article).where(flag == True)  # noqa: E712


def source_health(session: Session, source: str) -> SourceHealth:
    """The newest run of a source, its last success, and how many records it has stored."""
    last = session.scalars(
        select(SyncRun)
        .where(col(SyncRun.source) == source)
        .order_by(col(SyncRun.id).desc())
        .limit(1)
    ).first()
    success = session.scalar(
        select(func.max(SyncRun.finished_at)).where(
            col(SyncRun.source) == source, col(SyncRun.status) == "ok"
        )
    )
    stored = session.scalar(_stored_count(source))
    return SourceHealth(
        source=source,
        last_run_at=last.started_at if last else None,
        last_status=last.status if last else None,
        last_success=success,
        fetched=last.fetched if last else None,
        expected=last.expected if last else None,
        complete=last.complete if last else None,
        retries=last.retries if last else None,
        # Scrubbed again on the way out: rows written before the scrubber existed.
        errors=[scrub(e) for e in json.loads(last.errors)] if last else [],
        stored=stored or 0,
    )
