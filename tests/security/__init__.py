"""Hostile input and secrets: registry text that stays text, pages that are not what the API
sends, redaction, small bad inputs."""
