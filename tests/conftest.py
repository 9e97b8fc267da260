"""Shared fixtures. Database fixtures live in dbfixtures.py (both backends)."""

from __future__ import annotations

pytest_plugins = ["dbfixtures"]
