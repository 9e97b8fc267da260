"""Change events in plain words, for people who do not read registry field names.

Every report (terminal, Markdown, email, website, feed) says a change the same way:
"now counted as a follow-up", "retraction notice", "status: Recruiting → Terminated",
never `role: – → prior` or `RetractionIn`. Pure: text in, text out.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLE_WORDS = {
    "index": "the index study itself",
    "follow_up": "now counted as a follow-up",
    "prior": "now counted as earlier evidence (from before the index result)",
    "review": "now counted as a systematic review",
    "background": "now counted as background (reports no study of its own)",
    "excluded": "no longer counted (judged not relevant)",
}

VERDICT_WORDS = {
    "confirms": "supports the claim",
    "refutes": "goes against the claim",
    "inconclusive": "does not settle it",
    "pending": "awaiting results",
    "not_applicable": "does not test the claim",
}
"""What each verdict means, said to a reader."""

NOTICE_WORDS = {
    "RetractionIn": "retraction notice",
    "ErratumIn": "correction notice",
    "ExpressionOfConcernIn": "expression of concern",
    "UpdateIn": "updated version",
    "RepublishedIn": "republished",
}

STATUS_WORDS = {
    "NOT_YET_RECRUITING": "Not yet recruiting",
    "RECRUITING": "Recruiting",
    "ENROLLING_BY_INVITATION": "Enrolling by invitation",
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
    "COMPLETED": "Completed",
    "SUSPENDED": "Suspended",
    "TERMINATED": "Terminated",
    "WITHDRAWN": "Withdrawn",
    "UNKNOWN": "Unknown",
}

STOPPED = frozenset({"TERMINATED", "SUSPENDED", "WITHDRAWN"})

_FIELD_WORDS = {
    "start_date": "start date",
    "completion_date": "expected end of the study",
    "primary_completion_date": "expected end of the main data collection",
    "phases": "phase",
    "study_type": "type of study",
    "databank_links": "data deposited",
    "references": "new paper listed by the registry",
    "deleted": "withdrawn from PubMed",
}


@dataclass(frozen=True, slots=True)
class Plain:
    text: str
    flag: str | None = None
    """A short emphasis: 'stopped', 'retracted', '+8 months'."""


def status_words(value: str | None) -> str:
    if not value:
        return "–"
    return STATUS_WORDS.get(value, value.replace("_", " ").capitalize())


def verdict_words(value: str | None) -> str:
    return VERDICT_WORDS.get(value or "", value or "–")


def verdict_label(value: str | None) -> str:
    return (value or "–").replace("_", " ")


def notice_words(value: str) -> str:
    """'RetractionIn PMID:1, ErratumIn PMID:2' -> 'retraction notice PMID:1, correction ...'."""
    parts = []
    for part in value.split(", "):
        kind, _, rest = part.partition(" ")
        parts.append(f"{NOTICE_WORDS[kind]} {rest}".strip() if kind in NOTICE_WORDS else part)
    return ", ".join(parts)


def plain_change(field: str, old: str | None, new: str | None) -> Plain:
    """One change event as a sentence fragment and an optional flag."""
    if field == "role":
        return Plain(ROLE_WORDS.get(new or "", f"now counted as {new or 'nothing'}"))
    if field == "verdict":
        if old is None:
            return Plain(f"first judged: {verdict_label(new)} ({verdict_words(new)})")
        return Plain(f"verdict: {verdict_label(old)} → {verdict_label(new)} ({verdict_words(new)})")
    if field == "overall_status":
        flag = "stopped" if new in STOPPED else None
        return Plain(f"status: {status_words(old)} → {status_words(new)}", flag)
    if field == "why_stopped":
        return Plain(f"reason given for stopping: {new}" if new else "reason for stopping removed")
    if field == "results_submitted":
        if not new:
            return Plain("results submission withdrawn or posted")
        return Plain(f"results submitted to the registry on {new} (not yet checked and posted)")
    if field == "results_posted":
        return Plain(f"results posted on {new}" if new and new != "yes" else "results posted")
    if field == "enrollment":
        return Plain(f"number of participants: {old or '–'} → {new or '–'}")
    if field == "retraction":
        notice = (new or "").removeprefix("retracted").strip(" ()").removeprefix("notice")
        return Plain(f"retraction notice {notice.strip()}".strip(), "retracted")
    if field == "corrections":
        return Plain(notice_words(new or ""))
    if field == "cited_by":
        return Plain(f"cited by a new paper, {new}")
    if field == "primary_completion_date" and old and new:
        slip = months_between(old, new)
        label = _FIELD_WORDS[field]
        if slip > 0:
            return Plain(f"{label}: {old} → {new}", f"+{slip} month{'s' if slip != 1 else ''}")
        if slip == 0 and new[:10] > old[:10]:
            return Plain(f"{label}: {old} → {new}", "later")
    label = _FIELD_WORDS.get(field, field.replace("_", " "))
    if field in ("databank_links", "references"):
        return Plain(f"{label}: {new or '–'}")
    if field == "deleted":
        return Plain(label)
    return Plain(f"{label}: {old or '–'} → {new or '–'}")


def months_between(old: str, new: str) -> int:
    """Whole months from one partial date ('2026-05' or '2026-05-14') to another."""
    try:
        y0, m0 = int(old[:4]), int(old[5:7] or 1)
        y1, m1 = int(new[:4]), int(new[5:7] or 1)
    except ValueError:
        return 0
    return (y1 - y0) * 12 + (m1 - m0)
