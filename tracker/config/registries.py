"""The config sections of the registries and of the connection to them: who is asking,
HTTP timeouts and retries, the database, and one section per registry."""

from __future__ import annotations

from pydantic import Field, field_validator

from tracker.config.base import Frozen


class OperatorConfig(Frozen):
    """Who runs this tracker; registries ask for a contact in the User-Agent."""

    name: str = "tracker"
    contact: str = "tracker-operator@example.org"


class HttpConfig(Frozen):
    """Timeouts and retry policy shared by every source."""

    timeout: float = Field(default=60.0, gt=0)
    """Seconds to wait for a response to start arriving (and between chunks)."""
    connect_timeout: float = Field(default=15.0, gt=0)
    deadline: float = Field(default=120.0, gt=0)
    """Seconds one request attempt may take in all, from connecting to the body's last
    byte (the timeout above applies to each read, so a server sending a byte now and then
    could otherwise hold a request for ever); an attempt past it is retried as a timeout."""
    retries: int = Field(default=5, ge=0)
    backoff_base: float = Field(default=1.0, ge=0)
    backoff_max: float = Field(default=120.0, ge=0)


class DatabaseConfig(Frozen):
    """Where the records live. Relative SQLite paths are resolved against the config file."""

    url: str = "sqlite:///tracker.db"


class CtgovQuery(Frozen):
    """One ClinicalTrials.gov /studies query; each field maps to the API parameter of its name."""

    name: str
    cond: str = ""
    intr: str = ""
    term: str = ""

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


class CtgovConfig(Frozen):
    """ClinicalTrials.gov API v2."""

    url: str = "https://clinicaltrials.gov/api/v2"
    rps: float = Field(default=1.0, ge=0)
    """Requests per second; the registry publishes no limit but robots.txt asks for 1."""
    page_size: int = Field(default=1000, ge=1, le=1000)
    max_body_mb: float = Field(default=128.0, gt=0)
    """The largest answer read, decompressed, in MiB (a full page of 1,000 studies with
    results is about 30); a larger one fails the request instead of filling memory."""
    overlap_days: int = Field(default=3, ge=0)
    """Incremental syncs re-ask for this many days before the watermark, because a record
    can be posted with a LastUpdatePostDate earlier than the day it becomes visible."""
    queries: tuple[CtgovQuery, ...] = ()


class PubmedConfig(Frozen):
    """PubMed E-utilities."""

    url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    rps: float | None = Field(default=None, ge=0)
    """None means NCBI's published limit: 3/s without an API key, 10/s with one."""
    query: str = ""
    batch_size: int = Field(default=1000, ge=1, le=10000)
    """Records per efetch request (NCBI serves up to 10,000 XML records per request)."""
    max_body_mb: float = Field(default=128.0, gt=0)
    """The largest answer read, decompressed, in MiB (a batch of 1,000 records is about 6,
    of 10,000 about 60)."""
    overlap_days: int = Field(default=7, ge=0)
    """Incremental syncs re-ask this many days before the watermark: PubMed indexes late."""
    tool: str = "tracker"
    """Sent as `tool` (no spaces), as NCBI asks; `email` is the operator contact."""


class EuropepmcConfig(Frozen):
    """Europe PMC REST API."""

    url: str = "https://www.ebi.ac.uk/europepmc/webservices/rest"
    rps: float = Field(default=2.0, ge=0)
    query: str = ""
    max_body_mb: float = Field(default=64.0, gt=0)
    """The largest answer read, decompressed, in MiB (a page of 1,000 core results is a
    few MiB)."""


class CitationsConfig(Frozen):
    """The chase of forward citations: papers citing a relevant study's papers are fetched
    and judged, whatever the queries find. Bounded per run, remembered between runs."""

    max_per_run: int = Field(default=50, ge=0)
    """Cited papers asked about per source and run (0 turns the chase off)."""
    max_records_per_run: int = Field(default=500, ge=0)
    """Citing records fetched per source and run; the rest are fetched by later runs."""
    recheck_days: int = Field(default=7, ge=1)
    """A paper chased this many days ago is asked about again (citations arrive slowly)."""
