"""The values the rules pass along: a record to judge, its own reading, and its judgement.

`Record` goes in, `Reading` is one record judged alone (relevance, role, its own verdict),
and `Judgement` is what comes out once the record's study is considered: the study's verdict,
which every record of the study carries. All three are typed fields, never tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.evidence.rules.relevance import Relevance
from tracker.evidence.rules.role import Role
from tracker.evidence.rules.signals import Signals
from tracker.evidence.rules.verdict import Verdict
from tracker.ids import Source
from tracker.records.article import ArticleData
from tracker.records.trial import TrialData


@dataclass(frozen=True, slots=True)
class Record:
    """A parsed record and the source it came from."""

    source: Source
    data: TrialData | ArticleData

    def __post_init__(self) -> None:
        # Callers may pass the plain value ('ctgov'); the judgement always carries a Source.
        object.__setattr__(self, "source", Source(self.source))

    @property
    def id(self) -> str:
        return self.data.nct_id if isinstance(self.data, TrialData) else self.data.id


@dataclass(frozen=True, slots=True)
class Reading:
    """One record judged on its own, before its study is considered."""

    record: Record
    signals: Signals
    relevance: Relevance
    role: Role
    own: Verdict

    @property
    def id(self) -> str:
        return self.record.id


@dataclass(frozen=True, slots=True)
class Judgement:
    id: str
    source: Source
    title: str
    study: str
    relevance: Relevance
    role: Role
    own: Verdict
    """The record's own reading."""
    verdict: Verdict
    """The study's verdict, which every record of the study carries."""
    participants: int | None
    signals: Signals
    inferred: list[str] = field(default_factory=list)
    """Records joined to this one's study by inference rather than by a stored link."""
