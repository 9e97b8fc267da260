"""Load config.toml once into a frozen, validated Config; apply environment overrides.

Secrets (NCBI_API_KEY, TRACKER_SMTP_PASSWORD) are never read from the file: they are
looked up from the environment where they are used, so they cannot leak into a
printed or logged Config.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tracker.errors import ConfigError
from tracker.redact import register_secret, url_password

DEFAULT_CONFIG = Path(__file__).with_name("default_config.toml")
"""The built-in defaults: a copy of the shipped config.toml, kept in the package so an
installed tracker works from any directory."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OperatorConfig(_Frozen):
    """Who runs this tracker; registries ask for a contact in the User-Agent."""

    name: str = "tracker"
    contact: str = "tracker-operator@example.org"


class HttpConfig(_Frozen):
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


class DatabaseConfig(_Frozen):
    """Where the records live. Relative SQLite paths are resolved against the config file."""

    url: str = "sqlite:///tracker.db"


class CtgovQuery(_Frozen):
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


class CtgovConfig(_Frozen):
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


class PubmedConfig(_Frozen):
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


class EuropepmcConfig(_Frozen):
    """Europe PMC REST API."""

    url: str = "https://www.ebi.ac.uk/europepmc/webservices/rest"
    rps: float = Field(default=2.0, ge=0)
    query: str = ""
    max_body_mb: float = Field(default=64.0, gt=0)
    """The largest answer read, decompressed, in MiB (a page of 1,000 core results is a
    few MiB)."""


class IndexConfig(_Frozen):
    """The index result whose follow-ups are tracked: its trial and its publication."""

    nct_id: str = ""
    doi: str = ""
    pmid: str = ""
    """Optional: resolved from the DOI through PubMed when left empty."""
    date: str = ""
    """When the index result became public (YYYY-MM-DD): later studies are follow-ups,
    earlier ones prior evidence. Empty: every study counts as a follow-up."""

    @field_validator("date")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        if value:
            date.fromisoformat(value)  # ValueError names the problem; _describe adds the key
        return value


Terms = tuple[str, ...]
"""Words and phrases matched case-insensitively on word boundaries; an all-capitals term
only matches in capitals, so the same letters in lower case inside running text do not
count."""


class PopulationConfig(_Frozen):
    """Who the claim is about."""

    terms: Terms = ()
    mesh: Terms = ()
    """MeSH descriptor names (PubMed headings, CT.gov condition browse terms)."""


class InterventionConfig(_Frozen):
    """The intervention family whose use *as a therapy* the claim is about."""

    family: str = ""
    kinds: dict[str, Terms] = {}
    """Each kind of the family with its synonyms, e.g. rTMS = ['repetitive TMS', ...]."""
    mesh: Terms = ()
    therapy_mesh: Terms = ()
    """Descriptors that by themselves say the family is the therapy (a MeSH heading naming
    the therapy, for example)."""
    not_family: dict[str, Terms] = {}
    """Look-alikes that are not the family (techniques that resemble the family but are not it)."""
    measuring_kinds: Terms = ()
    """Kinds that are also a measuring tool (single- and paired-pulse TMS). Any other kind
    named with no cue either way is taken as given, not measured: nobody measures with rTMS."""
    umbrella_kinds: Terms = ()
    """Kinds naming a wider family (an umbrella term that also covers look-alikes)."""


class CuesConfig(_Frozen):
    """Phrases that tell a therapy from a measurement, and healthy-volunteer studies."""

    therapy: Terms = ()
    """Near a family term: the intervention is given as treatment ('sham', 'sessions')."""
    diagnostic: Terms = ()
    """The intervention measures something (a probe, an outcome measure)."""
    healthy: Terms = ()
    disease: Terms = ()
    """Words saying a record is about some condition (to tell other_condition from healthy)."""


class ClaimConfig(_Frozen):
    """The claim under watch and the vocabularies the evidence rules read (tracker.evidence).

    Watching another question needs only another [claim] section: no rule names a record
    other than the index given here."""

    statement: str = ""
    short_name: str = ""
    """The question's short name in email subjects and page titles, e.g. the index trial's
    acronym; empty means the index trial's id."""
    index: IndexConfig = IndexConfig()
    population: PopulationConfig = PopulationConfig()
    intervention: InterventionConfig = InterventionConfig()
    outcomes: dict[str, Terms] = {}
    """The outcomes that test the claim, by group (progression, survival)."""
    other_outcomes: dict[str, Terms] = {}
    """Outcomes that do not test it (cognition, spasticity, biomarkers ...)."""
    cues: CuesConfig = CuesConfig()


class FlagsConfig(_Frozen):
    """Thresholds of the consistency flags (registered against reported)."""

    retrospective_grace_days: int = Field(default=30, ge=0)
    """A study first submitted more than this many days after its start was registered
    retrospectively."""
    sample_size_ratio: float = Field(default=0.8, gt=0, le=1)
    """Final actual enrolment below this share of the registered estimate is flagged."""
    outcome_similarity: float = Field(default=80.0, ge=0, le=100)
    """Two outcome measures are the same outcome from this token-set similarity (0-100)."""


class SmtpConfig(_Frozen):
    """The mail server. The password is never here: only $TRACKER_SMTP_PASSWORD."""

    host: str = "localhost"
    port: int | None = Field(default=None, ge=1, le=65535)
    """None means the usual port for `security`: 587 starttls, 465 ssl, 25 none."""
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str = ""
    """Empty means no login (a local relay)."""
    timeout: float = Field(default=30.0, gt=0)

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return {"starttls": 587, "ssl": 465, "none": 25}[self.security]


class EmailConfig(_Frozen):
    """The email report: who sends it, who gets it, and through which server."""

    from_addr: str = ""
    to: tuple[str, ...] = ()
    subject_prefix: str = "[tracker]"
    send_when_empty: bool = False
    """Send a digest even when nothing is new (a weekly "still watching" note)."""
    unsubscribe: str = ""
    """A mailto: or https: URI for the List-Unsubscribe header; empty means from_addr."""
    smtp: SmtpConfig = SmtpConfig()

    @field_validator("from_addr", "to", "subject_prefix", "unsubscribe")
    @classmethod
    def _no_control_characters(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        # These become message headers: a CR or LF would let a value add headers of its own.
        for item in (value,) if isinstance(value, str) else value:
            if _has_control(item):
                raise ValueError(f"{item!r} contains a control character (CR, LF, ...)")
        return value

    @property
    def configured(self) -> bool:
        """A sender and at least one recipient: enough to send (or schedule) a report."""
        return bool(self.from_addr and self.to)


class ScheduleConfig(_Frozen):
    """`tracker schedule`: when each job runs, and when failures become an alert.

    A cron expression has five fields (minute hour day month weekday), or six with a
    leading seconds field (used by the tests); an empty one disables that job."""

    timezone: str = "UTC"
    """IANA time zone the cron expressions are read in, e.g. "Europe/Rome"."""
    ctgov: str = "0 6 * * *"
    pubmed: str = "30 6 * * *"
    europepmc: str = "30 6 * * *"
    email: str = "0 8 * * mon"
    misfire_grace_time: int = Field(default=21600, ge=1)
    """Seconds a missed run (machine off, scheduler stopped) may still start late; missed
    runs of one job are coalesced into one."""
    failures_before_alert: int = Field(default=3, ge=1)
    """Consecutive failures of one job before one alert email is sent."""
    alert_to: tuple[str, ...] = ()
    """Who gets alerts and recovery notes; empty means the [email] recipients."""
    job_timeout: float = Field(default=21600.0, gt=0)
    """Seconds a job may run; then it is asked to stop after its page (SIGTERM), killed a
    minute later if it has not, and counted as failed: a hung job must not block the rest."""
    lock_heartbeat: float = Field(default=15.0, gt=0)
    """Seconds between a lock holder's heartbeats."""
    lock_stale_after: float = Field(default=120.0, gt=0)
    """A lock whose heartbeat is older than this many seconds (or whose process is gone,
    on the same host) is taken over: its holder was killed."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class SiteConfig(_Frozen):
    """The static evidence website (`tracker site`). When the section is present,
    `tracker schedule` rebuilds the site after each sync."""

    output: str = "site"
    """The folder the site is written to; a relative path is relative to the config file."""
    base_url: str = ""
    """Where the site is published, e.g. "https://example.org/evidence/": the feed's links
    and the email's links to study pages use it. Empty: relative links only."""
    title: str = ""
    """The site's title; empty means "<short name> follow-ups"."""
    contact: str = ""
    """Who runs the site (an email address or URL), shown in every page's footer."""


class Config(_Frozen):
    """Everything tracker needs to run, validated once at start-up."""

    operator: OperatorConfig = OperatorConfig()
    http: HttpConfig = HttpConfig()
    database: DatabaseConfig = DatabaseConfig()
    ctgov: CtgovConfig = CtgovConfig()
    pubmed: PubmedConfig = PubmedConfig()
    europepmc: EuropepmcConfig = EuropepmcConfig()
    claim: ClaimConfig = ClaimConfig()
    flags: FlagsConfig = FlagsConfig()
    email: EmailConfig = EmailConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    site: SiteConfig | None = None
    """None when the config has no [site] section (the site is then built only by hand)."""
    source_path: str = Field(default="<built-in defaults>", exclude=True)
    """Where this config came from, for error messages."""


def resolve_config_path(cli_path: Path | None, env: Mapping[str, str]) -> Path:
    """`--config`, else $TRACKER_CONFIG, else ./config.toml, else the built-in defaults."""
    return config_choice(cli_path, env)[0]


def config_choice(cli_path: Path | None, env: Mapping[str, str]) -> tuple[Path, str]:
    """The config file to read, and why that one (for `tracker config` and `doctor`)."""
    if cli_path is not None:
        return cli_path, "--config"
    if env.get("TRACKER_CONFIG"):
        return Path(env["TRACKER_CONFIG"]), "$TRACKER_CONFIG"
    local = Path("config.toml")
    if local.is_file():
        return local, "./config.toml in the current folder"
    return DEFAULT_CONFIG, "no config file found: built-in defaults"


def default_data_dir() -> Path:
    """Where the database lives when no config file says: the user's data folder
    (~/.local/share/tracker on Linux, honouring $XDG_DATA_HOME), never the current folder,
    so a cron job that forgets `cd` still finds the same database."""
    from platformdirs import user_data_path

    return user_data_path("tracker", appauthor=False)


def load_config(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """Read, validate and apply environment overrides; any problem is one ConfigError."""
    env = os.environ if env is None else env
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
    label = "<built-in defaults>" if path == DEFAULT_CONFIG else str(path)
    _apply_env(raw, env, label)
    _apply_email_env(raw, env, label)
    base = path.parent if path != DEFAULT_CONFIG else Path.cwd()
    _resolve_sqlite_path(raw, path.parent if path != DEFAULT_CONFIG else default_data_dir())
    _resolve_site_output(raw, base)
    try:
        config = Config.model_validate({**raw, "source_path": label})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, label)) from exc
    # A password written into the database URL is a secret like the environment's ones.
    register_secret(url_password(config.database.url))
    return config


_ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "TRACKER_DATABASE_URL": ("database", "url"),
    "TRACKER_CTGOV_URL": ("ctgov", "url"),
    "TRACKER_PUBMED_URL": ("pubmed", "url"),
    "TRACKER_EUROPEPMC_URL": ("europepmc", "url"),
    "TRACKER_CTGOV_RPS": ("ctgov", "rps"),
    "TRACKER_PUBMED_RPS": ("pubmed", "rps"),
    "TRACKER_EUROPEPMC_RPS": ("europepmc", "rps"),
}


def _apply_env(raw: dict[str, Any], env: Mapping[str, str], label: str) -> None:
    for var, (section, key) in _ENV_OVERRIDES.items():
        value = env.get(var)
        if value is None or value == "":
            continue
        parsed: Any = _env_rps(var, value) if key == "rps" else value
        target = raw.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"{label}: [{section}] must be a table")
        target[key] = parsed


_EMAIL_ENV_OVERRIDES: dict[str, tuple[str, ...]] = {
    "TRACKER_SMTP_HOST": ("smtp", "host"),
    "TRACKER_SMTP_PORT": ("smtp", "port"),
    "TRACKER_SMTP_SECURITY": ("smtp", "security"),
    "TRACKER_SMTP_USER": ("smtp", "username"),
    "TRACKER_EMAIL_FROM": ("from_addr",),
    "TRACKER_EMAIL_TO": ("to",),
}


def _apply_email_env(raw: dict[str, Any], env: Mapping[str, str], label: str) -> None:
    """[email] overrides; TRACKER_SMTP_PASSWORD is deliberately absent (read at send time)."""
    for var, path in _EMAIL_ENV_OVERRIDES.items():
        value = env.get(var)
        if value is None or value == "":
            continue
        if _has_control(value):
            raise ConfigError(f"${var}: contains a control character (CR, LF, ...): {value!r}")
        parsed: Any = value
        if var == "TRACKER_SMTP_PORT":
            if not value.strip().isdigit():
                raise ConfigError(f"${var}: expected a port number, got {value!r}")
            parsed = int(value)
        elif var == "TRACKER_EMAIL_TO":
            parsed = [part.strip() for part in value.split(",") if part.strip()]
        target = raw.setdefault("email", {})
        for section in path[:-1]:
            if not isinstance(target, dict):
                break
            target = target.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"{label}: [email.{'.'.join(path[:-1])}] must be a table")
        target[path[-1]] = parsed


def _has_control(value: str) -> bool:
    """A C0 control character or DEL: never valid in an address or a header value."""
    return any(ord(char) < 32 or ord(char) == 127 for char in value)


def _env_rps(var: str, value: str) -> float:
    """A pacing override: a finite number >= 0, else an error naming the variable."""
    try:
        rps = float(value)
    except ValueError:
        rps = math.nan
    if not math.isfinite(rps) or rps < 0:
        raise ConfigError(f"${var}: expected requests per second (a number >= 0), got {value!r}")
    return rps


def _resolve_sqlite_path(raw: dict[str, Any], base: Path) -> None:
    """Make `sqlite:///relative.db` relative to the config file (or, with the built-in
    defaults, to the user's data folder), never to the caller's current folder."""
    database = raw.setdefault("database", {})
    if not isinstance(database, dict):
        return  # validation reports the wrong type with the file name
    url = database.get("url", DatabaseConfig().url)
    prefix = "sqlite:///"
    if isinstance(url, str) and url.startswith(prefix) and not url.startswith(prefix + "/"):
        relative = url[len(prefix) :]
        if relative and not relative.startswith(":memory:"):
            database["url"] = prefix + str((base / relative).resolve())


def _resolve_site_output(raw: dict[str, Any], base: Path) -> None:
    """Make [site] output relative to the config file, like the SQLite path."""
    site = raw.get("site")
    if isinstance(site, dict) and isinstance(site.get("output", "site"), str):
        site["output"] = str((base / site.get("output", "site")).resolve())


def _describe(exc: ValidationError, label: str) -> str:
    """One line: the first problem, its dotted key and the file."""
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"{label}: unknown key '{key}'"
    if first["type"] == "missing":
        return f"{label}: missing required key '{key}'"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{label}: key '{key}': {first['msg']}{more}"
