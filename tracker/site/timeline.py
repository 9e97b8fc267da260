"""A study page's timeline: its records' versions and change events in plain words.

A page shows the newest entries only. A study of a few records has all its entries read
(by record id, through the index). For a study of many records (a trial with hundreds of
papers) the database picks them: its entries ranked newest first, those within the page's
limit kept (ties at the last place included, so the choice is the one sorting everything
would make), and counted; such a study costs no more to show than its page holds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, null, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.reports.plain import plain_change
from tracker.site.model import StudyRow, TimelineRow
from tracker.store.models import ArticleVersion, Assessment, ChangeEvent, TrialVersion

_CHUNK = 500
MANY_RECORDS = 20
"""Studies with more records than this have their newest entries picked by the database."""


_VERSIONS: tuple[tuple[Any, Any], ...] = (
    (TrialVersion, TrialVersion.nct_id),
    (ArticleVersion, ArticleVersion.article_id),
)


@dataclass(frozen=True, slots=True)
class Timeline:
    rows: list[TimelineRow]
    """The newest entries, oldest first."""
    total: int


def timelines(session: Session, studies: Sequence[StudyRow], *, limit: int) -> dict[str, Timeline]:
    """Study key -> its newest `limit` timeline entries and how many there are."""
    rows: dict[str, list[TimelineRow]] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    few = [s for s in studies if len(s.records) <= MANY_RECORDS]
    study_of = {r.id: s.key for s in few for r in s.records}
    for chunk in _chunks(sorted(study_of)):
        for query in _plain(chunk):
            for row in session.execute(query):
                rows[study_of[row.record_id]].append(_row(row))
                totals[study_of[row.record_id]] += 1
    many = sorted(s.key for s in studies if len(s.records) > MANY_RECORDS)
    for chunk in _chunks(many):
        for query in _ranked(chunk):
            ranked = query.subquery()
            counted: set[tuple[str, int]] = set()
            for row in session.execute(select(ranked).where(ranked.c.rank <= limit)):
                rows[row.study].append(_row(row))
                counted.add((row.study, row.total))
            for study, total in counted:
                totals[study] += total
    out = {}
    for key, found in rows.items():
        found.sort(key=_order)
        out[key] = Timeline(found[-limit:], totals[key])
    return out


def _ranked(studies: Sequence[str]) -> Iterator[Select[*tuple[Any, ...]]]:
    """As `_plain`, of the studies' relevant records, with each row's study, its rank
    (newest first) and the study's total."""
    member = (col(Assessment.study).in_(studies), col(Assessment.relevant).is_(True))
    study = col(Assessment.study)
    at = col(ChangeEvent.at)
    yield (
        select(
            col(ChangeEvent.record_id).label("record_id"),
            col(ChangeEvent.field).label("field"),
            col(ChangeEvent.old).label("old"),
            col(ChangeEvent.new).label("new"),
            at.label("at"),
            col(ChangeEvent.version).label("version"),
            study.label("study"),
            func.rank().over(partition_by=study, order_by=at.desc()).label("rank"),
            func.count().over(partition_by=study).label("total"),
        )
        .join(Assessment, col(Assessment.record_id) == col(ChangeEvent.record_id))
        .where(*member)
    )
    for table, key in _VERSIONS:
        seen = col(table.seen_at)
        yield (
            select(
                col(key).label("record_id"),
                null().label("field"),
                null().label("old"),
                col(table.changed_fields).label("new"),
                seen.label("at"),
                col(table.version).label("version"),
                study.label("study"),
                func.rank().over(partition_by=study, order_by=seen.desc()).label("rank"),
                func.count().over(partition_by=study).label("total"),
            )
            .join(Assessment, col(Assessment.record_id) == col(key))
            .where(*member, col(table.version) > 1)
        )


def _plain(records: Sequence[str]) -> Iterator[Select[*tuple[Any, ...]]]:
    """Events, then trial and article versions after the first, of the records, as
    (record, field, old, new, at, version) rows; a version's field is None and its 'new'
    the fields it changed."""
    yield select(
        col(ChangeEvent.record_id).label("record_id"),
        col(ChangeEvent.field).label("field"),
        col(ChangeEvent.old).label("old"),
        col(ChangeEvent.new).label("new"),
        col(ChangeEvent.at).label("at"),
        col(ChangeEvent.version).label("version"),
    ).where(col(ChangeEvent.record_id).in_(records))
    for table, key in _VERSIONS:
        yield select(
            col(key).label("record_id"),
            null().label("field"),
            null().label("old"),
            col(table.changed_fields).label("new"),
            col(table.seen_at).label("at"),
            col(table.version).label("version"),
        ).where(col(key).in_(records), col(table.version) > 1)


def _row(row: Any) -> TimelineRow:
    rid, field, old, new, at, version = row[:6]
    if field is None:
        text = f"version {version} seen" + (
            f": {_fields(new)} changed" if new and new != "[]" else ""
        )
        return TimelineRow(_utc(at), rid, text)
    plain = plain_change(field, old, new)
    return TimelineRow(_utc(at), rid, plain.text, plain.flag)


def _order(row: TimelineRow) -> tuple[datetime, str, str]:
    return (row.at, row.record_id, row.text)


def _fields(changed: str) -> str:
    names = json.loads(changed or "[]")
    shown = ", ".join(n.replace("_", " ") for n in names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=None)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]
