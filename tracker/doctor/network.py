"""`tracker doctor`'s network checks: one cheap request to each registry and a login to the
mail server, all at once in daemon threads with a short timeout, so the report takes seconds
even with no network."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

import httpx

from tracker.config import Config
from tracker.doctor.result import Check, first_line
from tracker.errors import TrackerError
from tracker.ids import Source

REGISTRY_TIMEOUT = 4.0
"""Seconds for one registry's answer; the three are asked at the same time."""

Probe = tuple[str, str, "Callable[[], Check]"]
"""A network check: its name, where it asks, and the call that asks."""


def registry_probes(config: Config) -> list[Probe]:
    """One cheap request to each registry (run all at once, no retries)."""
    probes: list[tuple[str, str, dict[str, str]]] = [
        (Source.CTGOV, f"{config.ctgov.url}/version", {}),
        (
            Source.PUBMED,
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
            Source.EUROPEPMC,
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
            f"{url}: {first_line(exc)}",
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
