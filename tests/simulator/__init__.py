"""Loopback registry simulator: a real HTTP server with ClinicalTrials.gov v2 semantics.

Start one with the `simulator` fixture (tests/conftest.py) or `with RegistrySimulator() as sim:`,
fill `sim.ctgov` with `make_study(...)` records, point the client at `sim.ctgov_url`.
"""

from .ctgov_search import QueryError
from .ctgov_world import CtgovWorld
from .faults import Fault, FaultKind, FaultQueue
from .results import make_results_section
from .server import LoggedRequest, RegistrySimulator, RequestLog
from .studies import NCT_RE, Study, make_bulk_studies, make_study

__all__ = [
    "NCT_RE",
    "CtgovWorld",
    "Fault",
    "FaultKind",
    "FaultQueue",
    "LoggedRequest",
    "QueryError",
    "RegistrySimulator",
    "RequestLog",
    "Study",
    "make_bulk_studies",
    "make_results_section",
    "make_study",
]
