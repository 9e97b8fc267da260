"""The ledger `tracker evidence` prints: every assessed record with its study's effective
verdict, the override beside the automatic one, links, and the summary. Data only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.config import ClaimConfig
from tracker.evidence.overrides import override_for, stored_study_overrides
from tracker.evidence.rules.terms import RENAMED_EXCLUSIONS, VERDICTS
from tracker.evidence.summary import LedgerSummary, ledger_summary, studies_needing_check
from tracker.ids import record_url
from tracker.reports.flags import study_flags
from tracker.store.flags import FlagView
from tracker.store.models import Article, Assessment, Link, Trial


@dataclass(frozen=True, slots=True)
class OverrideView:
    verdict: str
    note: str
    by: str | None
    at: datetime
    record_id: str
    """The record the human judged (any record of the study)."""


@dataclass(frozen=True, slots=True)
class LedgerItem:
    id: str
    study: str
    source: str
    title: str
    url: str | None
    relevant: bool
    role: str
    exclusion: str | None
    verdict: str
    """The effective verdict: the override's if there is one, else the automatic one."""
    automatic: str
    rule: str
    reason: str
    evidence: list[str]
    strength: str | None
    participants: int | None
    manual: bool
    override: OverrideView | None
    links: list[str]
    flags: list[FlagView] = field(default_factory=list)
    """Consistency flags of the study (of the record alone when it is not relevant)."""
    registrations: list[str] = field(default_factory=list)
    """Every registration of the study: its CT.gov ids and the other registries' numbers."""
    needs_check: bool = False
    """A `major` flag that no human verdict has answered yet."""


@dataclass(frozen=True, slots=True)
class Ledger:
    claim: ClaimConfig
    items: list[LedgerItem]
    summary: LedgerSummary


def build_ledger(session: Session, claim: ClaimConfig) -> Ledger:
    rows = list(session.scalars(select(Assessment).order_by(col(Assessment.record_id))))
    titles = _titles(session)
    links = _links(session)
    overrides = stored_study_overrides(session)
    marks = study_flags(session, rows)
    checks = studies_needing_check(session)
    items = []
    for a in rows:
        o = override_for(overrides, record_id=a.record_id, study=a.study, relevant=a.relevant)
        view = OverrideView(o.verdict, o.note, o.by, o.at, o.record_id) if o is not None else None
        items.append(
            LedgerItem(
                id=a.record_id,
                study=a.study,
                source=a.source,
                title=titles.get(a.record_id) or a.record_id,
                url=record_url(a.record_id),
                relevant=a.relevant,
                role=a.role,
                exclusion=RENAMED_EXCLUSIONS.get(a.exclusion or "", a.exclusion),
                verdict=view.verdict if view else a.verdict,
                automatic=a.verdict,
                rule=a.rule,
                reason=a.reason,
                evidence=json.loads(a.evidence),
                strength=marks.strength(a),
                participants=a.participants,
                manual=view is not None,
                override=view,
                links=sorted(links.get(a.record_id, ())),
                flags=marks.flags(a),
                registrations=marks.registrations(a),
                needs_check=a.relevant and a.study in checks,
            )
        )
    return Ledger(claim, items, ledger_summary(session))


def _titles(session: Session) -> dict[str, str]:
    trials = select(col(Trial.nct_id), col(Trial.brief_title))
    out: dict[str, str | None] = dict(session.execute(trials).all())
    assessed = select(col(Assessment.record_id))
    stmt = select(col(Article.id), col(Article.title)).where(col(Article.id).in_(assessed))
    out.update((k, v) for k, v in session.execute(stmt))
    return {k: v for k, v in out.items() if v}


def _links(session: Session) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for article, trial in session.execute(select(col(Link.article_id), col(Link.trial_id))):
        out.setdefault(article, set()).add(trial)
        out.setdefault(trial, set()).add(article)
    return out


def ledger_json(ledger: Ledger) -> dict[str, Any]:
    """The shape scripts read from `tracker evidence --format json`, kept stable:
    {"claim": {...}, "items": [ITEM...], "summary": {"confirms": n, ...}}."""
    c = ledger.claim
    s = ledger.summary
    return {
        "claim": {
            "statement": c.statement,
            "index": c.index.model_dump(),
            "population": list(c.population.terms),
            "family": c.intervention.family,
            "kinds": list(c.intervention.kinds),
            "outcomes": {k: list(v) for k, v in c.outcomes.items()},
        },
        "items": [_item(i) for i in ledger.items],
        "summary": {
            **{v: s.counts[v] for v in VERDICTS},
            "studies": s.studies,
            "participants": s.participants,
            "state": s.state,
            "standing": s.standing,
            "needs_check": s.needs_check,
        },
    }


def _item(i: LedgerItem) -> dict[str, Any]:
    return {
        "id": i.id,
        "study": i.study,
        "source": i.source,
        "title": i.title,
        "url": i.url,
        "relevant": i.relevant,
        "role": i.role,
        "exclusion": i.exclusion,
        "verdict": i.verdict,
        "automatic_verdict": i.automatic,
        "rule": i.rule,
        "reason": i.reason,
        "evidence": i.evidence,
        "strength": i.strength,
        "participants": i.participants,
        "manual": i.manual,
        "override": i.override,
        "links": i.links,
        "flags": [f.to_json() for f in i.flags],
        "registrations": i.registrations,
        "needs_check": i.needs_check,
    }
