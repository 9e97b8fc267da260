"""How verdicts are named and coloured in every report (terminal, Markdown, email)."""

from __future__ import annotations

from typing import Final

VERDICT_LABELS: Final = {
    "confirms": "confirms",
    "refutes": "refutes",
    "inconclusive": "inconclusive",
    "pending": "pending",
    "not_applicable": "not applicable",
}
"""Every verdict in the order reports list them (tracker.evidence.rules.terms.VERDICTS)."""

VERDICT_STYLES: Final = {
    "confirms": "green",
    "refutes": "red",
    "inconclusive": "yellow",
    "pending": "blue",
    "not_applicable": "dim",
}

VERDICT_COLOURS: Final = {
    "confirms": "#1a7f37",
    "refutes": "#cf222e",
    "inconclusive": "#bf8700",
    "pending": "#0969da",
    "not_applicable": "#8c959f",
}
"""Hex colours for HTML and the chart; readable on white and for most colour vision."""

STATE_VERDICT: Final = {
    "confirmed": "confirms",
    "not_supported": "refutes",
    "contested": "inconclusive",
    "open": "pending",
    "untested": "not_applicable",
}
"""The claim's state (tracker.evidence.rules.standing) is shown in its verdict's colour."""


def state_colour(state: str | None) -> str:
    return VERDICT_COLOURS[STATE_VERDICT.get(state or "", "not_applicable")]


def state_style(state: str | None) -> str:
    return VERDICT_STYLES[STATE_VERDICT.get(state or "", "not_applicable")]
