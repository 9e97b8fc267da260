"""Read what the website shows of given relevant records, with narrow selects in chunks.

A record's part of the site (its row in the study's record list, its design, registrations,
change-event count and effect estimates) depends only on its own stored rows, so a rebuild
reads only the records whose rows changed (tracker.site.state says which) and keeps the
rest from the previous build.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.config import ClaimConfig
from tracker.evidence.rules.vocab import Lexicon
from tracker.ids import record_url
from tracker.records.article import AbstractSection
from tracker.records.trial import TrialData, decode_trial
from tracker.reports.plain import status_words
from tracker.site.effects import Estimate, abstract_estimates, posted_estimates
from tracker.site.model import RecordRow
from tracker.store.models import Article, Assessment, ChangeEvent, Registration, Trial

CHUNK = 500


class _Abstract(msgspec.Struct, frozen=True):
    """The abstract of a stored article, decoded without the rest of the record."""

    abstract: list[AbstractSection] = []


_ABSTRACT = msgspec.json.Decoder(_Abstract)


class RecordInfo(msgspec.Struct, frozen=True, gc=False):
    """One relevant record as the site shows it."""

    study: str
    row: RecordRow
    strength: str | None
    participants: int | None
    design: str | None
    """A parsed trial's design in words; None for a paper or an unreadable trial."""
    registrations: tuple[str, ...]
    """Other registries' numbers (and NCT aliases) the record declares."""
    events: tuple[int, int]
    """Its change events: how many, and the newest id."""
    estimates: tuple[Estimate, ...]
    digest: str = ""
    """A hash of everything above: a study page's fingerprint is made of its records'."""


@dataclass(frozen=True)
class Outcomes:
    """The claim's outcomes compiled for the effect estimates."""

    claim: Lexicon
    every: Lexicon
    groups: tuple[str, ...]

    @classmethod
    def of(cls, claim: ClaimConfig) -> Outcomes:
        return cls(
            Lexicon(dict(claim.outcomes)),
            Lexicon({**claim.outcomes, **claim.other_outcomes}),
            tuple(claim.outcomes),
        )


def read_records(session: Session, ids: Sequence[str], outcomes: Outcomes) -> dict[str, RecordInfo]:
    """Record id -> its RecordInfo, for the relevant records among `ids`."""
    out: dict[str, RecordInfo] = {}
    for chunk in _chunks(sorted(set(ids))):
        out.update(_read_chunk(session, chunk, outcomes))
    return out


def _read_chunk(session: Session, ids: Sequence[str], outcomes: Outcomes) -> dict[str, RecordInfo]:
    rows = session.execute(
        select(
            col(Assessment.record_id),
            col(Assessment.study),
            col(Assessment.source),
            col(Assessment.role),
            col(Assessment.verdict),
            col(Assessment.reason),
            col(Assessment.evidence),
            col(Assessment.strength),
            col(Assessment.participants),
        ).where(col(Assessment.record_id).in_(ids), col(Assessment.relevant).is_(True))
    ).all()
    reviews = {r[0] for r in rows if r[3] == "review"}
    trials = _trials(session, ids)
    articles = _articles(session, [i for i in ids if i not in trials], reviews)
    registrations = _registrations(session, ids)
    events = _events(session, ids)
    out = {}
    for rid, study, source, role, verdict, reason, evidence, strength, participants in rows:
        common: dict[str, Any] = {
            "id": rid,
            "source": source,
            "url": record_url(rid),
            "role": role,
            "verdict": verdict,
            "reason": reason,
            "evidence": tuple(json.loads(evidence or "[]")),
        }
        found: list[Estimate] = []
        design = None
        if rid in trials:
            t = trials[rid]
            parsed: TrialData | None = t["parsed"]
            row = RecordRow(
                kind="registry entry",
                title=t["title"] or rid,
                date=(parsed.first_submitted if parsed else None) or t["start"],
                status=status_words(t["status"]),
                where=None,
                retracted=False,
                version=t["version"],
                **common,
            )
            if parsed is not None:
                design = _design(parsed)
                found = posted_estimates(rid, parsed, outcomes.claim)
        else:
            a = articles.get(rid, {})
            row = _article_row(rid, a, common)
            if a.get("abstract") and not row.retracted:
                found = abstract_estimates(rid, a["abstract"], outcomes.every, outcomes.groups)
        info = RecordInfo(
            study=study,
            row=row,
            strength=strength,
            participants=participants,
            design=design,
            registrations=registrations.get(rid, ()),
            events=events.get(rid, (0, 0)),
            estimates=tuple(found),
        )
        out[rid] = _with_digest(info)
    return out


def _with_digest(info: RecordInfo) -> RecordInfo:
    digest = hashlib.sha256(repr(info).encode()).hexdigest()[:32]
    return msgspec.structs.replace(info, digest=digest)


def _article_row(rid: str, a: dict[str, Any], common: dict[str, Any]) -> RecordRow:
    types = (a.get("types") or "").split("|")
    return RecordRow(
        kind="preprint" if rid.startswith("PPR:") else ("paper" if a else "record"),
        title=a.get("title") or rid,
        date=a.get("date"),
        status="retracted" if a.get("retracted") else ("published" if a else None),
        where="; ".join(t for t in (a.get("journal"), ", ".join(types[:2])) if t) or None,
        retracted=bool(a.get("retracted")),
        version=a.get("version", 0),
        **common,
    )


def _trials(session: Session, ids: Sequence[str]) -> dict[str, Any]:
    stmt = select(
        col(Trial.nct_id),
        col(Trial.brief_title),
        col(Trial.overall_status),
        col(Trial.start_date),
        col(Trial.version),
        col(Trial.data),
        col(Trial.parse_error),
    ).where(col(Trial.nct_id).in_(ids))
    out: dict[str, Any] = {}
    for nct, title, status, start, version, data, error in session.execute(stmt):
        out[nct] = {
            "title": title,
            "status": status,
            "start": start,
            "version": version,
            "parsed": _decode(data) if not error else None,
        }
    return out


def _decode(data: str) -> TrialData | None:
    try:
        return decode_trial(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def _articles(session: Session, ids: Sequence[str], reviews: set[str]) -> dict[str, Any]:
    """Articles' columns, and the abstract of each that is not a review (a review's pooled
    estimate would count its trials twice beside their own)."""
    stmt = select(
        col(Article.id),
        col(Article.title),
        col(Article.journal),
        col(Article.pub_date),
        col(Article.entrez_date),
        col(Article.retracted),
        col(Article.publication_types),
        col(Article.version),
        col(Article.data),
    ).where(col(Article.id).in_(ids))
    out = {}
    for rid, title, journal, pub, entrez, retracted, types, version, data in session.execute(stmt):
        out[rid] = {
            "title": title,
            "journal": journal,
            "date": pub or entrez,
            "retracted": retracted,
            "types": types,
            "version": version,
            "abstract": "" if rid in reviews else _abstract(data),
        }
    return out


def _abstract(data: str | None) -> str:
    try:
        sections = _ABSTRACT.decode(data or "{}").abstract
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ""
    return "\n".join(s.text for s in sections)


def _registrations(session: Session, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    stmt = select(col(Registration.record_id), col(Registration.reg_id)).where(
        col(Registration.record_id).in_(ids)
    )
    out: dict[str, set[str]] = {}
    for rid, reg in session.execute(stmt):
        out.setdefault(rid, set()).add(reg)
    return {rid: tuple(sorted(regs)) for rid, regs in out.items()}


def _events(session: Session, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
    stmt = (
        select(col(ChangeEvent.record_id), func.count(), func.max(col(ChangeEvent.id)))
        .where(col(ChangeEvent.record_id).in_(ids))
        .group_by(col(ChangeEvent.record_id))
    )
    return {rid: (count, newest or 0) for rid, count, newest in session.execute(stmt)}


def _design(parsed: TrialData) -> str:
    bits = [
        (parsed.study_type or "").replace("_", " ").lower(),
        (parsed.allocation or "").replace("_", " ").lower(),
        (parsed.masking or "").replace("_", " ").lower() + (" masking" if parsed.masking else ""),
        ", ".join(p.replace("PHASE", "phase ").replace("_", " ").lower() for p in parsed.phases),
    ]
    return ", ".join(b for b in bits if b and b != "na") or "–"


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]
