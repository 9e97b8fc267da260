"""Where the evidence stands, for readers: the standing sentence, the studies per verdict,
and which study each record belongs to (so reports can link to the study's web page).

`standing_of` is the one place every report (email, website) takes the standing sentence
from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.evidence.summary import LedgerSummary
from tracker.ids import record_url
from tracker.store.models import Article, Assessment, Trial

_CHUNK = 500


def standing_of(summary: LedgerSummary) -> str:
    """The claim's standing in one sentence."""
    return summary.standing


@dataclass(frozen=True, slots=True)
class StudyLine:
    study: str
    title: str
    url: str | None
    participants: int | None


def studies_by_verdict(session: Session, verdicts: Iterable[str]) -> dict[str, list[StudyLine]]:
    """Relevant studies with the given automatic verdict, each once, ordered by key."""
    wanted = list(verdicts)
    rows = session.execute(
        select(
            col(Assessment.study),
            func.max(col(Assessment.verdict)),
            func.max(col(Assessment.participants)),
        )
        .where(col(Assessment.relevant).is_(True))
        .group_by(col(Assessment.study))
        .order_by(col(Assessment.study))
    ).all()
    listed = {study for study, verdict, _ in rows if verdict in wanted}
    members = session.execute(
        select(col(Assessment.study), col(Assessment.record_id))
        .where(col(Assessment.relevant).is_(True))
        .order_by(col(Assessment.record_id))
    )
    records: dict[str, list[str]] = {}
    for study, rid in members:
        if study in listed:
            records.setdefault(study, []).append(rid)
    titles = _titles(session, sorted({r for rs in records.values() for r in rs} | listed))
    out: dict[str, list[StudyLine]] = {v: [] for v in wanted}
    for study, verdict, size in rows:
        if verdict in out:
            # The study's own record names it; else the first of its records that has a title.
            named = [titles.get(r) for r in [study, *records.get(study, [])]]
            title = next((t for t in named if t), study)
            out[verdict].append(StudyLine(study, title, record_url(study), size))
    return out


def _titles(session: Session, ids: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        trials = select(col(Trial.nct_id), col(Trial.brief_title))
        articles = select(col(Article.id), col(Article.title))
        for stmt in (
            trials.where(col(Trial.nct_id).in_(chunk)),
            articles.where(col(Article.id).in_(chunk)),
        ):
            # Pairs, not update(result): a Result has keys() and would be read as a mapping.
            out.update((rid, title) for rid, title in session.execute(stmt))
    return out


def study_of(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """Record id -> its study key, for the relevant records among `ids`."""
    wanted = sorted(set(ids))
    out: dict[str, str] = {}
    for i in range(0, len(wanted), _CHUNK):
        stmt = select(col(Assessment.record_id), col(Assessment.study)).where(
            col(Assessment.record_id).in_(wanted[i : i + _CHUNK]),
            col(Assessment.relevant).is_(True),
        )
        out.update((rid, study) for rid, study in session.execute(stmt))
    return out
