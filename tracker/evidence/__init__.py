"""The evidence engine: which stored records test the claim, and whether they confirm it.

Rules are pure functions of parsed records and `today`; `reassess` stores their
judgements (Assessment rows and change events); `summary.ledger_summary` reads them back.
"""

from __future__ import annotations

from tracker.evidence.summary import LedgerSummary, ledger_summary
from tracker.evidence.terms import EXCLUSIONS, ROLES, VERDICTS

__all__ = ["EXCLUSIONS", "ROLES", "VERDICTS", "LedgerSummary", "ledger_summary"]
