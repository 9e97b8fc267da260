"""The static website (tracker.site), built and read in a browser."""
