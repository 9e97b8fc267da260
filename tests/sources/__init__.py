"""Fetch and parse, never save (tracker.sources): CT.gov, PubMed and Europe PMC."""
