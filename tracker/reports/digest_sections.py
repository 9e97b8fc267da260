"""Sorting a window's change events and new records into the digest's sections (pure: the
queries that read them are in tracker.reports.digest). Events on records judged not relevant,
and on records not assessed yet, are counted, never listed."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from tracker.ids import Source, record_url, source_of
from tracker.reports.digest_data import SECTIONS, Change, Item, NewItem, Section
from tracker.reports.plain import plain_change, status_words

_FIELD_SECTION = {
    "results_submitted": "results",
    "results_posted": "results",
    "overall_status": "status",
    "why_stopped": "status",
    "enrollment": "enrollment",
    "retraction": "retractions",
    "corrections": "retractions",
}


@dataclass(frozen=True, slots=True)
class Event:
    """One change event of the window, with its record's relevance (None: not assessed)."""

    event_id: int
    change: Change
    relevant: bool | None


def sort_into_sections(
    new: list[NewItem], events: list[Event], citing_titles: Mapping[str, str | None]
) -> tuple[list[Section], int, int]:
    """Sort the window's events and new records into the listed sections; count the rest."""
    buckets: dict[str, list[Item]] = {key: [] for key, _ in SECTIONS}
    not_relevant = unassessed = 0
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
    for key in buckets:
        buckets[key] = _merge_same_words(buckets[key])
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


def _merge_same_words(items: list[Item]) -> list[Item]:
    """One line where two events of a record read the same: a retracted paper's
    'retraction' event and its 'corrections' event (RetractionIn) both say "retraction
    notice PMID:…". The line keeps both events' keys (an email marks both as reported),
    the first flag either has, and the earlier time."""
    kept: dict[tuple[str, str], Item] = {}
    for item in items:
        same = kept.get((item.id, item.what))
        if same is None:
            kept[(item.id, item.what)] = item
            continue
        kept[(item.id, item.what)] = dataclasses.replace(
            same, keys=same.keys + item.keys, flag=same.flag or item.flag, at=min(same.at, item.at)
        )
    return list(kept.values())


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


def _kind(record_id: str) -> str:
    return "trial" if source_of(record_id) is Source.CTGOV else "paper"
