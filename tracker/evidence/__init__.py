"""The evidence engine: which stored records test the claim, and whether they confirm it.

Rules are pure functions of parsed records and `today` (assess.judge_records); `reassess`
stores their judgements (Assessment rows and change events); `summary.ledger_summary` reads
them back for reports without re-running a rule.
"""

from __future__ import annotations

from tracker.evidence.reassess import VerdictChange, reassess, reassess_database
from tracker.evidence.summary import LedgerSummary, ledger_summary
from tracker.evidence.terms import EXCLUSIONS, ROLES, VERDICTS

__all__ = [
    "EXCLUSIONS",
    "ROLES",
    "VERDICTS",
    "LedgerSummary",
    "VerdictChange",
    "ledger_summary",
    "reassess",
    "reassess_database",
]
