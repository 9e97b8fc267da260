"""The claim is configuration: no text the code shows (reason templates, exclusion names,
email and page text) names the first question's therapy, population or index unless it came
from [claim]. Docstrings and comments may use it as an example; the shipped config's
defaults (tracker/config/default_config.toml) are where it belongs."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.first_question import first_question_terms, hits
from tracker.evidence.rules.terms import EXCLUSIONS

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
TERMS = first_question_terms(outcomes=False)
TEMPLATES = (".html", ".txt", ".j2", ".jinja", ".xml", ".css", ".md")

REMAINING = {
    ("evidence/rules/terms.py", "magnetic"),
    ("evidence/rules/terms.py", "stimulation"),
}
"""What is still there: only the old exclusion names `not_magnetic` and `no_stimulation`, kept
as aliases (RENAMED_EXCLUSIONS) so that databases written before the rename still read.
Each entry must go as it is fixed; a new one is never added."""


def shown_strings(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal, f-string parts included, except docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    documenting = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for stmt in body:  # module/class/function docstrings and attribute docstrings
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                    documenting.add(id(stmt.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in documenting:
                yield node.lineno, node.value


def found_in_code() -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for path in sorted(TRACKER.rglob("*")):
        rel = path.relative_to(TRACKER).as_posix()
        if rel.startswith(("simulator/", "demo/")):
            continue  # registry records of the simulator and the demo world: data, not shown text
        if path.suffix == ".py":
            texts = [(f"{rel}:{line}", text) for line, text in shown_strings(path)]
        elif path.suffix in TEMPLATES:
            texts = [(rel, path.read_text(encoding="utf-8"))]
        else:
            continue  # default_config.toml: the first question's own config
        for where, text in texts:
            for term, _ in hits([text], TERMS):
                out.setdefault((rel, term), []).append(f"{where}: {text[:80]!r}")
    return out


def test_no_shown_text_names_the_first_question_beyond_what_remains():
    found = found_in_code()
    new = {key: where for key, where in found.items() if key not in REMAINING}
    assert new == {}, "first-question words in shown text (move them to [claim])"
    fixed = REMAINING - set(found)
    assert fixed == set(), "fixed: remove these from REMAINING so they cannot come back"


def test_no_new_exclusion_name_says_it():
    # Exclusion names are shown in every report: only the two still to rename may say it.
    named = {name for name in EXCLUSIONS if hits([name], TERMS)}
    assert named <= {"not_magnetic", "no_stimulation"}


def test_the_scan_sees_templates_and_skips_docstrings(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        '"""Magnetic stimulation in ALS, as an example."""\n'
        "X = 1\n"
        '"""rTMS: an attribute docstring."""\n'
        "def f(n):\n"
        '    """TMS, documented."""\n'
        '    return f"{n} received stimulation" + "tDCS"\n'
    )
    texts = [text for _, text in shown_strings(module)]
    assert sorted(t for t, _ in hits(texts, TERMS)) == ["stimulation", "tDCS"]
