"""Process-wide machinery that knows nothing of registries, records or the database, so any
layer may use it: the one request to stop (`interrupt`: SIGTERM, Ctrl-C, a lost writer lock),
the scrubber every outgoing text passes through (`redact`), and the pool of worker processes
the syncs parse on and the evidence engine reads records on (`workers`)."""
