"""The claim is wholly configuration: no rule's reason template or exclusion name carries a
word of the first question (magnetic stimulation in ALS) that the config did not supply, and
study matching by acronym ignores acronyms that are only a family term or an everyday word."""

from __future__ import annotations

import ast
import re

import pytest

from tests import paths
from tracker.config import DEFAULT_CONFIG, load_config
from tracker.evidence.rules.studies import distinctive_acronym
from tracker.evidence.rules.terms import EXCLUSIONS, ROLES, VERDICTS
from tracker.evidence.rules.vocab import compile_vocab

RULES = paths.REPO / "tracker" / "evidence" / "rules"
FIRST_QUESTION = frozenset(
    "magnetic magnet stimulation stimulate stimulated tms rtms tsms tbs itbs ctbs coil "
    "als mnd amyotrophic sclerosis motor neuron neurone gehrig stimals".split()
)
"""Words of the first question: a rule may say them only by reading them from [claim]."""
TEMPLATE_CALLS = frozenset({"Verdict", "Relevance", "Role", "_out"})


def templates() -> list[tuple[str, str]]:
    """(where, literal text) of every string literal given to a verdict, relevance or role:
    the reason templates, rule ids and evidence prefixes a reader sees."""
    found = []
    for path in sorted(RULES.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in TEMPLATE_CALLS:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                found += [
                    (f"{path.name}:{sub.lineno}", sub.value)
                    for sub in ast.walk(arg)
                    if isinstance(sub, ast.Constant) and isinstance(sub.value, str)
                ]
    return found


def first_question_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w in FIRST_QUESTION}


def test_templates_are_found():
    texts = [t for _w, t in templates()]
    assert len(texts) > 50
    assert any("index result itself" in t for t in texts)


def test_no_reason_template_names_the_first_question():
    wrong = [(where, t) for where, t in templates() if first_question_words(t)]
    assert wrong == []


@pytest.mark.parametrize("name", [*EXCLUSIONS, *ROLES, *VERDICTS])
def test_no_exclusion_role_or_verdict_name_names_the_first_question(name):
    assert not first_question_words(name.replace("_", " "))


def test_the_check_catches_a_first_question_word():
    assert first_question_words("The stimulation is not magnetic") == {"stimulation", "magnetic"}
    assert first_question_words("look alike") == set()


def test_acronyms_that_are_only_family_terms_or_everyday_words_do_not_match():
    common = compile_vocab(load_config(DEFAULT_CONFIG, env={}).claim).common_words
    assert not distinctive_acronym("rTMS", common)
    assert not distinctive_acronym("TMS-ALS", common)
    assert not distinctive_acronym("HOPE", common)
    assert not distinctive_acronym("Tofersen", frozenset({"tofersen"}))
    assert distinctive_acronym("STIMALS", common)
    assert distinctive_acronym("VALOR", frozenset({"tofersen"}))


def test_a_drug_named_as_a_kind_of_the_family_is_the_therapy():
    from datetime import date

    from tests.evidence.test_evidence_rules import trial
    from tracker.evidence.rules.assess import Record, judge_records
    from tracker.ids import Source
    from tracker.records.trial import Intervention

    example = paths.REPO / "examples" / "tofersen-sod1-als"
    claim = load_config(example / "config.toml", env={}).claim
    drug = Intervention(
        type="DRUG",
        name="BIIB067",
        description="Given intrathecally.",
        other_names=["Tofersen"],
        arm_group_labels=[],
    )
    t = trial(interventions=[drug], arms=[], conditions=["SOD1 Amyotrophic Lateral Sclerosis"])
    (j,), _ = judge_records([Record(Source.CTGOV, t)], [], claim, date(2026, 11, 25))
    assert j.relevance.relevant, j.relevance.reason
    assert j.signals.therapy == {"tofersen": "intervention DRUG: BIIB067"}
