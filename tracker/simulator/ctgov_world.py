"""The simulated ClinicalTrials.gov: a set of studies and a clock that tests move forward.

Each study is kept only as its msgspec-encoded JSON plus a small search index, so the
server can answer a page by joining stored bytes (no re-encoding per request), and so that
records handed in or out can never alias the stored state: `get` decodes a fresh copy and
every change goes through `update`, which re-encodes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

import msgspec

from .ctgov_index import Entry, index_fields
from .ctgov_search import FILTERS, QUERY_SCOPES, compile_search
from .protocol import NCT_RE, Study, full_date, results_dates, shift
from .results import make_results_section

_SEARCH_PARAMS = frozenset([*QUERY_SCOPES, *FILTERS])
_STOPPED = frozenset({"COMPLETED", "TERMINATED"})


class CtgovWorld:
    """Studies keyed by NCT id, and `today`, the date stamped on every change."""

    def __init__(self, today: str = "2025-01-15") -> None:
        self._lock = threading.RLock()
        self._entries: dict[str, Entry] = {}
        self._sorted: list[str] | None = None  # NCT ids in paging order, rebuilt after adds
        self._cache: dict[tuple[tuple[str, str], ...], list[bytes]] = {}  # cleared on any change
        self.today = today

    @property
    def today(self) -> str:
        """The registry's current date (yyyy-MM-dd); /version reports it as dataTimestamp."""
        return self._today

    @today.setter
    def today(self, value: str) -> None:
        self._today = date.fromisoformat(value).isoformat()

    def advance(self, days: int) -> str:
        """Move the clock forward (between two syncs, typically) and return the new date."""
        self.today = shift(self.today, days)
        return self.today

    def add(self, study: Study) -> None:
        self.add_many([study])

    def add_many(self, studies: Iterable[Study]) -> None:
        """Store (or replace) studies; encoding happens here, once per change."""
        entries = []
        for study in studies:
            nct_id = study["protocolSection"]["identificationModule"]["nctId"]
            if not NCT_RE.match(nct_id):
                raise ValueError(f"not an NCT id: {nct_id!r}")
            entries.append((nct_id, Entry(msgspec.json.encode(study), index_fields(study))))
        with self._lock:
            for nct_id, entry in entries:
                if nct_id not in self._entries:
                    self._sorted = None
                self._entries[nct_id] = entry
            self._cache.clear()

    def get(self, nct_id: str) -> Study | None:
        """A fresh, mutable copy of the stored study, or None."""
        blob = self.raw(nct_id)
        return None if blob is None else msgspec.json.decode(blob)

    def raw(self, nct_id: str) -> bytes | None:
        """The stored JSON bytes, exactly as the server sends them."""
        entry = self._entries.get(nct_id)
        return None if entry is None else entry.blob

    def ids(self) -> list[str]:
        """All NCT ids, in the order the server pages them."""
        return list(self._order())

    def _order(self) -> list[str]:
        with self._lock:
            if self._sorted is None:
                self._sorted = sorted(self._entries)
            return self._sorted

    def __contains__(self, nct_id: object) -> bool:
        return nct_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def update(self, nct_id: str, fn: Callable[[Study], None]) -> Study:
        """Apply `fn` to a copy of the study, stamp it as posted today, store and return it."""
        with self._lock:
            study = self.get(nct_id)
            if study is None:
                raise KeyError(nct_id)
            fn(study)
            if study["protocolSection"]["identificationModule"]["nctId"] != nct_id:
                raise ValueError("update() must not change the NCT id")
            status = study["protocolSection"].setdefault("statusModule", {})
            status["lastUpdateSubmitDate"] = self.today
            status["lastUpdatePostDateStruct"] = {"date": self.today, "type": "ACTUAL"}
            misc = study.setdefault("derivedSection", {}).setdefault("miscInfoModule", {})
            misc["versionHolder"] = self.today  # the data-version date moves with every change
            self.add(study)
            return study

    def set_status(self, nct_id: str, status: str, why_stopped: str | None = None) -> Study:
        """Change overallStatus; stopping a study also makes its end dates and enrollment actual."""
        today = self.today

        def apply(study: Study) -> None:
            module = study["protocolSection"]["statusModule"]
            module["overallStatus"] = status
            module["statusVerifiedDate"] = today[:7]
            if why_stopped:
                module["whyStopped"] = why_stopped
            else:
                module.pop("whyStopped", None)
            if status in _STOPPED:
                for key in ("primaryCompletionDateStruct", "completionDateStruct"):
                    planned = module.get(key, {}).get("date", today)
                    module[key] = {"date": min(planned, today, key=full_date), "type": "ACTUAL"}
                enrollment = study["protocolSection"].get("designModule", {}).get("enrollmentInfo")
                if enrollment:
                    enrollment["type"] = "ACTUAL"

        return self.update(nct_id, apply)

    def submit_results(self, nct_id: str) -> Study:
        """Results submitted today but not posted: only submissionTracking shows it."""
        tracking = {
            "estimatedResultsFirstSubmitDate": self.today,
            "submissionInfos": [{"releaseDate": self.today, "mcpReleaseN": 1}],
        }

        def apply(study: Study) -> None:
            misc = study.setdefault("derivedSection", {}).setdefault("miscInfoModule", {})
            misc["submissionTracking"] = tracking

        return self.update(nct_id, apply)

    def post_results(
        self, nct_id: str, *, p_values: Sequence[str] = ("0.03",), padding_kb: int = 0
    ) -> Study:
        """Post results today: resultsSection, hasResults and resultsFirstPostDateStruct."""
        today = self.today

        def apply(study: Study) -> None:
            study["resultsSection"] = make_results_section(
                study, p_values=p_values, padding_kb=padding_kb
            )
            study["hasResults"] = True
            study["protocolSection"]["statusModule"].update(results_dates(today))

        return self.update(nct_id, apply)

    def search(self, params: Mapping[str, str]) -> list[bytes]:
        """Encoded studies matching the query.* and filter.* parameters, in NCT id order.

        The list is cached until the next change, so paging through a large result costs one
        scan; callers must not modify it. Raises QueryError for what the real API rejects.
        """
        key = tuple(sorted((k, v) for k, v in params.items() if k in _SEARCH_PARAMS))
        with self._lock:
            if (hit := self._cache.get(key)) is not None:
                return hit
            predicates = compile_search(params)
            entries = (self._entries[nct_id] for nct_id in self._order())
            found = [e.blob for e in entries if all(p(e) for p in predicates)]
            if len(self._cache) >= 64:
                self._cache.clear()
            self._cache[key] = found
            return found
