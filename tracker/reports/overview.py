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

from tracker.evidence.overrides import stored_study_overrides
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
    automatic: str | None = None
    """Set when a person's verdict stands over the study: the automatic one it replaces."""
    note: str | None = None
    """The person's note, when a person's verdict stands."""


def studies_by_verdict(session: Session, verdicts: Iterable[str]) -> dict[str, list[StudyLine]]:
    """Relevant studies by their effective verdict (a person's verdict where one stands,
    tracker.evidence.overrides says which, else the automatic one the records share), each
    once, ordered by key; only the given verdicts."""
    wanted = list(verdicts)
    humans = stored_study_overrides(session)
    automatic: dict[str, str] = {}
    sizes: dict[str, int | None] = {}
    for study, verdict, size in session.execute(
        select(
            col(Assessment.study),
            func.max(col(Assessment.verdict)),  # as the ledger's counts: the shared verdict
            func.max(col(Assessment.participants)),
        )
        .where(col(Assessment.relevant).is_(True))
        .group_by(col(Assessment.study))
        .order_by(col(Assessment.study))
    ):
        automatic[study], sizes[study] = verdict, size
    effective = {
        study: humans[study].verdict if study in humans else verdict
        for study, verdict in automatic.items()
    }
    listed = {study for study, verdict in effective.items() if verdict in wanted}
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
    for study, verdict in effective.items():
        if verdict not in out:
            continue
        # The study's own record names it; else the first of its records that has a title.
        named = [titles.get(r) for r in [study, *records.get(study, [])]]
        title = next((t for t in named if t), study)
        human = humans.get(study)
        out[verdict].append(
            StudyLine(
                study,
                title,
                record_url(study),
                sizes[study],
                automatic=automatic[study] if human else None,
                note=human.note if human else None,
            )
        )
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
