"""Store the evidence signals of the articles a sync has just saved, in the same transaction.

A parse worker reads a record's signals where it parses it (tracker.ingest.pubmed_workers).
Whatever the main process parsed itself (an efetch body too small for the workers, a part
a worker failed on, the citation chase's bodies, Europe PMC's records) is read here by the
same reader, so that the judging after the sync reads no record again. Only new and changed
records are read: an unchanged one keeps the signals stored with its version.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from tracker.ids import Source
from tracker.store.articles import FetchedArticle
from tracker.store.readings import SignalReader, read_signals
from tracker.store.signals import save_signals
from tracker.store.versioning import PageOutcome


def save_article_signals(
    conn: Connection,
    articles: Sequence[FetchedArticle],
    saved: PageOutcome,
    *,
    source: Source,
    reader: SignalReader | None,
) -> int:
    """Store the signals of the new and changed ones among `articles` (just saved, with
    `saved` the outcome), read as `source`'s records where no worker read them; returns the
    rows written."""
    changed = {*saved.new_ids, *saved.changed_ids}
    rows = [a.signals for a in articles if a.signals and a.id in changed]
    unread = [
        (source, a.record)
        for a in articles
        if a.signals is None and a.record is not None and a.id in changed
    ]
    rows += read_signals(reader, unread).values()
    return save_signals(conn, rows, dict.fromkeys(saved.new_ids, 1))  # a new record's is 1
