"""Digest, ledger and record views and their renderers (tracker.reports)."""
