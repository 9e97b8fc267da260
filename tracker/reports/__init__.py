"""Reports: build the data first (digest_data.py, built by digest.py), then render it (console,
markdown, json)."""
