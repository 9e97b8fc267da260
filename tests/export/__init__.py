"""Exports: CSV, JSON, RIS and BibTeX (tracker.export)."""
