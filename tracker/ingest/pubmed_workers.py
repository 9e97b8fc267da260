"""Parse large efetch bodies on the machine's other cores.

Parsing PubMed XML is pure-Python work under the GIL and costs twice what storing does, so
a sync that parsed in its own thread would leave the second core idle. A large body is cut
at record boundaries into parts; each part, still a complete PubmedArticleSet, is parsed
in a worker process, which also does the per-record work that does not need the database:
the canonical JSON of the parsed record, the compressed raw bytes, the summary columns and
trial links (tracker.store.article_rows). The main process only stores, while the workers
already parse the next batch; it decodes a record's JSON back only when the record changed
and its versions must be compared.

The split is only taken when it is provably harmless: the body must be a prologue, then
records separated by nothing but whitespace, then the closing tag (`record_spans`). Any
failure in a worker, whatever its cause, falls back to parsing the whole body in the main
process, so a malformed body fails exactly as it would without workers (same message,
same line number) and a body the split misjudged is still read correctly.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import msgspec

from tracker.ids import Source
from tracker.runtime.workers import WorkerFailed, WorkerPool
from tracker.sources.pubmed_parse import iter_records, record_spans
from tracker.store.article_rows import ArticleSummary, summarise
from tracker.store.payload import pack_all
from tracker.store.readings import SignalReader, SignalRow, read_signals

__all__ = ["ParsePool", "Prepared", "WorkerFailed", "prepare", "split_body"]

Prepared = tuple[str, bytes, bytes, ArticleSummary, SignalRow | None]
"""(record id, canonical JSON of the parsed record, zstd-compressed raw XML, summary, the
evidence rules' reading of it when the sync was given a reader)."""

MIN_PARALLEL_BYTES = 2_000_000
"""Smaller bodies (about 300 records) are parsed in the main process: starting the workers
(about half a second) and shipping the parts would cost more than it saves."""

PART_RECORDS = 250
"""Records per part: small enough that storing starts soon after a batch arrives and a
worker that finishes early takes the next part, large enough that each part's prologue
and hand-over cost nothing."""


def prepare(part: bytes, reader: SignalReader | None = None) -> list[Prepared]:
    """Parse one self-contained efetch document (runs in a worker process), and read each
    record's evidence signals with `reader` while it is parsed."""
    encoder = msgspec.json.Encoder()
    records = list(iter_records(part, whole=True))
    packed = pack_all([raw for _, raw in records])
    signals = read_signals(reader, [(Source.PUBMED, record) for record, _ in records])
    return [
        (record.id, encoder.encode(record), blob, summarise(record), signals.get(record.id))
        for (record, _), blob in zip(records, packed, strict=True)
    ]


def split_body(body: bytes, size: int) -> list[bytes] | None:
    """`body` as complete documents of `size` records each, in order, or None when its
    shape is not the plain prologue / records / closing tag this relies on."""
    spans = record_spans(body)
    if len(spans) < 2:
        return None
    first, last = spans[0][1], spans[-1][2]
    gaps = (body[spans[i - 1][2] : spans[i][1]] for i in range(1, len(spans)))
    if any(gap.strip() for gap in gaps):
        return None  # something between records (an ERROR, a comment): parse it whole
    prologue, closing = body[:first], body[last:]
    if closing.strip() != b"</PubmedArticleSet>" or not prologue.rstrip().endswith(
        b"<PubmedArticleSet>"
    ):
        return None
    return [
        b"".join((prologue, body[spans[i][1] : spans[min(i + size, len(spans)) - 1][2]], closing))
        for i in range(0, len(spans), size)
    ]


class ParsePool(WorkerPool):
    """Worker processes for large efetch bodies (tracker.runtime.workers); `reader` reads the
    records' evidence signals there too."""

    def __init__(self, workers: int | None = None, reader: SignalReader | None = None) -> None:
        super().__init__(workers)
        self.reader = reader

    def submit(self, body: bytes) -> Iterator[list[Prepared]] | None:
        """Start parsing `body` on the workers. Returns its records part by part, in
        order, as the workers finish them (raising WorkerFailed if one fails); None when
        the body is not worth or not fit for splitting: the caller parses it itself."""
        parts = (
            split_body(body, PART_RECORDS)
            if self.workers > 1 and len(body) >= MIN_PARALLEL_BYTES
            else None
        )
        return None if parts is None else self.run(partial(prepare, reader=self.reader), parts)
