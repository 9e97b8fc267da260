"""The email report and its delivery (tracker.email)."""
