"""One study across registries: which records are one trial because they share a
registration number. Pure.

Two CT.gov records are one trial when one lists the other as an alias, or both carry the
same EudraCT or CTIS number (the EU registers each trial once). A paper that names only a
non-NCT registration (ISRCTN, DRKS, EudraCT...) joins the trial record that declares that
number. A number that would join records of two different trials is reported and joins
nothing: guessing there would merge two studies' verdicts silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tracker.evidence.rules.studies import components

_SAME_TRIAL = ("EudraCT:", "CTIS:", "NCT")
"""Numbers that identify one trial wherever they appear: two CT.gov records sharing one
are duplicates of that trial."""


@dataclass(frozen=True, slots=True)
class Ambiguous:
    reg_id: str
    records: list[str]
    """The records declaring it, of more than one trial."""
    trials: list[list[str]]
    """The trials (groups of CT.gov records) it would join."""


@dataclass(frozen=True, slots=True)
class Joins:
    links: list[tuple[str, str]]
    """(record, NCT id) pairs: a paper and its trial, or two CT.gov records of one trial."""
    ambiguous: list[Ambiguous]


def join_registrations(declared: Mapping[str, Sequence[str]]) -> Joins:
    """`declared`: record id -> the registration numbers it declares (not its own id)."""
    trials = sorted(r for r in declared if r.startswith("NCT"))
    holders: dict[str, set[str]] = {}
    for rid, regs in declared.items():
        for reg in regs:
            holders.setdefault(reg, set()).add(rid)
    edges: list[tuple[str, str]] = []
    for rid in trials:
        for reg in declared[rid]:
            if reg.startswith("NCT") and reg in declared:
                edges.append((rid, reg))  # an alias that is itself a stored record
            if reg.startswith(_SAME_TRIAL):
                edges += [(rid, other) for other in sorted(holders[reg]) if other.startswith("NCT")]
    group_of: dict[str, int] = {}
    groups = components(trials, [(a, b) for a, b in edges if a != b])
    for i, g in enumerate(groups):
        group_of.update(dict.fromkeys(g, i))
    links = sorted({(min(a, b), max(a, b)) for a, b in edges if a != b})  # once per pair
    ambiguous: list[Ambiguous] = []
    for reg, records in sorted(holders.items()):
        holding = {group_of[r] for r in records if r in group_of}
        if len(holding) > 1:
            ambiguous.append(
                Ambiguous(reg, sorted(records), [sorted(groups[g]) for g in sorted(holding)])
            )
            continue
        if len(holding) == 1:
            target = sorted(groups[holding.pop()])[0]
            links += [(r, target) for r in sorted(records) if r not in group_of]
    return Joins(sorted(set(links)), ambiguous)
