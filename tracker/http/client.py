"""The one client of a run: the throttled, watched transport with each source's body cap,
the timeouts of [http] and a User-Agent naming the operator."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx

from tracker import __version__
from tracker.config import Config
from tracker.http.netwatch import Streams, watched_transport
from tracker.http.transport import HttpStats, ThrottledTransport
from tracker.runtime import interrupt


def max_body_cap(cfg: Config) -> dict[str, int]:
    """Each source's cap on a decompressed body, by host (two sources on one host, as in
    the simulator, share the larger)."""
    caps: dict[str, int] = {}
    for url, mb in (
        (cfg.ctgov.url, cfg.ctgov.max_body_mb),
        (cfg.pubmed.url, cfg.pubmed.max_body_mb),
        (cfg.europepmc.url, cfg.europepmc.max_body_mb),
    ):
        host = httpx.URL(url).host
        caps[host] = max(caps.get(host, 0), int(mb * 2**20))
    return caps


def user_agent(cfg: Config) -> str:
    """A descriptive User-Agent with the operator's contact, as registries ask."""
    contact = cfg.operator.contact
    return f"{cfg.operator.name}/{__version__} (living-evidence tracker; mailto:{contact})"


def make_client(
    cfg: Config,
    *,
    rps_by_host: Mapping[str, float],
    transport: httpx.BaseTransport | None = None,
    stats: HttpStats | None = None,
    sleep: Callable[[float], None] = interrupt.pause,
    max_body_by_host: Mapping[str, int] | None = None,
) -> httpx.Client:
    """The one client of a run; tests inject a MockTransport or a fake sleep."""
    streams: Streams | None = None
    if transport is None:
        transport, streams = watched_transport()
    throttled = ThrottledTransport(
        transport,
        rps_by_host=rps_by_host,
        policy=cfg.http,
        stats=stats,
        sleep=sleep,
        max_body_by_host=max_body_cap(cfg) if max_body_by_host is None else max_body_by_host,
        streams=streams,
    )
    timeout = httpx.Timeout(cfg.http.timeout, connect=cfg.http.connect_timeout)
    return httpx.Client(
        transport=throttled,
        timeout=timeout,
        # gzip only: the one encoding the transport inflates a bounded piece at a time.
        headers={"User-Agent": user_agent(cfg), "Accept-Encoding": "gzip"},
        follow_redirects=True,  # CT.gov answers an NCTId alias with a 301 to the real study
    )
