"""One sync per source (tracker.ingest): workers and end-to-end syncs against the simulator."""
