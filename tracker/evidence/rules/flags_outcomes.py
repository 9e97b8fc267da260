"""Primary outcome changed within the registry, classified in Holst et al.'s terms.

Holst MM et al., "Frequency and nature of changes to primary outcomes in registered trials"
(PLOS Medicine 2023): a change is *severe* when a primary outcome is added, omitted, moved
from secondary to primary or from primary to secondary; *non-severe* when its measurement,
aggregation or time frame changes. The baseline is the last version posted on or before the
study's start (what was pre-specified), else the first version tracker holds; it is compared
with the latest. A change dated on or after the primary completion date, or after results
were first submitted, is `major` whatever its kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tracker.evidence.rules.flags import Flag, Version, day_bounds
from tracker.evidence.rules.flags_text import readable, similarity, time_points
from tracker.records.trial import Outcome

RULE = "outcomes.primary_changed"
SEVERE = ("added", "omitted", "secondary_to_primary", "primary_to_secondary")


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    """'added', 'omitted', 'secondary_to_primary', 'primary_to_secondary', 'time_frame',
    'measurement'."""
    before: Outcome | None
    after: Outcome | None

    @property
    def severe(self) -> bool:
        return self.kind in SEVERE

    @property
    def subject(self) -> str:
        o = self.after or self.before
        return f"{self.kind}:{(o.measure or '') if o else ''}"[:200]


def baseline(versions: Sequence[Version]) -> Version:
    """The last version posted on or before the start date, else the first one (also when
    the versions' dates run backwards: their order by date is then not to be trusted)."""
    dates = [v.posted for v in versions if v.posted]
    if dates != sorted(dates):
        return versions[0]
    latest = versions[-1].trial
    start = day_bounds(latest.start_date)
    if start is not None:
        before = [v for v in versions if v.posted and v.posted[:10] <= start[1].isoformat()]
        if before:
            return before[-1]
    return versions[0]


def outcome_changes(
    before: Sequence[Outcome],
    before_secondary: Sequence[Outcome],
    after: Sequence[Outcome],
    after_secondary: Sequence[Outcome],
    threshold: float,
) -> list[Change]:
    """Changes between two registrations' primary outcomes (unreadable measures left out).

    Near-identical texts are paired first, across lists too: a new primary worded exactly
    as an old secondary moved up, even when it also resembles the old primary (a composite
    of 'first event' turned 'total events' reads much like the old one)."""
    old = [o for o in before if readable(o.measure)]
    new = [o for o in after if readable(o.measure)]
    old_s = [o for o in before_secondary if readable(o.measure)]
    new_s = [o for o in after_secondary if readable(o.measure)]
    pairs, old, new = _match(old, new, SAME)
    changes: list[Change] = []
    for o in list(new):
        if (up := _best(o, old_s, SAME)) is not None:
            changes.append(Change("secondary_to_primary", up, o))
            new.remove(o)
    for o in list(old):
        if (down := _best(o, new_s, SAME)) is not None:
            changes.append(Change("primary_to_secondary", o, down))
            old.remove(o)
    fuzzy, gone, came = _match(old, new, threshold)
    for o in gone:
        moved = _best(o, new_s, threshold)
        changes.append(Change("primary_to_secondary" if moved else "omitted", o, moved or None))
    for o in came:
        moved = _best(o, old_s, threshold)
        changes.append(Change("secondary_to_primary" if moved else "added", moved or None, o))
    for a, b in pairs + fuzzy:
        if time_points(a.time_frame) != time_points(b.time_frame):
            changes.append(Change("time_frame", a, b))
        elif normalised_differs(a.measure, b.measure) or normalised_differs(
            a.description, b.description
        ):
            changes.append(Change("measurement", a, b))
    return changes


SAME = 95.0
"""Similarity at which two measures are the same text (wording aside)."""


def normalised_differs(a: str | None, b: str | None) -> bool:
    """Texts that say different things (not just different spacing or case)."""
    if not a and not b:
        return False
    return similarity(a, b) < 90 or (not a) != (not b)


def _match(
    old: list[Outcome], new: list[Outcome], threshold: float
) -> tuple[list[tuple[Outcome, Outcome]], list[Outcome], list[Outcome]]:
    """One-to-one matches, best first; what is left on each side."""
    scored = sorted(
        (
            (similarity(a.measure, b.measure), i, j)
            for i, a in enumerate(old)
            for j, b in enumerate(new)
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[Outcome, Outcome]] = []
    for score, i, j in scored:
        if score < threshold or i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((old[i], new[j]))
    gone = [o for i, o in enumerate(old) if i not in used_old]
    came = [o for j, o in enumerate(new) if j not in used_new]
    return pairs, gone, came


def _best(o: Outcome, pool: Sequence[Outcome], threshold: float) -> Outcome | None:
    scored = [(similarity(o.measure, p.measure), k) for k, p in enumerate(pool)]
    good = [t for t in scored if t[0] >= threshold]
    return pool[max(good)[1]] if good else None


def primary_outcome_flags(versions: Sequence[Version], threshold: float) -> list[Flag]:
    """One flag per change of the primary outcomes between the baseline and the latest."""
    if len(versions) < 2:
        return []
    base, last = baseline(versions), versions[-1]
    if base is last:
        return []
    b, t = base.trial, last.trial
    changes = outcome_changes(
        b.primary_outcomes,
        b.secondary_outcomes,
        t.primary_outcomes,
        t.secondary_outcomes,
        threshold,
    )
    flags = [_flag(c, base, last, versions) for c in changes]
    flags += _unreadable(base, last)
    return flags


def _flag(c: Change, base: Version, last: Version, versions: Sequence[Version]) -> Flag:
    since = _first_holding(versions, base, _holds(c))
    when, why_major = after_completion(since, last)
    severity = "major" if why_major else ("minor" if c.severe else "info")
    kind = c.kind.replace("_", " ")
    o = c.after or c.before
    summary = (
        f"{'Severe' if c.severe else 'Non-severe'} change of the primary outcome ({kind}): "
        f"{_q(o.measure if o else None)}"
    )
    if why_major:
        summary += f"; made {why_major}"
    elif when:
        summary += f"; {when}"
    evidence = [f"baseline {base.label}: {_outcome_text(c.before, c.kind, before=True)}"]
    evidence.append(f"{since.label}: {_outcome_text(c.after, c.kind, before=False)}")
    if since is not last:
        evidence.append(f"latest {last.label}: still so")
    return Flag(RULE, severity, summary, evidence, c.subject)


def _holds(c: Change) -> Callable[[Version], bool]:
    """Whether a version already shows the change (so the first such version dates it)."""
    probe = c.after if c.after is not None else c.before
    text = probe.measure if probe else None

    def in_list(outcomes: Sequence[Outcome]) -> bool:
        return any(similarity(text, o.measure) >= 80 for o in outcomes)

    def holds(v: Version) -> bool:
        p, s = v.trial.primary_outcomes, v.trial.secondary_outcomes
        if c.kind in ("added", "secondary_to_primary"):
            return in_list(p)
        if c.kind == "omitted":
            return not in_list(p)
        if c.kind == "primary_to_secondary":
            return not in_list(p) and in_list(s)
        target = c.after
        return target is not None and any(
            o.measure == target.measure
            and o.time_frame == target.time_frame
            and o.description == target.description
            for o in p
        )

    return holds


def _first_holding(
    versions: Sequence[Version], base: Version, holds: Callable[[Version], bool]
) -> Version:
    """The version from which the change held through the latest."""
    later = [v for v in versions if v.number > base.number]
    first = later[-1]
    for v in reversed(later):
        if not holds(v):
            break
        first = v
    return first


def after_completion(since: Version, last: Version) -> tuple[str | None, str | None]:
    """(a note, or why the change counts as made after completion)."""
    posted = since.posted
    t = last.trial
    if not posted:
        return "the change's date is unknown", None
    if t.results_first_submitted and posted[:10] >= t.results_first_submitted[:10]:
        return None, f"after results were first submitted ({t.results_first_submitted})"
    done = day_bounds(t.primary_completion_date)
    if done is None:
        return None, None
    pcd = t.primary_completion_date.value if t.primary_completion_date else ""
    if posted[:10] > done[1].isoformat() or (done[0] == done[1] and posted[:10] >= pcd):
        return None, f"on or after the primary completion date ({pcd})"
    if posted[:10] >= done[0].isoformat():
        return f"the primary completion date gives only a month ({pcd}): not escalated", None
    return None, None


def _outcome_text(o: Outcome | None, kind: str, *, before: bool) -> str:
    if o is None:
        return "(no such primary outcome)" if kind in ("added", "omitted") else "(absent)"
    where = ""
    if kind == "primary_to_secondary" and not before:
        where = " [now a secondary outcome]"
    elif kind == "secondary_to_primary" and before:
        where = " [a secondary outcome]"
    frame = f" (time frame: {_q(o.time_frame)})" if o.time_frame else ""
    return f"{_q(o.measure)}{frame}{where}"


def _unreadable(base: Version, last: Version) -> list[Flag]:
    bad = [
        (v, o) for v in (base, last) for o in v.trial.primary_outcomes if not readable(o.measure)
    ]
    if not bad:
        return []
    return [
        Flag(
            "outcomes.unreadable",
            "info",
            "A primary outcome's measure is empty or unreadable, so it could not be compared.",
            [f"{v.label}: {_q(o.measure)}" for v, o in bad],
            "primary",
        )
    ]


def _q(text: str | None) -> str:
    return f"“{text.strip()}”" if text and text.strip() else "(empty)"
