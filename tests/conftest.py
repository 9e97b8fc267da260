"""Shared fixtures. Database fixtures live in dbfixtures.py (both backends)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tracker.simulator import RegistrySimulator

pytest_plugins = ["tests.dbfixtures"]


# --- Loopback registry simulator (tests/simulator) ------------------------------------------
# A real HTTP server on 127.0.0.1 with ClinicalTrials.gov v2 semantics and fault injection:
# fill `simulator.ctgov` with tracker.simulator.make_study(...) records and point the client at
# `simulator.ctgov_url`. Function scope, so faults, request log and world never leak.
@pytest.fixture
def simulator() -> Iterator[RegistrySimulator]:
    with RegistrySimulator() as sim:
        yield sim
