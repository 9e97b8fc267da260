"""Database tables (SQLModel). All times are timezone-aware UTC: SQLModel's UTCDateTime
stores them as UTC on both backends and gives them back aware, so SQLite and
PostgreSQL compare times the same way.

Parsed records are stored twice over: as columns for the fields reports filter and sort
on, and as `data`, the canonical JSON of the whole parsed record, which is what versions
compare and what rules re-read. `raw` is the registry's payload, byte for byte
(zstd-compressed, see tracker.store.payload).

The tables are grouped by what they hold: `records` (trials, articles, their versions and
change events), `evidence` (links, citations, judgements, registrations, flags, human
verdicts), `runs` (what tracker itself did). Importing this package registers every table
on SQLModel.metadata.
"""

from __future__ import annotations

from tracker.store.models.evidence import (
    Assessment,
    Citation,
    CitationChase,
    EvidenceMark,
    Flag,
    Link,
    Override,
    RecordSignals,
    Registration,
)
from tracker.store.models.records import Article, ArticleVersion, ChangeEvent, Trial, TrialVersion
from tracker.store.models.runs import (
    SCHEDULE_STATE,
    EmailReport,
    JobRun,
    ProcessLock,
    Report,
    ReportedItem,
    SyncRun,
)

__all__ = [
    "SCHEDULE_STATE",
    "Article",
    "ArticleVersion",
    "Assessment",
    "ChangeEvent",
    "Citation",
    "CitationChase",
    "EmailReport",
    "EvidenceMark",
    "Flag",
    "JobRun",
    "Link",
    "Override",
    "ProcessLock",
    "RecordSignals",
    "Registration",
    "Report",
    "ReportedItem",
    "SyncRun",
    "Trial",
    "TrialVersion",
]
