"""Flags read from a trial's registry versions: retrospective registration, sample size,
early stop, and posted results against the registered primary outcomes."""

from __future__ import annotations

from collections.abc import Sequence

from tracker.evidence.rules.flags import Flag, Version, day_bounds
from tracker.evidence.rules.flags_outcomes import after_completion
from tracker.evidence.rules.flags_text import readable, similarity
from tracker.evidence.rules.registry import classify_why_stopped
from tracker.records.trial import TrialData


def retrospective(last: Version, grace_days: int) -> list[Flag]:
    """First submitted after the start (plus grace): pre-specification cannot be verified.

    A start date given only as a month counts from its last day, so that the flag is
    certain when it is raised."""
    t = last.trial
    start, submitted = day_bounds(t.start_date), day_bounds(t.first_submitted)
    if start is None or submitted is None or t.start_date is None:
        return []
    late = (submitted[0] - start[1]).days
    if late <= grace_days:
        return []
    kind = "actual" if t.start_date.type == "ACTUAL" else "given"
    return [
        Flag(
            "registration.retrospective",
            "minor",
            f"Registered retrospectively: first submitted {late} days after its {kind} start "
            "date, so what was pre-specified cannot be verified.",
            [f"start date: {t.start_date.value}", f"first submitted: {t.first_submitted}"],
        )
    ]


def sample_size(versions: Sequence[Version], threshold: float) -> list[Flag]:
    """Final actual enrolment against the registered estimate: always shown (info), flagged
    below `threshold`; an increase after completion is flagged too."""
    estimate = _estimate(versions)
    last = versions[-1]
    t = last.trial
    flags: list[Flag] = []
    if estimate is not None and t.enrollment_type == "ACTUAL" and t.enrollment is not None:
        planned, since = estimate
        ratio = t.enrollment / planned if planned else None
        if ratio is not None:
            low = ratio < threshold
            flags.append(
                Flag(
                    "enrolment.sample_size",
                    "minor" if low else "info",
                    f"Enrolled {t.enrollment} of {planned} planned ({ratio:.0%})"
                    + (f", below {threshold:.0%} of the estimate: underpowered." if low else "."),
                    [
                        f"{since.label}: enrolment {planned} (estimated)",
                        f"{last.label}: enrolment {t.enrollment} (actual)",
                    ],
                )
            )
    flags += _raised_after_completion(versions)
    return flags


def _estimate(versions: Sequence[Version]) -> tuple[int, Version] | None:
    """The last registered estimate before the enrolment became actual."""
    found: tuple[int, Version] | None = None
    for v in versions:
        if v.trial.enrollment_type == "ACTUAL":
            break
        if v.trial.enrollment:
            found = (v.trial.enrollment, v)
    return found


def _raised_after_completion(versions: Sequence[Version]) -> list[Flag]:
    for prev, v in zip(versions, versions[1:], strict=False):
        old, new = prev.trial.enrollment, v.trial.enrollment
        if old is None or new is None or new <= old:
            continue
        _, after = after_completion(v, versions[-1])
        if after:
            return [
                Flag(
                    "enrolment.raised_after_completion",
                    "major",
                    f"The enrolment was raised from {old} to {new} {after}.",
                    [f"{prev.label}: enrolment {old}", f"{v.label}: enrolment {new}"],
                )
            ]
    return []


_STOPPED = {"TERMINATED", "SUSPENDED", "WITHDRAWN"}
_CLASS_TEXT = {
    "recruitment": "low recruitment: underpowered and inconclusive; it never refutes",
    "futility": "futility",
    "safety": "safety",
    "funding": "funding",
    "sponsor": "a sponsor's decision",
}


def early_stop(last: Version) -> list[Flag]:
    """Terminated, suspended or withdrawn, with the class of its stated reason."""
    t = last.trial
    if t.overall_status not in _STOPPED:
        return []
    why = classify_why_stopped(t.why_stopped or "")
    severity = "major" if why == "safety" else "minor"
    said = _CLASS_TEXT.get(why or "", "a reason the rules do not classify")
    return [
        Flag(
            "status.early_stop",
            severity,
            f"{t.overall_status.lower().capitalize()} early; stated reason: {said}.",
            [
                f"{last.label}: status {t.overall_status}",
                f"why stopped: {t.why_stopped or '(not given)'}",
            ],
            why or "unclassified",
        )
    ]


def posted_results(last: Version, threshold: float) -> list[Flag]:
    """Posted PRIMARY measures against the registered primary outcomes."""
    t: TrialData = last.trial
    posted = [r for r in t.result_outcomes if (r.type or "").upper() == "PRIMARY"]
    if not t.has_results or not posted:
        return []
    registered = [o for o in t.primary_outcomes if readable(o.measure)]
    flags: list[Flag] = []
    for r in posted:
        if readable(r.title) and not any(
            similarity(r.title, o.measure) >= threshold for o in registered
        ):
            secondary = any(
                similarity(r.title, o.measure) >= threshold for o in t.secondary_outcomes
            )
            flags.append(
                Flag(
                    "results.primary_not_registered",
                    "major",
                    f"Results post as PRIMARY a measure registered "
                    f"{'only as secondary' if secondary else 'nowhere'}: “{r.title}”.",
                    [f"{last.label}: posted primary “{r.title}”"]
                    + [f"registered primary: “{o.measure}”" for o in registered],
                    r.title or "",
                )
            )
    flags += [
        Flag(
            "results.registered_primary_missing",
            "minor",
            f"A registered primary outcome has no posted measure: “{o.measure}”.",
            [f"{last.label}: registered primary “{o.measure}”"]
            + [f"posted primary: “{r.title}”" for r in posted],
            o.measure or "",
        )
        for o in registered
        if not any(similarity(r.title, o.measure) >= threshold for r in posted)
    ]
    return flags
