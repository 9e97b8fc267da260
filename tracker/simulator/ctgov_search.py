"""Search semantics of GET /api/v2/studies: a subset of Essie plus the filter.* parameters.

Supported Essie: words and "quoted phrases" (case-insensitive, whole words, no stemming;
synonyms only for the MeSH terms in protocol.MESH_SYNONYMS), AND, OR, NOT, juxtaposition
meaning AND, parentheses, AREA[Field]expr for the fields `ctgov_index.index_fields` builds, and
RANGE[a,b] on date areas (yyyy, yyyy-MM or yyyy-MM-dd, MIN, MAX; inclusive; month-only
study dates count as the 1st, as third-party notes say the real API does). Anything else
raises QueryError, which the server turns into HTTP 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

from .ctgov_index import DATE_AREAS, TEXT_AREAS, Entry
from .protocol import full_date

# The Status enum of the 2.0.5 spec.
STATUSES = frozenset(
    "ACTIVE_NOT_RECRUITING COMPLETED ENROLLING_BY_INVITATION NOT_YET_RECRUITING RECRUITING"
    " SUSPENDED TERMINATED WITHDRAWN AVAILABLE NO_LONGER_AVAILABLE TEMPORARILY_NOT_AVAILABLE"
    " APPROVED_FOR_MARKETING WITHHELD UNKNOWN".split()
)
# query.* parameter -> the index scope its bare words search (query.term: the whole record).
QUERY_SCOPES = {
    "query.cond": "@cond",
    "query.intr": "@intr",
    "query.term": "@term",
    "query.titles": "@titles",
    "query.outc": "@outc",
    "query.spons": "@spons",
    "query.id": "@id",
}
FILTERS = ("filter.advanced", "filter.overallStatus", "filter.ids")
_AREAS = {name.lower(): name for name in [*TEXT_AREAS, *DATE_AREAS]}
_TOKEN = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|"(?P<phrase>[^"]*)"|AREA\[(?P<area>[^\]]*)\]'
    r'|RANGE\[(?P<range>[^\]]*)\]|(?P<word>[^\s()"]+))'
)
_WORD_BYTES = {bytes([c]) for c in b"abcdefghijklmnopqrstuvwxyz0123456789_"}
_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}$")
_NCT_LIST = re.compile(r"^\s*NCT\d{8}(?:(?:\s*[,|]\s*|\s+OR\s+|\s+)NCT\d{8})*\s*$", re.IGNORECASE)
_FILTER_ID = re.compile(r"^[Nn][Cc][Tt]0*([1-9]\d{0,7})$")


class QueryError(ValueError):
    """A request the real API would refuse with HTTP 400; the message is the plain-text body."""


Predicate = Callable[[Entry], bool]


@lru_cache(maxsize=512)
def _pattern(text: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive: 'ALS' must not match 'trials' or 'also'."""
    words = text.split()
    if not words:
        raise QueryError("Empty search term")
    source = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return re.compile(source, re.IGNORECASE)


def _in_blob(needle: bytes) -> Predicate:
    """query.term over the whole encoded record, with the same whole-word rule as _pattern.

    A find loop on the lowered bytes, because a case-insensitive regex over 10,000 records
    of 30 KB takes seconds; this takes about 0.3 s.
    """
    if not needle:
        raise QueryError("Empty search term")

    def match(entry: Entry) -> bool:
        text = entry.blob.lower()
        start = text.find(needle)
        while start != -1:
            end = start + len(needle)
            if (
                text[start - 1 : start] not in _WORD_BYTES
                and text[end : end + 1] not in _WORD_BYTES
            ):
                return True
            start = text.find(needle, start + 1)
        return False

    return match


def _text(scope: str, value: str) -> Predicate:
    if scope in DATE_AREAS:  # AREA[StartDate]2022: the date starts with the value
        return lambda e: e.fields.get(scope, "").startswith(value)
    if scope == "@term":
        return _in_blob(" ".join(value.split()).lower().encode())
    pattern = _pattern(value)
    return lambda e: pattern.search(e.fields.get(scope, "")) is not None


def _range(scope: str, value: str) -> Predicate:
    if scope not in DATE_AREAS:
        raise QueryError(f"RANGE is not supported for {scope.lstrip('@')}")
    bounds = [b.strip() for b in value.split(",")]
    if len(bounds) != 2 or not all(b in ("MIN", "MAX") or _DATE.match(b) for b in bounds):
        raise QueryError(f"Invalid range: RANGE[{value}]")
    low = "" if bounds[0] == "MIN" else full_date(bounds[0])
    # A partial upper bound covers its whole year or month (string comparison, so -31 is safe).
    widen = {4: "-12-31", 7: "-31"}.get(len(bounds[1]), "")
    high = "9999-12-31" if bounds[1] == "MAX" else bounds[1] + widen
    return lambda e: scope in e.fields and low <= e.fields[scope] <= high


class _Parser:
    """Recursive descent over OR > AND (or juxtaposition) > NOT > atom."""

    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while text[pos:].strip():
            match = _TOKEN.match(text, pos)
            if not match or match.lastgroup is None:
                raise QueryError(f"Cannot parse query near: {text[pos : pos + 30]!r}")
            self.tokens.append((match.lastgroup, match.group(match.lastgroup)))
            pos = match.end()
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self, scope: str) -> Predicate:
        predicate = self.any_of(scope)
        if (token := self.peek()) is not None:
            raise QueryError(f"Unexpected {token[1]!r} in query")
        return predicate

    def any_of(self, scope: str) -> Predicate:
        parts = [self.all_of(scope)]
        while self.peek() == ("word", "OR"):
            self.pos += 1
            parts.append(self.all_of(scope))
        return parts[0] if len(parts) == 1 else (lambda e: any(p(e) for p in parts))

    def all_of(self, scope: str) -> Predicate:
        parts = [self.negation(scope)]
        while (token := self.peek()) is not None and token not in (("word", "OR"), ("rp", ")")):
            if token == ("word", "AND"):
                self.pos += 1
            parts.append(self.negation(scope))
        return parts[0] if len(parts) == 1 else (lambda e: all(p(e) for p in parts))

    def negation(self, scope: str) -> Predicate:
        if self.peek() == ("word", "NOT"):
            self.pos += 1
            inner = self.negation(scope)
            return lambda e: not inner(e)
        return self.atom(scope)

    def atom(self, scope: str) -> Predicate:
        token = self.peek()
        self.pos += 1
        if token is None or token[0] == "rp" or token in (("word", "AND"), ("word", "OR")):
            raise QueryError("Incomplete query expression")
        kind, value = token
        if kind == "lp":
            inner = self.any_of(scope)
            if self.peek() != ("rp", ")"):
                raise QueryError("Unbalanced parentheses in query")
            self.pos += 1
            return inner
        if kind == "area":
            if value.strip().lower() not in _AREAS:
                raise QueryError(f"Unknown area: AREA[{value}]")
            return self.atom(_AREAS[value.strip().lower()])
        return _range(scope, value) if kind == "range" else _text(scope, value)


def compile_query(text: str, scope: str = "@term") -> Predicate:
    return _Parser(text).parse(scope)


def _id_list(value: str) -> set[str]:
    ids = set()
    for raw in filter(None, re.split(r"[\s,|]+", value)):
        match = _FILTER_ID.match(raw)
        if not match:
            raise QueryError(f"Invalid NCT id in filter.ids: {raw}")
        ids.add(f"NCT{int(match.group(1)):08d}")
    return ids


def _has_id(ids: set[str]) -> Predicate:
    return lambda e: e.fields["NCTId"] in ids


def _filters(params: Mapping[str, str]) -> list[Predicate]:
    predicates = []
    if params.get("filter.advanced", "").strip():
        predicates.append(compile_query(params["filter.advanced"]))
    if params.get("filter.overallStatus", "").strip():
        wanted = set(filter(None, re.split(r"[\s,|]+", params["filter.overallStatus"])))
        if wanted - STATUSES:
            raise QueryError(f"Invalid filter.overallStatus value: {sorted(wanted - STATUSES)[0]}")
        predicates.append(lambda e: e.fields["OverallStatus"] in wanted)
    if params.get("filter.ids", "").strip():
        predicates.append(_has_id(_id_list(params["filter.ids"])))
    return predicates


def compile_search(params: Mapping[str, str]) -> list[Predicate]:
    """Predicates that a study must all pass to be in the result of these parameters."""
    predicates: list[Predicate] = []
    ids_only = False
    for name, scope in QUERY_SCOPES.items():
        value = params.get(name, "").strip()
        if _NCT_LIST.match(value):  # the spec: a query of NCT ids alone looks them up ...
            predicates.append(_has_id(set(re.findall(r"NCT\d{8}", value.upper()))))
            ids_only = True
        elif value:
            predicates.append(compile_query(value, scope))
    return predicates if ids_only else predicates + _filters(params)  # ... and filters are ignored
