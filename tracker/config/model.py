"""The whole configuration: one frozen Config made of the sections."""

from __future__ import annotations

from pydantic import Field

from tracker.config.base import Frozen
from tracker.config.claim import ClaimConfig, FlagsConfig
from tracker.config.outputs import EmailConfig, ScheduleConfig, SiteConfig
from tracker.config.registries import (
    CitationsConfig,
    CtgovConfig,
    DatabaseConfig,
    EuropepmcConfig,
    HttpConfig,
    OperatorConfig,
    PubmedConfig,
)


class Config(Frozen):
    """Everything tracker needs to run, validated once at start-up."""

    operator: OperatorConfig = OperatorConfig()
    http: HttpConfig = HttpConfig()
    database: DatabaseConfig = DatabaseConfig()
    ctgov: CtgovConfig = CtgovConfig()
    pubmed: PubmedConfig = PubmedConfig()
    europepmc: EuropepmcConfig = EuropepmcConfig()
    claim: ClaimConfig = ClaimConfig()
    flags: FlagsConfig = FlagsConfig()
    citations: CitationsConfig = CitationsConfig()
    email: EmailConfig = EmailConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    site: SiteConfig | None = None
    """None when the config has no [site] section (the site is then built only by hand)."""
    source_path: str = Field(default="<built-in defaults>", exclude=True)
    """Where this config came from, for error messages."""
