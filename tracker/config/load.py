"""Which config file to read, and reading it: TOML, environment overrides, paths made
relative to the file, validation, every problem one ConfigError naming the key and the file."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tracker.config.env import apply_email_env, apply_env
from tracker.config.model import Config
from tracker.config.registries import DatabaseConfig
from tracker.errors import ConfigError
from tracker.runtime.redact import register_secret, url_password

DEFAULT_CONFIG = Path(__file__).with_name("default_config.toml")
"""The built-in defaults: a copy of the shipped config.toml, kept in the package so an
installed tracker works from any directory."""


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
    apply_env(raw, env, label)
    apply_email_env(raw, env, label)
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
