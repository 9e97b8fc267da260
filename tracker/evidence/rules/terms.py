"""The fixed vocabulary of the evidence engine: verdicts, roles and exclusions (DESIGN §1)."""

from __future__ import annotations

from typing import Final

VERDICTS: Final = ("confirms", "refutes", "inconclusive", "pending", "not_applicable")
"""Every verdict, in the order reports list them."""

ROLES: Final = ("index", "follow_up", "prior", "review", "background", "excluded")

EXCLUSIONS: Final = (
    "other_condition",
    "diagnostic_use",
    "not_magnetic",
    "healthy_volunteers",
    "not_a_study",
    "no_stimulation",
)
"""Why a record is not relevant; `no_stimulation` = the family is not named at all."""

STRENGTHS: Final = ("weak", "moderate", "strong")
