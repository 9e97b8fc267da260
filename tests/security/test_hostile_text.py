"""Registry text with control characters stays inert in every output (terminal, JSON,
Markdown, CSV): the parsed record is cleaned once, before any renderer sees it."""

from __future__ import annotations

import pytest

from tests.cli.test_cli import tracker
from tests.e2e_support import write_config_file
from tracker.records.text import clean_text
from tracker.simulator import make_study

ESC_TITLE = (
    "rTMS in ALS\x1b[2J\x1b[H fake ledger \x1b]8;;https://evil.example/\x07NCT04393467"
    "\x1b]8;;\x07 \x1b]52;c;cm0gLXJmIH4K\x07 \x9b31m\x00\x7f end \u202egnp.exe\u202c"
)
FORBIDDEN = ["\x1b", "\x07", "\x00", "\x7f", "\x9b", "\u202e", "\u202c"]


def test_clean_text_keeps_newline_and_tab_and_shows_bidi_overrides() -> None:
    assert clean_text("a\nb\tc") == "a\nb\tc"
    assert clean_text("x\x1b[31my\x85\r\x08") == "x[31my"
    assert clean_text("\u2066id\u2069") == "[U+2066]id[U+2069]"
    assert clean_text("é — ü ✓") == "é — ü ✓"  # ordinary non-ASCII text is untouched


@pytest.fixture
def hostile(simulator, tmp_path):
    simulator.ctgov.add(
        make_study(
            "NCT05000001",
            title=ESC_TITLE,
            conditions=["Amyotrophic Lateral Sclerosis"],
            interventions=[("DEVICE", "rTMS")],
            sponsor='=HYPERLINK("https://evil.example")\x1b[8m',
        )
    )
    config = write_config_file(tmp_path, simulator, f"sqlite:///{tmp_path / 'h.db'}")
    tracker("sync", "--source", "ctgov", config=config)
    return config


@pytest.mark.parametrize(
    "args",
    [
        ("digest", "--all"),
        ("digest", "--all", "--format", "json"),
        ("digest", "--all", "--format", "markdown"),
        ("show", "NCT05000001"),
        ("show", "NCT05000001", "--format", "json"),
    ],
)
def test_no_control_character_reaches_any_output(hostile, args) -> None:
    result = tracker(*args, config=hostile, env={"COLUMNS": "300"})
    out = result.stdout + result.stderr
    assert "fake ledger" in out  # the record is there, its text kept
    for char in FORBIDDEN:
        assert char not in out, (args, repr(char))
    if "json" not in args:
        assert "U+202E" in out.replace("\\", "")  # the override is shown, not obeyed
