"""The checks of `tracker doctor`. Each returns a Check and never raises: a broken part of
the set-up is a line in the report, not a traceback. Registries are asked in parallel, once
each, with a short timeout, so the whole report takes seconds even with no network."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Literal

import httpx

from tracker.config import Config, OperatorConfig
from tracker.config.origin import Explained
from tracker.errors import TrackerError

Status = Literal["ok", "warn", "fail"]

REGISTRY_TIMEOUT = 4.0
"""Seconds for one registry's answer; the three are asked at the same time."""
LOW_DISK = 1 << 30
"""Below 1 GiB free a warning; below a tenth of that a failure (a first CT.gov sync stores
hundreds of MB)."""


Probe = tuple[str, str, "Callable[[], Check]"]
"""A network check: its name, where it asks, and the call that asks."""


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    hint: str = ""
    """What to do about it (empty when ok)."""


def config_checks(explained: Explained) -> list[Check]:
    where = (
        f"{explained.config_file} ({explained.config_reason})"
        if explained.config_file
        else explained.config_reason
    )
    config = (
        Check("config", "ok", where)
        if explained.config_file
        else Check("config", "warn", where, "write one with `tracker init DIR`")
    )
    database = Check("database", "ok", f"{explained.database_url} ({explained.database_reason})")
    return [config, database]


def schema_check(url: str) -> Check:
    """The schema revision, read without migrating (doctor changes nothing)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.store.db import SCHEMA_HEAD, current_revision

    if _missing_sqlite(url):
        return Check("schema", "warn", "no database yet", "the first `tracker run` creates it")
    engine = create_engine(url)
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:  # any driver error: one line, not a traceback
        return Check(
            "schema",
            "fail",
            f"cannot open the database: {_first_line(exc)}",
            "check [database] url or $TRACKER_DATABASE_URL and that the server runs",
        )
    finally:
        engine.dispose()
    if revision == SCHEMA_HEAD:
        return Check("schema", "ok", f"revision {revision} (current)")
    if revision is None:
        return Check("schema", "warn", "empty database", "the first `tracker run` fills it")
    if revision < SCHEMA_HEAD:
        return Check(
            "schema", "ok", f"revision {revision}; upgraded to {SCHEMA_HEAD} on the next command"
        )
    return Check(
        "schema",
        "fail",
        f"revision {revision} is newer than this tracker ({SCHEMA_HEAD})",
        "upgrade tracker: an older version must not write this database",
    )


def registry_probes(config: Config) -> list[Probe]:
    """One cheap request to each registry (run all at once, no retries)."""
    probes: list[tuple[str, str, dict[str, str]]] = [
        ("ctgov", f"{config.ctgov.url}/version", {}),
        (
            "pubmed",
            f"{config.pubmed.url}/esearch.fcgi",
            {
                "db": "pubmed",
                "term": "tracker",
                "retmax": "0",
                "tool": config.pubmed.tool,
                "email": config.operator.contact,
            },
        ),
        (
            "europepmc",
            f"{config.europepmc.url}/search",
            {"query": "EXT_ID:1 AND SRC:MED", "format": "json", "pageSize": "1"},
        ),
    ]
    agent = f"{config.operator.name} (tracker doctor; {config.operator.contact})"
    timeout = httpx.Timeout(
        REGISTRY_TIMEOUT, connect=min(REGISTRY_TIMEOUT, config.http.connect_timeout)
    )
    client = httpx.Client(timeout=timeout, headers={"User-Agent": agent})
    return [(name, url, partial(_probe, client, name, url, params)) for name, url, params in probes]


class Probes:
    """Network checks running in daemon threads while the local checks run; `collect` waits
    for them at most `deadline` seconds from the start.

    A name lookup is not covered by any socket timeout (a broken resolver can take half a
    minute); a probe still waiting is reported as silent, and its thread does not keep the
    process alive."""

    def __init__(self, probes: list[Probe], deadline: float = REGISTRY_TIMEOUT + 1) -> None:
        self._probes = probes
        self._deadline = deadline
        self._results: dict[int, Check] = {}
        self._end = time.monotonic() + deadline
        self._threads = [
            threading.Thread(target=self._run, args=(i, probe), daemon=True)
            for i, (_, _, probe) in enumerate(probes)
        ]
        for thread in self._threads:
            thread.start()

    def _run(self, index: int, probe: Callable[[], Check]) -> None:
        self._results[index] = probe()

    def collect(self) -> list[Check]:
        for thread in self._threads:
            thread.join(max(0.0, self._end - time.monotonic()))
        return [
            self._results.get(i) or _silent(name, where, self._deadline)
            for i, (name, where, _) in enumerate(self._probes)
        ]


def _silent(name: str, where: str, deadline: float) -> Check:
    hint = (
        "check [email.smtp] host and port, and the network"
        if name == "smtp"
        else f"check the network, DNS, a proxy, or $TRACKER_{name.upper()}_URL"
    )
    return Check(name, "fail", f"{where}: no answer within {deadline:.0f} s", hint)


def _probe(client: httpx.Client, name: str, url: str, params: dict[str, str]) -> Check:
    var = f"TRACKER_{name.upper()}_URL"
    try:
        response = client.get(url, params=params)
    except httpx.TimeoutException:
        return Check(
            name,
            "fail",
            f"{url}: no answer within {REGISTRY_TIMEOUT:.0f} s",
            f"check the network, a proxy, or ${var}",
        )
    except httpx.HTTPError as exc:
        return Check(
            name,
            "fail",
            f"{url}: {_first_line(exc)}",
            f"check the network, a proxy (HTTPS_PROXY), or ${var}",
        )
    if response.status_code >= 400:
        return Check(
            name,
            "fail",
            f"{url}: HTTP {response.status_code}",
            f"check ${var}; the registry may be down or blocking this address",
        )
    return Check(name, "ok", f"{url}: answered in {response.elapsed.total_seconds():.1f} s")


def smtp_probes(config: Config) -> tuple[list[Probe], Check | None]:
    """Log in without sending; a missing [email] set-up is a warning, not a failure."""
    email = config.email
    if not email.from_addr or not email.to:
        return [], Check(
            "smtp",
            "warn",
            "email not set up ([email] from_addr and to are empty)",
            "set them (or $TRACKER_EMAIL_FROM, $TRACKER_EMAIL_TO) to get reports by email",
        )
    where = f"{email.smtp.host}:{email.smtp.effective_port}"
    return [("smtp", where, partial(_login, config))], None


def _login(config: Config) -> Check:
    from tracker.email.login import check_login

    smtp = config.email.smtp
    where = f"{smtp.host}:{smtp.effective_port} ({smtp.security})"
    try:
        check_login(config.email, timeout=REGISTRY_TIMEOUT)
    except TrackerError as exc:
        return Check(
            "smtp",
            "fail",
            str(exc),
            "check [email.smtp], $TRACKER_SMTP_USER and $TRACKER_SMTP_PASSWORD",
        )
    login = f" as {smtp.username}" if smtp.username else ""
    return Check("smtp", "ok", f"{where}: logged in{login}; nothing sent")


def scheduler_check(url: str, config: Config, now: datetime) -> Check:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.schedule.alive import scheduler_state

    if _missing_sqlite(url):
        return Check(
            "scheduler",
            "warn",
            "not running (no database yet)",
            "start `tracker schedule` (systemd, a container) or run `tracker run` from cron",
        )
    engine = create_engine(url)
    try:
        state = scheduler_state(engine, stale_after=config.schedule.lock_stale_after, now=now)
    except SQLAlchemyError:  # no lock table yet: nothing can be running on it
        return Check(
            "scheduler",
            "warn",
            "not running (no database yet)",
            "start `tracker schedule` (see the operations guide) to run it weekly",
        )
    finally:
        engine.dispose()
    if state.running:
        return Check("scheduler", "ok", state.describe())
    return Check(
        "scheduler",
        "warn",
        state.describe(),
        "start `tracker schedule` (systemd, a container) or run `tracker run` from cron",
    )


def operator_check(config: Config) -> Check:
    if config.operator.contact == OperatorConfig().contact:
        return Check(
            "operator",
            "warn",
            f"contact is the placeholder {config.operator.contact}",
            "put a real address in [operator] contact: registries use it to reach you",
        )
    return Check("operator", "ok", f"contact {config.operator.contact}")


def disk_check(url: str, fallback: Path) -> Check:
    folder = _sqlite_folder(url) or fallback
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    detail = f"{free / (1 << 30):.1f} GiB free in {folder}"
    if free < LOW_DISK // 10:
        return Check("disk", "fail", detail, "free some space: a sync needs hundreds of MB")
    if free < LOW_DISK:
        return Check("disk", "warn", detail, "free some space before a first full sync")
    return Check("disk", "ok", detail)


def _sqlite_folder(url: str) -> Path | None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return Path(url[len(prefix) :]).parent
    return None


def _missing_sqlite(url: str) -> bool:
    """A SQLite file that does not exist yet (doctor must not create it by connecting)."""
    folder = _sqlite_folder(url)
    return folder is not None and not Path(url[len("sqlite:///") :]).exists()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def run_checks(explained: Explained, now: datetime, cwd: Path) -> list[Check]:
    """Every check, in report order; the network ones run while the local ones do."""
    config = explained.config
    url = config.database.url
    smtp, no_smtp = smtp_probes(config)
    network = Probes(registry_probes(config) + smtp)
    local = [*config_checks(explained), schema_check(url)]
    later = [scheduler_check(url, config, now), operator_check(config), disk_check(url, cwd)]
    return [*local, *network.collect(), *([no_smtp] if no_smtp else []), *later]
