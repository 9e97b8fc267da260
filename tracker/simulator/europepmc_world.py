"""The simulated Europe PMC: records, citation links between them, a clock, and search.

Query syntax (a subset of the real one): words and "phrases" (case-insensitive, whole
words, a trailing * for a prefix) over title, abstract, keywords, MeSH, authors and journal;
AND, OR, NOT (upper case; AND and NOT bind tighter than OR, as in Lucene); parentheses;
FIELD:value for TITLE, ABSTRACT, KW, AUTH (prefix), JOURNAL, EXT_ID, SRC, PMCID, DOI,
PUB_TYPE, ACCESSION_TYPE, ACCESSION_ID, OPEN_ACCESS, and ranges FIRST_PDATE:[a TO b],
FIRST_IDATE:[...], PUB_YEAR:[...] (inclusive, * open, or a single date/year). Other fields
raise QuerySyntaxError (HTTP 400 errorBean). Results come newest first (firstPublicationDate,
then source and id, descending): a stable order, so cursors can be keys, not offsets.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from .boolquery import QuerySyntaxError, evaluate, parse
from .europepmc_records import EpmcRecord
from .pubmed_records import norm

_TOKEN = re.compile(
    r'\s*(?:(?P<paren>[()])|(?P<field>[A-Za-z_]+):(?:"(?P<fphrase>[^"]*)"'
    r'|\[(?P<range>[^\]]*)\]|(?P<fword>[^\s()"]+))|"(?P<phrase>[^"]*)"|(?P<word>[^\s()"]+))'
)
_TEXT_FIELDS = {"TITLE": 0, "ABSTRACT": 1, "KW": 2, "KEYWORD": 2, "JOURNAL": 3}
_EXACT_FIELDS = {"EXT_ID", "SRC", "PMCID", "DOI", "PUB_TYPE", "ACCESSION_TYPE", "ACCESSION_ID"}
_RANGE_FIELDS = {"FIRST_PDATE", "FIRST_IDATE", "PUB_YEAR"}
SortKey = tuple[str, str, str]


class Leaf(NamedTuple):
    field: str  # "" for free text
    value: str  # normalised text, or upper-cased exact value, or "lo:hi"


@dataclass(frozen=True, slots=True)
class _Entry:
    record: EpmcRecord
    text: str  # title | abstract | keywords | journal | MeSH, authors, pub types
    ends: tuple[int, int, int, int]
    sort_key: SortKey


def sort_key(record: EpmcRecord) -> SortKey:
    return record.first_publication_date, record.source, record.id.rjust(12, "0")


def _index(record: EpmcRecord) -> _Entry:
    parts = [
        norm(record.title),
        norm(record.abstract),
        norm(" ".join(record.keywords)),
        norm(record.journal or ""),
        norm(" ".join([*record.mesh, *record.authors, *record.pub_types, *record.accessions])),
    ]
    ends, total = [], 0
    for part in parts[:4]:
        total += len(part) + 1
        ends.append(total)
    return _Entry(record, "|".join(parts), (ends[0], ends[1], ends[2], ends[3]), sort_key(record))


def _bound(value: str, upper: bool) -> str:
    value = value.strip()
    if value == "*":
        return "9999" if upper else "0000"
    if not re.fullmatch(r"\d{4}(-\d{2}){0,2}", value):
        raise QuerySyntaxError(f"invalid date or year: {value!r}")
    return value + ("-99-99" if upper else "-00-00")[len(value) - 4 :]


def _leaf(field: str, text: str, quoted: bool, ranged: bool) -> Leaf:
    field = field.upper()
    if field in _RANGE_FIELDS:
        lo, _, hi = text.partition(" TO ") if ranged else (text, "", text)
        if ranged and not hi:
            raise QuerySyntaxError(f"a range needs 'a TO b': [{text}]")
        return Leaf(field, f"{_bound(lo, False)}:{_bound(hi, True)}")
    if field in _EXACT_FIELDS or field in ("AUTH", "OPEN_ACCESS"):
        return Leaf(field, text.strip().upper())
    if field and field not in _TEXT_FIELDS:
        raise QuerySyntaxError(f"registry simulator: the field {field} is not implemented")
    value = norm(text)
    return Leaf(field, value.rstrip() if text.endswith("*") and not quoted else value)


def compile_query(query: str) -> list[object]:
    tokens: list[object] = []
    pos, query = 0, query.strip()
    while pos < len(query):
        found = _TOKEN.match(query, pos)
        if found is None or found.end() == pos:
            raise QuerySyntaxError(f"cannot parse the query at {query[pos:]!r}")
        pos = found.end()
        if found["paren"]:
            tokens.append(found["paren"])
        elif found["field"]:
            value = found["fphrase"] if found["fphrase"] is not None else found["fword"]
            ranged = value is None
            text = found["range"] if ranged else value
            tokens.append(_leaf(found["field"], text, found["fphrase"] is not None, ranged))
        elif found["phrase"] is not None:
            tokens.append(_leaf("", found["phrase"], True, False))
        elif found["word"] in ("AND", "OR", "NOT"):
            tokens.append(found["word"])
        elif found["word"].lower() not in ("and", "or", "not"):
            tokens.append(_leaf("", found["word"], False, False))
    return tokens


def _matches(leaf: Leaf, entry: _Entry) -> bool:
    record, field, value = entry.record, leaf.field, leaf.value
    if not field:
        return value in entry.text
    if field in _TEXT_FIELDS:
        part = _TEXT_FIELDS[field]
        start = entry.ends[part - 1] if part else 0
        return entry.text.find(value, start, entry.ends[part]) >= 0
    if field in _RANGE_FIELDS:
        lo, hi = value.split(":")
        if field == "PUB_YEAR":
            return lo[:4] <= record.pub_year <= hi[:4]
        stamp = record.first_publication_date if field == "FIRST_PDATE" else record.first_index_date
        return lo <= stamp <= hi
    if field == "EXT_ID":
        return value in (record.id.upper(), record.pmid)
    if field == "AUTH":
        return any(name.upper().startswith(value) for name in record.authors)
    if field == "OPEN_ACCESS":
        return (value == "Y") == record.open_access
    values = {
        "SRC": [record.source],
        "PMCID": [record.pmcid or ""],
        "DOI": [(record.doi or "").upper()],
        "PUB_TYPE": [p.upper() for p in record.pub_types],
        "ACCESSION_TYPE": [t.upper() for t in record.accession_types],
        "ACCESSION_ID": [a.upper() for a in record.accessions],
    }[field]
    return value in values


class EuropepmcWorld:
    """Records keyed by (source, id); `today` (YYYY-MM-DD) is the clock tests move.

    `cursor_end` picks how the last page of a cursor walk looks: "absent" (no
    nextCursorMark, as observed) or "repeat" (the last page still has one, and following
    it gives an empty page whose nextCursorMark equals the cursorMark sent, Solr-style)."""

    def __init__(self, today: str = "2025-01-15") -> None:
        self._lock = threading.RLock()
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._citing: dict[tuple[str, str], set[tuple[str, str]]] = {}  # cited -> citing
        self._cache: dict[str, tuple[list[EpmcRecord], list[SortKey]]] = {}
        self.cursor_end = "absent"
        self.today = today

    @property
    def today(self) -> str:
        return self._today

    @today.setter
    def today(self, value: str) -> None:
        self._today = date.fromisoformat(value.replace("/", "-")).isoformat()

    def advance(self, days: int) -> str:
        self.today = (date.fromisoformat(self.today) + timedelta(days=days)).isoformat()
        return self.today

    def add(self, record: EpmcRecord) -> None:
        self.add_many([record])

    def add_many(self, records: Iterable[EpmcRecord]) -> None:
        with self._lock:
            for record in records:
                self._entries[record.key] = _index(record)
            self._cache.clear()

    def get(self, source: str, record_id: str) -> EpmcRecord | None:
        entry = self._entries.get((source.upper(), record_id))
        return entry.record if entry else None

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def key(record_id: str) -> tuple[str, str]:
        """'MED:123', 'PPR123' or '123' (MED) as a (source, id) key."""
        if ":" in record_id:
            source, _, rest = record_id.partition(":")
            return source.upper(), rest
        return ("PPR" if record_id.startswith("PPR") else "MED"), record_id

    def cite(self, citing_id: str, cited_id: str) -> None:
        """Record that one record cites another (ids as for `key`)."""
        with self._lock:
            self._citing.setdefault(self.key(cited_id), set()).add(self.key(citing_id))

    def cited_by_count(self, record: EpmcRecord) -> int:
        return record.cited_by + len(self._citing.get(record.key, ()))

    def citations(self, source: str, record_id: str) -> list[EpmcRecord]:
        """The world's records citing this one, newest first."""
        with self._lock:
            keys = self._citing.get((source.upper(), record_id), set())
            found = [self._entries[k] for k in keys if k in self._entries]
        return [e.record for e in sorted(found, key=lambda e: e.sort_key, reverse=True)]

    def references(self, source: str, record_id: str) -> list[EpmcRecord]:
        """The world's records this one cites, newest first."""
        target = (source.upper(), record_id)
        with self._lock:
            found = [self._entries[k] for k, citing in self._citing.items() if target in citing]
        return [e.record for e in sorted(found, key=lambda e: e.sort_key, reverse=True)]

    def search(self, query: str) -> list[EpmcRecord]:
        """Matching records, newest first. Raises QuerySyntaxError for a bad query."""
        return self._search(query)[0]

    def page_after(
        self, query: str, after: SortKey | None, size: int
    ) -> tuple[list[EpmcRecord], int, bool]:
        """(up to `size` matches sorting after the cursor key `after`, the hit count,
        whether more follow). A bisection, so walking a large result costs one search."""
        found, keys = self._search(query)
        start = 0
        if after is not None:  # keys descend: the first one below `after`
            start = bisect.bisect_left(range(len(keys)), True, key=lambda i: keys[i] < after)
        return found[start : start + size], len(found), start + size < len(found)

    def _search(self, query: str) -> tuple[list[EpmcRecord], list[SortKey]]:
        with self._lock:
            if (hit := self._cache.get(query)) is not None:
                return hit
            tree = parse(compile_query(query), left_to_right=False)
            entries = list(self._entries.values())
            hits = evaluate(
                tree,
                lambda leaf: {e.record.key for e in entries if _matches(leaf, e)},
                lambda: {e.record.key for e in entries},
            )
            found = sorted((e for e in entries if e.record.key in hits), key=lambda e: e.sort_key)
            found.reverse()
            result = [e.record for e in found], [e.sort_key for e in found]
            if len(self._cache) >= 64:
                self._cache.clear()
            self._cache[query] = result
            return result
