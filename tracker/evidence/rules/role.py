"""Which part a relevant record plays: index, follow-up, prior, review or background."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.config import IndexConfig
from tracker.evidence.rules.signals import Signals
from tracker.evidence.rules.terms import RoleName


@dataclass(frozen=True, slots=True)
class Role:
    role: RoleName
    reason: str


def is_index(record_id: str, doi: str | None, index: IndexConfig) -> bool:
    """The configured index trial or publication (the only record a rule may name)."""
    ids = {index.nct_id.upper()} if index.nct_id else set()
    if index.pmid:
        ids.add(f"PMID:{index.pmid}")
    if record_id.upper() in ids:
        return True
    return bool(index.doi and doi and doi.lower() == index.doi.lower())


def judge_role(s: Signals, *, relevant: bool, index_study: bool, index: IndexConfig) -> Role:
    """Pure: a relevant record's role from its study, type, outcomes and date."""
    if not relevant:
        return Role("excluded", "not relevant")
    if index_study:
        return Role("index", "the index result, or a report of its study")
    if s.review:
        return Role("review", f"a {s.review}")
    if s.narrative_review:
        return Role("background", "a narrative review: it neither tests nor pools")
    # A study of the family in the population is prior or follow-up by its date, whatever
    # its outcomes: whether it tests the claim is its verdict's business, not its role's.
    when = s.date or ""
    if index.date and when and when[:10] < index.date[: len(when[:10])]:
        return Role("prior", f"dated {when}, before the index result ({index.date})")
    return Role("follow_up", f"dated {when or 'unknown'}, after the index result")
