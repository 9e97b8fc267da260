"""Where each setting of the effective configuration came from: the config file, the
environment, or the built-in defaults. For `tracker config` and `tracker doctor`.

Secrets are never shown: a password in the database URL is masked, and NCBI_API_KEY and
TRACKER_SMTP_PASSWORD are reported only as set or not set."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.config.env import EMAIL_ENV_OVERRIDES, ENV_OVERRIDES
from tracker.config.load import DEFAULT_CONFIG, config_choice, default_data_dir, load_config
from tracker.config.model import Config
from tracker.runtime.redact import scrub, url_password

SECRETS = ("NCBI_API_KEY", "TRACKER_SMTP_PASSWORD")


@dataclass(frozen=True)
class Setting:
    key: str
    value: Any
    origin: str
    """'file', 'environment ($VAR)' or 'default'."""


@dataclass(frozen=True)
class Explained:
    config_file: Path | None
    """None: no config file, the built-in defaults."""
    config_reason: str
    database_url: str
    """Masked."""
    database_reason: str
    settings: list[Setting]
    config: Config


def env_keys() -> dict[str, str]:
    """Dotted config key -> the environment variable that overrides it."""
    keys = {f"{section}.{key}": var for var, (section, key) in ENV_OVERRIDES.items()}
    keys |= {"email." + ".".join(path): var for var, path in EMAIL_ENV_OVERRIDES.items()}
    return keys


def mask_url(url: str) -> str:
    password = url_password(url)
    return url.replace(password, "****") if password else url


def explain(cli_path: Path | None, env: Mapping[str, str] | None = None) -> Explained:
    env = os.environ if env is None else env
    path, reason = config_choice(cli_path, env)
    config = load_config(path, env)  # a ConfigError here is the one line the user needs
    in_file = _file_keys(path) if path != DEFAULT_CONFIG else set()
    overrides = {key: var for key, var in env_keys().items() if env.get(var)}
    settings = []
    for key, value in _flatten(config.model_dump(mode="json")):
        if key in overrides:
            origin = f"environment (${overrides[key]})"
        elif key in in_file:
            origin = "file"
        else:
            origin = "default"
        shown = mask_url(value) if key == "database.url" else value
        settings.append(Setting(key, shown, origin))
    settings.extend(
        Setting(var, "set (hidden)" if env.get(var) else "not set", "environment")
        for var in SECRETS
    )
    url = mask_url(config.database.url)
    if "database.url" in overrides:
        db_reason = "$TRACKER_DATABASE_URL"
    elif "database.url" in in_file:
        db_reason = f"[database] url in {path} (a relative path is next to that file)"
    elif path == DEFAULT_CONFIG:
        db_reason = f"no config file: the user's data folder ({default_data_dir()})"
    else:
        db_reason = f"default: next to the config file {path}"
    return Explained(
        config_file=None if path == DEFAULT_CONFIG else path,
        config_reason=reason,
        database_url=scrub(url),
        database_reason=db_reason,
        settings=settings,
        config=config,
    )


def _file_keys(path: Path) -> set[str]:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    return {key for key, _ in _flatten(raw)}


def _flatten(raw: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in raw.items():
        if isinstance(value, Mapping) and value:
            items += _flatten(value, f"{prefix}{key}.")
        else:
            items.append((f"{prefix}{key}", value))
    return items
