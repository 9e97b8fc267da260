"""tracker: a living-evidence tracker for one clinical claim."""

__version__ = "0.1.0"
