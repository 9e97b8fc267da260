"""Stored studies as the standing weighs them: one StudyEvidence per relevant study.

Read from assessment rows (verdict, role, strength, size), their stored signals (design,
primary outcomes, review kind) for the few studies where those matter, the abstracts of
reviews (what they pooled) and the articles' retraction flags. No rule runs again here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, cast

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.evidence.rules.signals import Design
from tracker.evidence.rules.standing import RANK, Pooled, StudyEvidence
from tracker.evidence.rules.standing_text import pooled_in
from tracker.records.article import ArticleData
from tracker.store.models import Article, Assessment

_ARTICLE = msgspec.json.Decoder(ArticleData)
_DESIGN_FLAGS = tuple(f.name for f in fields(Design) if f.name not in ("n", "basis"))
_ROLE_ORDER = ("index", "review", "follow_up", "prior", "background")
"""A study's role when its records differ: the index study stays the index, a trial
registered before the index with a paper after it is a follow-up (as the ledger counts)."""
CHUNK = 500
_DEFINITE = ("confirms", "refutes")


@dataclass(frozen=True, slots=True)
class StudyRow:
    """What the summary reads of one relevant record."""

    record_id: str
    study: str
    role: str
    verdict: str
    strength: str | None
    participants: int | None
    rule: str


def relevant_rows(session: Session) -> list[StudyRow]:
    stmt = select(
        col(Assessment.record_id),
        col(Assessment.study),
        col(Assessment.role),
        col(Assessment.verdict),
        col(Assessment.strength),
        col(Assessment.participants),
        col(Assessment.rule),
    ).where(col(Assessment.relevant).is_(True))
    return [StudyRow(*row) for row in session.execute(stmt)]


def study_evidence(
    session: Session, rows: Sequence[StudyRow], overridden: dict[str, str]
) -> list[StudyEvidence]:
    """One StudyEvidence per study of `rows`; `overridden` is study -> human verdict."""
    by_study: dict[str, list[StudyRow]] = {}
    for row in rows:
        by_study.setdefault(row.study, []).append(row)
    retracted = _retracted(session)
    out = []
    for study, members in by_study.items():
        verdict = overridden.get(study) or max(r.verdict for r in members)
        role = min((r.role for r in members), key=_role_order)
        out.append(
            StudyEvidence(
                study=study,
                role=role,
                verdict=verdict,
                participants=max((r.participants or 0 for r in members), default=0) or None,
                strength=_strongest(members),
                manual=study in overridden,
                retracted=_rests_on_retracted(members, retracted),
            )
        )
    return _with_signals(session, out)


def _role_order(role: str) -> int:
    return _ROLE_ORDER.index(role) if role in _ROLE_ORDER else len(_ROLE_ORDER)


def _strongest(members: list[StudyRow]) -> str | None:
    strengths = [r.strength for r in members if r.strength in RANK]
    return max(strengths, key=RANK.__getitem__) if strengths else None


def _rests_on_retracted(members: list[StudyRow], retracted: set[str]) -> bool:
    """Every record retracted, or the verdict read from papers that are all retracted.

    A trial whose verdict came from its registry record still counts when a paper of it is
    retracted; one whose verdict came from a retracted paper does not."""
    if not retracted.intersection(r.record_id for r in members):
        return False
    papers = [r for r in members if not r.record_id.startswith("NCT")]
    all_papers_retracted = all(r.record_id in retracted for r in papers)
    if len(papers) == len(members):
        return all_papers_retracted
    from_papers = any(r.rule.startswith(("paper.", "review.")) for r in members)
    return from_papers and all_papers_retracted


def _retracted(session: Session) -> set[str]:
    """Relevant records that are retracted papers (one query through the relevant index)."""
    stmt = (
        select(col(Assessment.record_id))
        .join(Article, col(Article.id) == col(Assessment.record_id))
        .where(col(Assessment.relevant).is_(True), col(Article.retracted).is_(True))
    )
    return set(session.scalars(stmt))


def _with_signals(session: Session, studies: list[StudyEvidence]) -> list[StudyEvidence]:
    """Design and primary outcomes where a verdict for or against is weighed; review kind
    and what it pooled for reviews. Only those records' signals are read."""
    weighed = {s.study for s in studies if s.verdict in _DEFINITE or s.role == "review"}
    if not weighed:
        return studies
    # Read by the stored verdict, plus the few studies a human judged: never every signal.
    manual = [s.study for s in studies if s.manual and s.study in weighed]
    stmt = select(col(Assessment.record_id), col(Assessment.study), col(Assessment.signals)).where(
        col(Assessment.relevant).is_(True),
        or_(
            col(Assessment.verdict).in_(_DEFINITE),
            col(Assessment.role) == "review",
            col(Assessment.study).in_(manual),
        ),
    )
    signals: dict[str, list[dict[str, Any]]] = {}
    records: dict[str, list[str]] = {}
    for rid, study, text in session.execute(stmt):
        if study in weighed:
            signals.setdefault(study, []).append(json.loads(text or "{}"))
            records.setdefault(study, []).append(rid)
    reviews = {s.study for s in studies if s.role == "review"}
    abstracts = _abstracts(session, [r for study in reviews for r in records.get(study, [])])
    out = []
    for s in studies:
        if s.study not in signals:
            out.append(s)
            continue
        found = (pooled_in(abstracts.get(r, "")) for r in records[s.study])
        out.append(_read(s, signals[s.study], next((p for p in found if p), None)))
    return out


def _read(s: StudyEvidence, read: list[dict[str, Any]], pooled: Pooled | None) -> StudyEvidence:
    designs = [d for r in read if isinstance(d := r.get("design"), dict)]
    flags = {k: any(bool(d.get(k)) for d in designs) for k in _DESIGN_FLAGS}
    sizes = [n for d in designs if isinstance(n := d.get("n"), int)]
    kinds = [k for r in read if isinstance(k := r.get("review"), str)]
    return replace(
        s,
        design=Design(**cast(dict[str, Any], flags), n=max(sizes, default=0) or s.participants),
        on_primary=any(r.get("primary_claim") for r in read),
        review=kinds[0] if kinds else None,
        pooled=pooled,
    )


def _abstracts(session: Session, ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in _chunks([i for i in ids if not i.startswith("NCT")]):
        stmt = select(col(Article.id), col(Article.data)).where(col(Article.id).in_(chunk))
        out.update(
            (rid, _ARTICLE.decode(data).abstract_text) for rid, data in session.execute(stmt)
        )
    return out


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]
