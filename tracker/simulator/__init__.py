"""Loopback registry simulator: a real HTTP server with ClinicalTrials.gov v2, PubMed
E-utilities and Europe PMC semantics.

It serves the tests (the `simulator` fixture in tests/conftest.py) and `tracker demo`, which is
why it ships with the package. Start one with `with RegistrySimulator() as sim:`,
fill `sim.ctgov` with `make_study(...)`, `sim.pubmed` with `make_article(...)` and
`sim.europepmc` with `make_epmc_record(...)` / `from_pubmed(article)` records, and point the
clients at `sim.ctgov_url`, `sim.pubmed_url` and `sim.europepmc_url`.
"""

from .boolquery import QuerySyntaxError
from .ctgov_search import QueryError
from .ctgov_world import CtgovWorld
from .europepmc_records import EpmcRecord, from_pubmed, make_epmc_record, make_preprint
from .europepmc_world import EuropepmcWorld
from .eutils_api import ESEARCH_CAP
from .faults import Fault, FaultKind, FaultQueue
from .pubmed_bulk import make_bulk_articles
from .pubmed_records import Article, make_article, make_delete_citation
from .pubmed_world import PubmedWorld, SearchResult
from .request_log import LoggedRequest, RequestLog
from .results import make_results_section
from .server import RegistrySimulator
from .studies import NCT_RE, Study, make_bulk_studies, make_study

__all__ = [
    "ESEARCH_CAP",
    "NCT_RE",
    "Article",
    "CtgovWorld",
    "EpmcRecord",
    "EuropepmcWorld",
    "Fault",
    "FaultKind",
    "FaultQueue",
    "LoggedRequest",
    "PubmedWorld",
    "QueryError",
    "QuerySyntaxError",
    "RegistrySimulator",
    "RequestLog",
    "SearchResult",
    "Study",
    "from_pubmed",
    "make_article",
    "make_bulk_articles",
    "make_bulk_studies",
    "make_delete_citation",
    "make_epmc_record",
    "make_preprint",
    "make_results_section",
    "make_study",
]
