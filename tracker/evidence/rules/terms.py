"""The fixed vocabulary of the evidence engine: verdicts, roles, exclusions and strengths.

Each is a `Literal` type, so that mypy checks every place that sets or compares one, and a
tuple of its values in the order reports list them.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

VerdictName = Literal["confirms", "refutes", "inconclusive", "pending", "not_applicable"]
VERDICTS: Final[tuple[VerdictName, ...]] = get_args(VerdictName)
"""Every verdict, in the order reports list them."""

RoleName = Literal["index", "follow_up", "prior", "review", "background", "excluded"]
ROLES: Final[tuple[RoleName, ...]] = get_args(RoleName)
"""When and what kind: the index, a study after it or before it, a systematic review, a
relevant record that reports no study of its own, or a record that is not relevant."""

ExclusionName = Literal[
    "other_condition",
    "diagnostic_use",
    "look_alike",
    "healthy_volunteers",
    "not_a_study",
    "no_intervention",
    "preclinical",
]
EXCLUSIONS: Final[tuple[ExclusionName, ...]] = get_args(ExclusionName)
"""Why a record is not relevant; `look_alike` = only a look-alike of the family is used
(`not_magnetic` in databases written before the claim became wholly configuration);
`no_intervention` = the family is not named at all (formerly `no_stimulation`);
`preclinical` = an animal or cell study, excluded whatever it finds."""

StrengthName = Literal["weak", "moderate", "strong"]
STRENGTHS: Final[tuple[StrengthName, ...]] = get_args(StrengthName)

RENAMED_EXCLUSIONS: Final[dict[str, ExclusionName]] = {
    "not_magnetic": "look_alike",
    "no_stimulation": "no_intervention",
}
"""Exclusion names older versions stored, and the names they have now."""
