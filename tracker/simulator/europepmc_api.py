"""The Europe PMC REST endpoints of the simulator, under /europepmc/webservices/rest.

GET /search (format=json; resultType lite, core or idlist; pageSize 1-1000, default 25;
cursorMark paging) and GET /{source}/{id}/citations and /references (page, pageSize).
Cursors are opaque keys of the last record sent, so records added between two pages do not
shift the walk. hitCount is on every page. Errors are HTTP 400 with an errorBean.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .boolquery import QuerySyntaxError
from .europepmc_records import EpmcRecord, citation_json, result_json
from .europepmc_world import EuropepmcWorld, SortKey, sort_key
from .reply import JSON, Reply, plain

EUROPEPMC = "/europepmc/webservices/rest"
VERSION = "6.9"
_LINKS = re.compile(r"^/(?P<source>[A-Za-z]{3})/(?P<id>[^/]+)/(?P<what>citations|references)$")


class EpmcError(Exception):
    """A request the API refuses: HTTP 400 with an errorBean."""


def error_bean(status: int, message: str) -> Reply:
    body = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><errorBean><errCode>0</errCode>'
        f"<errMsg>{message.replace('&', '&amp;').replace('<', '&lt;')}</errMsg></errorBean>"
    )
    return Reply(status, body.encode(), "application/xml")


def _dump(body: Mapping[str, Any]) -> Reply:
    return Reply(200, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), JSON)


def _size(params: Mapping[str, str], name: str = "pageSize", default: int = 25) -> int:
    value = params.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise EpmcError(f"Invalid {name}: {value}")
    return min(int(value), 1000)


def _check_format(params: Mapping[str, str]) -> None:
    if params.get("format", "xml").lower() != "json":
        raise EpmcError("registry simulator: only format=json is implemented")


def make_cursor(key: SortKey) -> str:
    raw = "\x1f".join(key).encode()
    return "AoJ" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(cursor: str) -> SortKey:
    try:
        text = base64.urlsafe_b64decode(cursor[3:] + "=" * (-len(cursor[3:]) % 4)).decode()
        first, source, padded = text.split("\x1f")
    except ValueError as exc:  # also binascii.Error and UnicodeDecodeError
        raise EpmcError(f"Invalid cursorMark: {cursor}") from exc
    return first, source, padded


def _search(world: EuropepmcWorld, params: Mapping[str, str]) -> Reply:
    _check_format(params)
    query = params.get("query", "").strip()
    if not query:
        raise EpmcError("query parameter is required")
    result_type = params.get("resultType", "lite").lower()
    if result_type not in ("lite", "core", "idlist"):
        raise EpmcError(f"Invalid resultType: {params['resultType']}")
    size, cursor = _size(params), params.get("cursorMark", "*") or "*"
    try:
        page, hits, more = world.page_after(
            query, None if cursor == "*" else read_cursor(cursor), size
        )
    except QuerySyntaxError as exc:
        raise EpmcError(str(exc)) from exc
    body: dict[str, Any] = {"version": VERSION, "hitCount": hits}
    if not page and cursor != "*":
        body["nextCursorMark"] = cursor  # the walk is over: the same mark comes back
    elif page and (more or world.cursor_end == "repeat"):
        body["nextCursorMark"] = make_cursor(sort_key(page[-1]))
    body["request"] = {
        "queryString": query,
        "resultType": result_type,
        "cursorMark": cursor,
        "pageSize": size,
        "sort": params.get("sort", ""),
        "synonym": params.get("synonym", "false").lower() == "true",
    }
    rows = [result_json(r, result_type, world.cited_by_count(r)) for r in page]
    body["resultList"] = {"result": rows}
    return _dump(body)


def _links(
    world: EuropepmcWorld, source: str, record_id: str, what: str, params: Mapping[str, str]
) -> Reply:
    _check_format(params)
    size = _size(params)
    page_text = params.get("page", "1").strip() or "1"
    if not page_text.isdigit() or int(page_text) < 1:
        raise EpmcError(f"Invalid page: {page_text}")
    page = int(page_text)
    finder = world.citations if what == "citations" else world.references
    found: Sequence[EpmcRecord] = finder(source, record_id)
    rows = [
        citation_json(r, world.cited_by_count(r)) for r in found[(page - 1) * size : page * size]
    ]
    request = {"id": record_id, "source": source.upper(), "offSet": (page - 1) * size}
    request |= {"pageSize": size, "page": page, "format": "json"}
    listing = (
        {"citationList": {"citation": rows}}
        if what == "citations"
        else {"referenceList": {"reference": rows}}
    )
    return _dump({"version": VERSION, "hitCount": len(found), "request": request, **listing})


def route(world: EuropepmcWorld, path: str, params: Mapping[str, str]) -> Reply:
    """The reply to a GET of `path` (under /europepmc/webservices/rest)."""
    rest = path[len(EUROPEPMC) :].rstrip("/")
    try:
        if rest == "/search":
            return _search(world, params)
        if (found := _LINKS.match(rest)) is not None:
            return _links(world, found["source"], found["id"], found["what"], params)
    except EpmcError as exc:
        return error_bean(400, str(exc))
    return plain(404, f"registry simulator: no Europe PMC endpoint at {path}")
