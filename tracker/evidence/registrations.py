"""Keep the links that registration numbers imply (provenance 'registration') equal to
what the stored registrations say, before the records are judged into studies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from tracker.evidence.rules.registration_joins import Joins, join_registrations
from tracker.store.models import Link
from tracker.store.registrations import registrations_by_record

PROVENANCE = "registration"


def registration_joins(session: Session) -> Joins:
    declared = {
        rid: [reg for reg, _ in regs] for rid, regs in registrations_by_record(session).items()
    }
    return join_registrations(declared)


def save_registration_links(session: Session, now: datetime) -> Joins:
    """Store the links registrations imply; drop those no longer implied."""
    joins = registration_joins(session)
    wanted = set(joins.links)
    stored = {
        (link.article_id, link.trial_id): link
        for link in session.scalars(select(Link).where(col(Link.provenance) == PROVENANCE))
    }
    for pair, link in stored.items():
        if pair not in wanted:
            session.delete(link)
    for a, t in sorted(wanted - set(stored)):
        session.add(Link(article_id=a, trial_id=t, provenance=PROVENANCE, first_seen_at=now))
    session.flush()
    return joins
