"""Save and read back: the database (SQLite or PostgreSQL), its tables and every write.

- `db`: opening, migrating and the session scope; `models`: the tables.
- `versioning`: a new version only when the parsed content changes, with change events.
- `trials`, `articles`: save fetched trials and papers (one transaction per page).
- `trial_rows`, `article_rows`: the summary columns stored beside each record.
- `citations`: who cites the index paper; `bulk`: batched upserts; `payload`: compressed raw
  payloads.
"""
