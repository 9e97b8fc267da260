"""The dated change sets of "What's new" and the feed.

They say each change in plain words (tracker.reports.plain). A day's first judgements
(a first sync judges every record at once) are counted, not listed one by one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.reports.plain import plain_change
from tracker.site.model import NewsDay, NewsItem, StudyRow
from tracker.store.models import Assessment, ChangeEvent

_CHUNK = 500
DAY_ITEMS = 12
"""Studies listed per day; the rest are counted ("and 9 more")."""


def news(
    session: Session, studies: Sequence[StudyRow], *, days: int, weeks: int = 12
) -> list[NewsDay]:
    """The newest `days` dated change sets within `weeks` of the newest change, newest first."""
    newest = session.scalar(
        select(func.max(col(ChangeEvent.at)))
        .join(Assessment, col(Assessment.record_id) == col(ChangeEvent.record_id))
        .where(col(Assessment.relevant).is_(True))
    )
    if newest is None:
        return []
    by_id = {r.id: s for s in studies for r in s.records}
    rows = session.execute(
        select(
            col(ChangeEvent.record_id),
            col(ChangeEvent.field),
            col(ChangeEvent.old),
            col(ChangeEvent.new),
            col(ChangeEvent.at),
        )
        .join(Assessment, col(Assessment.record_id) == col(ChangeEvent.record_id))
        .where(
            col(Assessment.relevant).is_(True),
            col(ChangeEvent.at) > newest - timedelta(weeks=weeks),
        )
        .order_by(col(ChangeEvent.at).desc(), col(ChangeEvent.id).desc())
    )
    per_day: dict[str, dict[str, list[tuple[str, str | None]]]] = defaultdict(dict)
    first: dict[str, set[str]] = defaultdict(set)
    for rid, field, old, new, at in rows:
        day = at.strftime("%Y-%m-%d")
        if day not in per_day and len(per_day) >= days:
            break
        study = by_id.get(rid)
        key = study.key if study else rid
        per_day[day].setdefault(key, [])
        if field in ("verdict", "role") and old is None:
            first[day].add(key)  # counted as "added", not spelled out
            continue
        plain = plain_change(field, old, new)
        per_day[day][key].append((plain.text, plain.flag))
    return [_day(day, changes, first[day], by_id) for day, changes in per_day.items()]


def _day(
    day: str,
    changes: dict[str, list[tuple[str, str | None]]],
    added: set[str],
    by_id: dict[str, StudyRow],
) -> NewsDay:
    studies = {s.key: s for s in by_id.values()}
    items = []
    for key in sorted(changes, key=lambda k: (k in added and not changes[k], k)):
        texts = list(dict.fromkeys(t for t, _ in reversed(changes[key])))
        if not texts:
            if key not in added:
                continue
            texts = ["added to the tracker"]
        study = studies.get(key)
        flags = tuple(dict.fromkeys(f for _, f in changes[key] if f))
        items.append(
            NewsItem(
                key,
                study.slug if study else None,
                study.title if study else key,
                tuple(texts),
                flags,
            )
        )
    return NewsDay(day, tuple(items[:DAY_ITEMS]), len(added), max(0, len(items) - DAY_ITEMS))
