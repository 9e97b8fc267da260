"""`tracker export`: the ledger and the records as CSV, JSON, RIS or BibTeX."""
