"""RegistrySimulator: a real HTTP server on 127.0.0.1 that answers like ClinicalTrials.gov v2,
PubMed's E-utilities and Europe PMC's REST API.

End-to-end tests point the tracker's base URLs at `sim.ctgov_url`, `sim.pubmed_url` and
`sim.europepmc_url`, so the whole client stack (httpx transport, keep-alive, timeouts,
retries) runs over real sockets. What each endpoint answers lives in ctgov_api.py,
eutils_api.py and europepmc_api.py; transport.py serves them over HTTP with the E-utilities
rate limit and fault delivery; this module starts and stops it.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self

from .ctgov_world import CtgovWorld
from .europepmc_api import EUROPEPMC
from .europepmc_world import EuropepmcWorld
from .eutils_api import EUTILS
from .eutils_limits import RateLimiter
from .faults import FaultQueue
from .pubmed_world import PubmedWorld
from .request_log import RequestLog
from .transport import Server


class RegistrySimulator:
    """The loopback registry: `ctgov`, `pubmed` and `europepmc` are the worlds it serves,
    `faults` what goes wrong next, `requests` what it was asked. Use as a context manager or
    call start()/stop(). `eutils_rate_limit = True` enforces NCBI's 3/s (10/s with api_key)."""

    def __init__(
        self,
        *,
        ctgov: CtgovWorld | None = None,
        pubmed: PubmedWorld | None = None,
        europepmc: EuropepmcWorld | None = None,
        gzip: bool = False,
    ) -> None:
        self.ctgov = ctgov if ctgov is not None else CtgovWorld()
        self.pubmed = pubmed if pubmed is not None else PubmedWorld()
        self.europepmc = europepmc if europepmc is not None else EuropepmcWorld()
        self.eutils_rate_limit = False
        self.eutils_limiter = RateLimiter()
        # Off by default (compressing 30 MB pages costs time in benchmarks); on, every reply
        # to a client that accepts gzip is compressed, so decoding paths get exercised.
        self.gzip = gzip
        self.faults = FaultQueue()
        self.requests = RequestLog()
        self.stopping = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        # TCP connections accepted so far, so tests can check that a client reuses one.
        self.connections_accepted = 0

    @property
    def base_url(self) -> str:
        if not self._port:
            raise RuntimeError("the simulator has not been started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def ctgov_url(self) -> str:
        """What the tracker's TRACKER_CTGOV_URL should be set to."""
        return f"{self.base_url}/api/v2"

    @property
    def pubmed_url(self) -> str:
        """The E-utilities base: append /esearch.fcgi, /efetch.fcgi, /elink.fcgi."""
        return f"{self.base_url}{EUTILS}"

    @property
    def europepmc_url(self) -> str:
        """The Europe PMC REST base: append /search or /MED/{id}/citations."""
        return f"{self.base_url}{EUROPEPMC}"

    def start(self) -> Self:
        if self._server is None:
            self.stopping.clear()
            self._server = Server(self)
            self._port = self._server.server_address[1]
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                daemon=True,
                name=f"registry-simulator-{self._port}",
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()  # handlers sleeping in a "timeout" fault answer now
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
