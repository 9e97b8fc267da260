"""The scheduler, its jobs and the writer lock (tracker.schedule)."""
