"""The one HTTP seam (tracker.http): pacing, retries, bounds."""
