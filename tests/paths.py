"""Folders the tests read from, computed once so a test file may live in any subfolder."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FIXTURES = TESTS / "fixtures"
EVALUATION = TESTS / "evaluation"
# Real registry recordings and specs shared next to the repository; tests that read them skip
# when the folder is absent.
SHARED_REAL = REPO.parent / "shared" / "data" / "real"
