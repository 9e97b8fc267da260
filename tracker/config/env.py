"""Environment variables that override config keys: registry URLs and pacing, the database
URL, and the [email] server and addresses. Secrets are not among them: they are read from the
environment only where they are used."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tracker.config.base import has_control
from tracker.errors import ConfigError

ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "TRACKER_DATABASE_URL": ("database", "url"),
    "TRACKER_CTGOV_URL": ("ctgov", "url"),
    "TRACKER_PUBMED_URL": ("pubmed", "url"),
    "TRACKER_EUROPEPMC_URL": ("europepmc", "url"),
    "TRACKER_CTGOV_RPS": ("ctgov", "rps"),
    "TRACKER_PUBMED_RPS": ("pubmed", "rps"),
    "TRACKER_EUROPEPMC_RPS": ("europepmc", "rps"),
}


def apply_env(raw: dict[str, Any], env: Mapping[str, str], label: str) -> None:
    for var, (section, key) in ENV_OVERRIDES.items():
        value = env.get(var)
        if value is None or value == "":
            continue
        parsed: Any = _env_rps(var, value) if key == "rps" else value
        target = raw.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"{label}: [{section}] must be a table")
        target[key] = parsed


EMAIL_ENV_OVERRIDES: dict[str, tuple[str, ...]] = {
    "TRACKER_SMTP_HOST": ("smtp", "host"),
    "TRACKER_SMTP_PORT": ("smtp", "port"),
    "TRACKER_SMTP_SECURITY": ("smtp", "security"),
    "TRACKER_SMTP_USER": ("smtp", "username"),
    "TRACKER_EMAIL_FROM": ("from_addr",),
    "TRACKER_EMAIL_TO": ("to",),
}


def apply_email_env(raw: dict[str, Any], env: Mapping[str, str], label: str) -> None:
    """[email] overrides; TRACKER_SMTP_PASSWORD is deliberately absent (read at send time)."""
    for var, path in EMAIL_ENV_OVERRIDES.items():
        value = env.get(var)
        if value is None or value == "":
            continue
        if has_control(value):
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


def _env_rps(var: str, value: str) -> float:
    """A pacing override: a finite number >= 0, else an error naming the variable."""
    try:
        rps = float(value)
    except ValueError:
        rps = math.nan
    if not math.isfinite(rps) or rps < 0:
        raise ConfigError(f"${var}: expected requests per second (a number >= 0), got {value!r}")
    return rps
