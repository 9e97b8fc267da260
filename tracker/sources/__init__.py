"""Registry sources: each module fetches (I/O) and parses (pure) one registry."""
