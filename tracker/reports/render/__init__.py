"""Renderers: turn report data (tracker.reports) into terminal text, Markdown or JSON."""
