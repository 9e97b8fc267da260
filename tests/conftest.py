"""Shared fixtures. Database fixtures live in dbfixtures.py (both backends)."""

from __future__ import annotations

import compileall
from collections.abc import Iterator
from pathlib import Path

import pytest

import tracker
from tracker.simulator import RegistrySimulator

pytest_plugins = ["tests.dbfixtures"]


def pytest_configure(config: pytest.Config) -> None:
    """Compile the package to bytecode once, in the controlling process. Hundreds of tests
    start `python -m tracker` as a subprocess; where PYTHONDONTWRITEBYTECODE is set (some CI
    images and sandboxes), each start would otherwise compile every module it imports from
    source, about a second more each time. Subprocesses read bytecode even when told not to
    write it."""
    if not hasattr(config, "workerinput"):  # not in each xdist worker again
        compileall.compile_dir(Path(tracker.__file__).parent, quiet=1)


# --- Loopback registry simulator (tracker/simulator) ------------------------------------------
# A real HTTP server on 127.0.0.1 with ClinicalTrials.gov v2 semantics and fault injection:
# fill `simulator.ctgov` with tracker.simulator.make_study(...) records and point the client at
# `simulator.ctgov_url`. Function scope, so faults, request log and world never leak.
@pytest.fixture
def simulator() -> Iterator[RegistrySimulator]:
    with RegistrySimulator() as sim:
        yield sim
