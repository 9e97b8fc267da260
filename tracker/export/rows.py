"""One flat row per stored record with its effective verdict: what every export writes.

Rows are streamed (yield_per), so exporting a million articles holds a batch in memory,
not the table. The effective verdict is the human verdict in force over the record's study
(tracker.evidence.overrides decides which), else the verdict the engine gave.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session, col

from tracker.evidence.overrides import override_for, stored_study_overrides
from tracker.export.registered import registered_and_flagged
from tracker.ids import Source, record_url
from tracker.store.models import Article, Assessment, Override, Trial

_BATCH = 1000


@dataclass(frozen=True, slots=True)
class Person:
    last: str
    first: str = ""
    collective: bool = False
    """A group author ('the XYZ Study Group'): one name, never split."""


@dataclass(frozen=True, slots=True)
class ExportRow:
    id: str
    kind: str
    """'trial', 'article' or 'preprint'."""
    source: Source
    title: str
    url: str | None
    study: str | None
    relevant: bool | None
    role: str | None
    verdict: str | None
    """Effective verdict; None while the record is not assessed."""
    overridden: bool
    rule: str | None
    reason: str | None
    strength: str | None
    participants: int | None
    status: str | None
    """Trial overall status; 'retracted' for a retracted paper."""
    year: str | None
    date: str | None
    doi: str | None = None
    pmid: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    sponsor: str | None = None
    phases: str | None = None
    enrollment: int | None = None
    primary_completion_date: str | None = None
    abstract: str | None = None
    authors: list[Person] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    registrations: list[str] = field(default_factory=list)
    """Every registration of the record's study (CT.gov ids, EudraCT, ISRCTN...)."""
    flags: list[str] = field(default_factory=list)
    """The study's consistency flags as 'severity rule: summary'."""
    provenance: str | None = None
    """'cites:PMID:…' (or 'cites:PPR:…', 'cites:PMC:…', 'cites:DOI:…') for a paper no query
    found, fetched because it cites that paper."""


def export_rows(session: Session, *, relevant_only: bool) -> Iterator[ExportRow]:
    """Trials first (by NCT id), then articles (by id)."""
    overrides = stored_study_overrides(session)
    extra = registered_and_flagged(session)
    for row in session.execute(_trials(relevant_only).execution_options(yield_per=_BATCH)):
        yield extra.add(_trial_row(row._mapping, overrides))
    for row in session.execute(_articles(relevant_only).execution_options(yield_per=_BATCH)):
        yield extra.add(_article_row(row._mapping, overrides))


_ASSESSED = (
    col(Assessment.study),
    col(Assessment.relevant),
    col(Assessment.role),
    col(Assessment.verdict),
    col(Assessment.rule),
    col(Assessment.reason),
    col(Assessment.strength),
    col(Assessment.participants),
)


def _trials(relevant_only: bool) -> Select[*tuple[Any, ...]]:
    stmt = (
        select(
            col(Trial.nct_id),
            col(Trial.brief_title),
            col(Trial.overall_status),
            col(Trial.phases),
            col(Trial.enrollment),
            col(Trial.start_date),
            col(Trial.primary_completion_date),
            col(Trial.lead_sponsor),
            col(Trial.data),
            *_ASSESSED,
        )
        .join(Assessment, col(Assessment.record_id) == col(Trial.nct_id), isouter=True)
        .order_by(col(Trial.nct_id))
    )
    return stmt.where(col(Assessment.relevant).is_(True)) if relevant_only else stmt


def _articles(relevant_only: bool) -> Select[*tuple[Any, ...]]:
    stmt = (
        select(
            col(Article.id),
            col(Article.title),
            col(Article.doi),
            col(Article.pmid),
            col(Article.journal),
            col(Article.pub_date),
            col(Article.retracted),
            col(Article.in_pubmed),
            col(Article.provenance),
            col(Article.data),
            *_ASSESSED,
        )
        .join(Assessment, col(Assessment.record_id) == col(Article.id), isouter=True)
        .order_by(col(Article.id))
    )
    return stmt.where(col(Assessment.relevant).is_(True)) if relevant_only else stmt


def _assessed(m: Any, record_id: str, overrides: dict[str, Override]) -> dict[str, Any]:
    study = m["study"]
    override = (
        override_for(overrides, record_id=record_id, study=study, relevant=m["relevant"])
        if study
        else None
    )
    return {
        "study": study,
        "relevant": m["relevant"],
        "role": m["role"],
        "verdict": override.verdict if override else m["verdict"],
        "overridden": override is not None,
        "rule": m["rule"],
        "reason": m["reason"],
        "strength": m["strength"],
        "participants": m["participants"],
    }


def _data(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _trial_row(m: Any, overrides: dict[str, Override]) -> ExportRow:
    data = _data(m["data"])
    nct_id = m["nct_id"]
    start = m["start_date"]
    return ExportRow(
        id=nct_id,
        kind="trial",
        source=Source.CTGOV,
        title=data.get("official_title") or m["brief_title"] or nct_id,
        url=record_url(nct_id),
        status=m["overall_status"],
        year=start[:4] if start else None,
        date=start,
        sponsor=m["lead_sponsor"],
        phases=m["phases"],
        enrollment=m["enrollment"],
        primary_completion_date=m["primary_completion_date"],
        abstract=data.get("brief_summary"),
        authors=[Person(m["lead_sponsor"], collective=True)] if m["lead_sponsor"] else [],
        keywords=[str(c) for c in data.get("conditions") or []],
        **_assessed(m, nct_id, overrides),
    )


def _article_row(m: Any, overrides: dict[str, Override]) -> ExportRow:
    data = _data(m["data"])
    journal = data.get("journal") or {}
    article_id = m["id"]
    date = m["pub_date"] or data.get("article_date")
    abstract = " ".join(
        str(section.get("text") or "") for section in data.get("abstract") or []
    ).strip()
    return ExportRow(
        id=article_id,
        kind="preprint" if article_id.startswith("PPR:") else "article",
        source=Source.PUBMED if m["in_pubmed"] else Source.EUROPEPMC,
        title=m["title"] or article_id,
        url=record_url(article_id) or (f"https://doi.org/{m['doi']}" if m["doi"] else None),
        status="retracted" if m["retracted"] else None,
        year=date[:4] if date else None,
        date=date,
        doi=m["doi"],
        pmid=m["pmid"],
        journal=m["journal"] or journal.get("title"),
        volume=journal.get("volume"),
        issue=journal.get("issue"),
        pages=journal.get("pages"),
        abstract=abstract or None,
        authors=[_person(a) for a in data.get("authors") or [] if _person(a).last],
        keywords=[str(k) for k in data.get("keywords") or []],
        provenance=m["provenance"],
        **_assessed(m, article_id, overrides),
    )


def _person(author: dict[str, Any]) -> Person:
    if author.get("collective_name"):
        return Person(str(author["collective_name"]), collective=True)
    return Person(
        str(author.get("last_name") or ""),
        str(author.get("fore_name") or author.get("initials") or ""),
    )
