"""The ClinicalTrials.gov v2 endpoints of the simulator, independent of the HTTP plumbing.

Semantics follow ../shared/API-NOTES.md: opaque page tokens bound to the first request's
parameters, totalCount on the first page only, pageSize 0 meaning 10 and values over 1000
coerced down, unknown parameters refused, and 400/404 bodies in text/plain.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping

from .ctgov_search import QUERY_SCOPES, QueryError
from .ctgov_world import CtgovWorld
from .faults import PAGE_KINDS, Fault, FaultQueue
from .protocol import NCT_RE
from .reply import Reply, plain

# Every /studies parameter in the 2.0.5 spec. The simulator implements the query.* ones in
# QUERY_SCOPES, filter.advanced/overallStatus/ids and paging; it ignores fields, sort,
# markupFormat and geoDecay (as the brief allows), and refuses the rest rather than
# silently return an unfiltered result.
_IGNORED = frozenset({"format", "markupFormat", "fields", "sort", "geoDecay"})
_PAGING = frozenset({"countTotal", "pageSize", "pageToken"})
_IMPLEMENTED = frozenset({*QUERY_SCOPES, "filter.overallStatus", "filter.ids", "filter.advanced"})
_STUDIES_PARAMS = (
    _IGNORED
    | _PAGING
    | _IMPLEMENTED
    | frozenset(
        "query.locn query.lead query.patient filter.geo filter.synonyms postFilter.overallStatus"
        " postFilter.geo postFilter.ids postFilter.advanced postFilter.synonyms aggFilters".split()
    )
)
_STUDY_PARAMS = frozenset(
    {"format", "markupFormat", "fields", "includeIndexedOnly", "includeHistoricOnly"}
)
_STATUS_TEXT = {
    "429": "Too Many Requests",
    "500": "Internal Server Error",
    "503": "Service Unavailable",
    "403": "Forbidden",
}


def _fingerprint(params: Mapping[str, str]) -> str:
    """What a follow-up request must repeat: every parameter except the paging ones."""
    canonical = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in _PAGING)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def make_token(offset: int, params: Mapping[str, str]) -> str:
    return (
        base64.urlsafe_b64encode(f"{offset}:{_fingerprint(params)}".encode()).rstrip(b"=").decode()
    )


def read_token(token: str, params: Mapping[str, str]) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        offset, fingerprint = text.split(":")
        start = int(offset)
    except ValueError as exc:  # also binascii.Error and UnicodeDecodeError
        raise QueryError(f"Invalid pageToken: {token}") from exc
    if fingerprint != _fingerprint(params):
        raise QueryError(
            "pageToken does not match the request: a follow-up request must repeat "
            "the first request's parameters except countTotal, pageSize and pageToken"
        )
    return start


def _page_size(value: str) -> int:
    if not value.strip():
        return 10
    if not value.strip().isdigit():
        raise QueryError(f"Invalid pageSize: {value}")
    return min(int(value), 1000) or 10  # 0 means the default; larger values are coerced down


def _check_params(params: Mapping[str, str], known: frozenset[str]) -> None:
    for name in params:
        if name not in known:
            raise QueryError(f"`{name}` is unknown parameter")
    if params.get("format", "json") != "json":
        raise QueryError(
            f"format `{params['format']}` is not implemented by the registry simulator"
        )


def _studies(world: CtgovWorld, faults: FaultQueue, path: str, params: Mapping[str, str]) -> Reply:
    _check_params(params, _STUDIES_PARAMS)
    for name in params.keys() - _IGNORED - _PAGING - _IMPLEMENTED:
        raise QueryError(f"`{name}` is not implemented by the registry simulator")
    size = _page_size(params.get("pageSize", ""))
    count_total = params.get("countTotal", "false").lower()
    if count_total not in ("true", "false"):
        raise QueryError(f"Invalid countTotal: {params['countTotal']}")
    offset = read_token(params["pageToken"], params) if "pageToken" in params else 0
    found = world.search(params)
    page = found[offset : offset + size]
    token = make_token(offset + size, params) if offset + size < len(found) else None
    if token is None and (fault := faults.take(path, PAGE_KINDS)) is not None:
        token = make_token(len(found), params)  # its follow-up is an empty page with no token
        if fault.kind == "empty_last_page_with_token":
            page = []
    parts = [b'{"studies":[', b",".join(page), b"]"]
    if count_total == "true" and "pageToken" not in params:  # first page only, as the real API
        parts.append(b',"totalCount":%d' % len(found))
    if token is not None:
        parts.append(b',"nextPageToken":"%s"' % token.encode())
    return Reply(200, b"".join([*parts, b"}"]))


def route(world: CtgovWorld, faults: FaultQueue, path: str, params: Mapping[str, str]) -> Reply:
    """The reply to a GET of `path`, errors included, as the real API would give it."""
    path = path.rstrip("/")
    try:
        if path == "/api/v2/version":
            stamp = f'{{"apiVersion":"2.0.5","dataTimestamp":"{world.today}T09:00:05"}}'
            return Reply(200, stamp.encode())
        if path == "/api/v2/studies":
            return _studies(world, faults, path, params)
        if path.startswith("/api/v2/studies/"):
            _check_params(params, _STUDY_PARAMS)
            nct_id = path.rsplit("/", 1)[1].upper()
            blob = world.raw(nct_id) if NCT_RE.match(nct_id) else None
            return Reply(200, blob) if blob is not None else plain(404, f"Study {nct_id} not found")
    except QueryError as exc:
        return plain(400, str(exc))
    return plain(404, f"No endpoint at {path}")


def fault_reply(fault: Fault) -> Reply:
    reply = plain(int(fault.kind), _STATUS_TEXT[fault.kind])
    if fault.retry_after is not None and fault.kind in ("429", "503"):
        reply = reply._replace(headers=(("Retry-After", fault.retry_after),))
    return reply
