"""The email's subject: the question's short name, what moved, and the tally.

E.g. '<short name> follow-ups: 1 trial stopped for futility; now 1 refutes, 0 confirms'. Kept
under 80 characters where it can be: a second piece of news is dropped first.
"""

from __future__ import annotations

from tracker.reports.digest_data import Digest

SUBJECT_LIMIT = 80

_KINDS = (
    ("verdict_changes", "verdict change", "verdict changes"),
    ("results", "trial with results", "trials with results"),
    ("follow_ups", "new follow-up", "new follow-ups"),
    ("retractions", "retraction", "retractions"),
)


def email_subject(short: str, digest: Digest, *, welcome: bool = False) -> str:
    counts = digest.evidence
    tally = f"{counts.get('refutes', 0)} refutes, {counts.get('confirms', 0)} confirms"
    if welcome:
        return f"{short} follow-ups: where the evidence stands; {tally}"
    moved = what_moved(digest)
    if not moved:
        return f"{short} follow-ups: nothing new; still {tally}"
    subject = ""
    for n in (2, 1):
        subject = f"{short} follow-ups: {', '.join(moved[:n])}; now {tally}"
        if len(subject) <= SUBJECT_LIMIT:
            break
    return subject


def what_moved(digest: Digest) -> list[str]:
    """The news in a few words each, most important first."""
    sections = {s.key: s.items for s in digest.sections}
    phrases = []
    status = sections.get("status", [])
    stopped = {i.id for i in status if i.flag == "stopped"}
    if stopped:
        futile = {i.id for i in status if "futil" in i.what.lower()}
        what = "stopped for futility" if futile >= stopped else "stopped"
        phrases.append(f"{_n(len(stopped), 'trial', 'trials')} {what}")
    for key, singular, plural in _KINDS:
        ids = {i.id for i in sections.get(key, [])}
        if ids:
            phrases.append(_n(len(ids), singular, plural))
    if not phrases:
        rest = {i.id for s in digest.sections for i in s.items}
        if rest:
            phrases.append(_n(len(rest), "study update", "study updates"))
    return phrases


def _n(count: int, singular: str, plural: str) -> str:
    return f"1 {singular}" if count == 1 else f"{count} {plural}"
