"""Verdicts from a registry record's status: pending, overdue, stopped, withdrawn.

Pure: the trial and `today` in, a Verdict (or None when status says nothing) out.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from tracker.evidence.rules.signals import Signals
from tracker.evidence.rules.verdict import Verdict
from tracker.records.trial import PartialDate, TrialData

PENDING_STATUSES = frozenset(
    {
        "NOT_YET_RECRUITING",
        "RECRUITING",
        "ENROLLING_BY_INVITATION",
        "ACTIVE_NOT_RECRUITING",
        "AVAILABLE",
    }
)
_EXTENSION = re.compile(
    r"\b(?i:extension\s+(?:study|trial|phase|period)|open[\s-]label\s+extension)\b|\bOLE\b"
)
STOPPED_STATUSES = frozenset({"TERMINATED", "SUSPENDED", "WITHDRAWN"})

_FUTILITY = (
    r"futil|lack of (?:efficacy|effect|benefit)|no (?:efficacy|benefit|effect)|ineffective|"
    r"not effective|interim analysis|unlikely to (?:show|meet|succeed)"
)
_SAFETY = r"safety|adverse|side[\s-]effect|seizure|harm|toxicit|death"
_RECRUITMENT = r"recruit|enrol|accrual|participants|patients? (?:available|eligible)|covid|pandemic"
_FUNDING = r"fund|financ|budget|grant|money|cost"
_SPONSOR = (
    r"sponsor|business|strategic|company|investigator (?:left|moved)|PI (?:left|moved)|"
    r"administrative|logistic|device|manufactur|priorit"
)
WHY_STOPPED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.I))
    for label, pattern in (
        ("futility", _FUTILITY),
        ("safety", _SAFETY),
        ("recruitment", _RECRUITMENT),
        ("funding", _FUNDING),
        ("sponsor", _SPONSOR),
    )
)
"""whyStopped classes, tried in this order: futility first, since 'no benefit at interim
analysis, enrolment stopped' is futility whatever else it says."""


def registry_verdict(t: TrialData, s: Signals, today: date) -> Verdict | None:
    """The status rules, or None when the record's results should decide instead."""
    status = t.overall_status or "UNKNOWN"
    facts = [f"overall status: {status}"]
    if t.primary_completion_date:
        facts.append(f"primary completion: {_when(t.primary_completion_date)}")
    if status == "WITHDRAWN":
        return _withdrawn(t, s, facts)
    if status in ("TERMINATED", "SUSPENDED"):
        why = classify_why_stopped(t.why_stopped or "")
        if t.has_results and why not in ("futility", "safety"):
            return None  # posted results weigh more than a stop for recruitment or money
        return _stopped(t, status, why, facts)
    if t.has_results:
        return None
    if not s.design.controlled and _EXTENSION.search(f"{t.brief_title} | {t.official_title}"):
        return Verdict(
            "inconclusive",
            "registry.open_label_extension",
            "An open-label extension of an earlier trial: everyone receives the treatment, so "
            "whatever it reports cannot show an effect against a control.",
            [f"title: {t.official_title or t.brief_title}", *facts],
            "weak",
        )
    if status in PENDING_STATUSES:
        return Verdict(
            "pending",
            "registry.pending_status",
            f"Registered test of the claim, {_words(status)}; no results yet.",
            facts,
        )
    return _awaiting(t, status, facts, today)


TIME_RULES = frozenset({"registry.awaiting_results", "registry.results_overdue"})
"""The rules whose verdict the date alone can change."""


def recheck_on(t: TrialData, rule: str, today: date) -> date | None:
    """The first day after `today` on which a verdict given by `rule` can read differently
    with nothing else changed, or None if it never can: results not yet due fall due the day
    after primary completion, and an overdue count of months moves on at each month's start."""
    if rule not in TIME_RULES:
        return None
    end = _as_date(t.primary_completion_date)
    if end is None:
        return None
    if end >= today:
        return end + timedelta(days=1)
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def _awaiting(t: TrialData, status: str, facts: list[str], today: date) -> Verdict:
    """Completed (or status unknown) with no results posted."""
    if t.results_submitted:
        facts.append(f"results submitted {t.results_submitted}, in quality control")
        return Verdict(
            "pending",
            "registry.results_in_qc",
            "Results were submitted to the registry and are not yet posted.",
            facts,
        )
    end = _as_date(t.primary_completion_date)
    if end is not None and end < today:
        months = (today.year - end.year) * 12 + today.month - end.month
        facts.append(f"no results posted {months} months after primary completion")
        return Verdict(
            "pending",
            "registry.results_overdue",
            f"{_words(status).capitalize()}, but no results posted {months} months after primary "
            "completion.",
            facts,
        )
    return Verdict(
        "pending",
        "registry.awaiting_results",
        "Registered test of the claim with no results yet; its status is not verified."
        if status == "UNKNOWN"
        else f"{_words(status).capitalize()}; results not yet due.",
        facts,
    )


def _withdrawn(t: TrialData, s: Signals, facts: list[str]) -> Verdict:
    if t.why_stopped:
        facts.append(f"why stopped: {t.why_stopped}")
    enrolled = t.enrollment if t.enrollment is not None else "none"
    facts.append(f"enrollment: {enrolled} {t.enrollment_type or ''}".strip())
    return Verdict(
        "not_applicable",
        "registry.withdrawn",
        "Withdrawn before enrolling anyone, so it tests nothing.",
        facts,
    )


def _stopped(t: TrialData, status: str, reason: str | None, facts: list[str]) -> Verdict:
    facts.append(f"why stopped: {t.why_stopped or '(not given)'}")
    if reason == "futility":
        return Verdict(
            "refutes",
            "registry.stopped_futility",
            f"{_words(status).capitalize()} for futility: the sponsor saw no benefit.",
            facts,
            "weak",
        )
    if reason == "safety":
        return Verdict(
            "inconclusive",
            "registry.stopped_safety",
            f"{_words(status).capitalize()} for safety reasons before it could test efficacy "
            "(safety concern noted).",
            facts,
        )
    label = reason or "an unstated reason"
    return Verdict(
        "inconclusive",
        f"registry.stopped_{reason or 'unknown'}",
        f"{_words(status).capitalize()} for {label}, not for lack of effect; it does not answer "
        "the question.",
        facts,
    )


def classify_why_stopped(text: str) -> str | None:
    """'futility', 'safety', 'recruitment', 'funding', 'sponsor' or None."""
    for label, pattern in WHY_STOPPED:
        if pattern.search(text):
            return label
    return None


def _words(status: str) -> str:
    return status.replace("_", " ").lower()


def _when(d: PartialDate) -> str:
    return f"{d.value}{' (estimated)' if d.type == 'ESTIMATED' else ''}"


def _as_date(d: PartialDate | None) -> date | None:
    """The last day a partial date can mean: a month-only date is due at its end."""
    if d is None:
        return None
    try:
        if d.precision == "day":
            return date.fromisoformat(d.value)
        if d.precision == "month":
            y, m = (int(x) for x in d.value.split("-"))
            return date(y + m // 12, m % 12 + 1, 1)
        return date(int(d.value[:4]) + 1, 1, 1)
    except ValueError:
        return None
