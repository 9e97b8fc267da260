"""Read records' signals for storing (tracker.store.signals): where the sync parses them,
or where the judging pass has to read a record itself.

`ClaimReader` is what the sync's parse workers run on the records they have just parsed
(it pickles as its claim's JSON). Its rows hold the signals and relevance the judging pass
would otherwise compute again from the stored record, or why the rules could not read it.
No database here: storing is the caller's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

import msgspec

from tracker.config import ClaimConfig
from tracker.evidence.rules.signals import Signals
from tracker.ids import Source
from tracker.records.article import ArticleData
from tracker.records.trial import TrialData
from tracker.store.readings import SignalRow

if TYPE_CHECKING:
    from tracker.evidence.rules.judgement import Record

_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(Signals)


def encode_signals(s: Signals) -> str:
    return _ENCODER.encode(s).decode()


def decode_signals(text: str) -> Signals:
    return _DECODER.decode(text)


def slim(s: Signals, relevant: bool) -> Signals:
    """An excluded record's signals without its matching context: only relevant trials
    are matched, and the context is long."""
    return s if relevant or not s.context else replace(s, context="")


@cache
def _claim(claim_json: str) -> ClaimConfig:
    return ClaimConfig.model_validate_json(claim_json)


@dataclass(frozen=True, slots=True)
class ClaimReader:
    """Reads records' signals under one claim (a tracker.store.signals.SignalReader)."""

    claim_json: str

    @classmethod
    def of(cls, claim: ClaimConfig) -> ClaimReader:
        return cls(claim.model_dump_json())

    def __call__(self, records: Sequence[tuple[str, TrialData | ArticleData]]) -> list[SignalRow]:
        from tracker.evidence.rules.judgement import Record

        claim = _claim(self.claim_json)
        return signal_rows([Record(Source(src), data) for src, data in records], claim)


def signal_rows(records: Sequence[Record], claim: ClaimConfig) -> list[SignalRow]:
    """Each record's reading as a row to store: signals and relevance, or the reason the
    rules could not read it."""
    # Imported here: the command holds a ClaimReader through the whole sync, and its own
    # process needs the rules only once the sync is done (less memory at the sync's peak).
    from tracker.evidence.rules.assess import read_records
    from tracker.evidence.rules.vocab import compile_vocab

    rules_hash = compile_vocab(claim).rules_hash
    failures: dict[str, str] = {}
    read = read_records(records, claim, failures=failures)
    rows: list[SignalRow] = []
    for r in records:
        if r.id in read:
            s, relevant = read[r.id]
            rows.append(SignalRow(r.id, rules_hash, relevant, encode_signals(slim(s, relevant))))
        else:
            why = failures.get(r.id, "the rules could not read it")
            rows.append(SignalRow(r.id, rules_hash, None, None, why))
    return rows
