"""Load config.toml once into a frozen, validated Config; apply environment overrides.

Secrets (NCBI_API_KEY, TRACKER_SMTP_PASSWORD) are never read from the file: they are
looked up from the environment where they are used, so they cannot leak into a
printed or logged Config.
"""

from __future__ import annotations

from tracker.config.claim import (
    ClaimConfig,
    CuesConfig,
    FlagsConfig,
    IndexConfig,
    InterventionConfig,
    PopulationConfig,
    Terms,
)
from tracker.config.load import (
    DEFAULT_CONFIG,
    config_choice,
    default_data_dir,
    load_config,
    resolve_config_path,
)
from tracker.config.model import Config
from tracker.config.outputs import EmailConfig, ScheduleConfig, SiteConfig, SmtpConfig
from tracker.config.registries import (
    CitationsConfig,
    CtgovConfig,
    CtgovQuery,
    DatabaseConfig,
    EuropepmcConfig,
    HttpConfig,
    OperatorConfig,
    PubmedConfig,
)

__all__ = [
    "DEFAULT_CONFIG",
    "ClaimConfig",
    "Config",
    "CitationsConfig",
    "CtgovConfig",
    "CtgovQuery",
    "CuesConfig",
    "DatabaseConfig",
    "EmailConfig",
    "EuropepmcConfig",
    "FlagsConfig",
    "HttpConfig",
    "IndexConfig",
    "InterventionConfig",
    "OperatorConfig",
    "PopulationConfig",
    "PubmedConfig",
    "ScheduleConfig",
    "SiteConfig",
    "SmtpConfig",
    "Terms",
    "config_choice",
    "default_data_dir",
    "load_config",
    "resolve_config_path",
]
