"""Reports: build the data first (digest.py), then render it (console, markdown, json)."""
