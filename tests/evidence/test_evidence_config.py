"""The [claim] section: validated like the rest of the config, and compiled into matchers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.config import DEFAULT_CONFIG, load_config
from tracker.errors import ConfigError
from tracker.evidence.rules.vocab import compile_vocab


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[claim]\nstatment = 'typo'\n", "unknown key 'claim.statment'"),
        ("[claim.index]\ndate = '2024-13-01'\n", "key 'claim.index.date'"),
        (
            "[claim.intervention.kinds]\nrTMS = 'not a list'\n",
            "key 'claim.intervention.kinds.rTMS'",
        ),
        ("[claim.outcomes]\nprogression = [1, 2]\n", "key 'claim.outcomes.progression.0'"),
    ],
)
def test_claim_errors_name_the_key_and_the_file(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), env={})
    assert message in str(error.value) and str(tmp_path) in str(error.value)


def test_shipped_claim_describes_stimals():
    claim = load_config(DEFAULT_CONFIG, env={}).claim
    assert claim.index.nct_id == "NCT04393467" and claim.index.date
    assert {"tSMS", "rTMS", "TBS", "deep_TMS", "peripheral"} <= set(claim.intervention.kinds)
    assert set(claim.outcomes) == {"progression", "survival"}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Patients with ALS", {"population": "ALS"}),
        ("als in lower case is not the acronym", {}),
        ("trials also", {}),
        ("motor neurone diseases", {"population": "motor neurone diseases"}),
    ],
)
def test_population_matching(text, found):
    vocab = compile_vocab(load_config(DEFAULT_CONFIG, env={}).claim)
    assert vocab.population.find(text) == found


def test_kinds_match_hyphen_or_space_and_a_changed_claim_changes_the_rules_hash():
    claim = load_config(DEFAULT_CONFIG, env={}).claim
    vocab = compile_vocab(claim)
    assert vocab.kinds.find("continuous theta-burst stimulation")["TBS"] == "continuous theta-burst"
    assert vocab.kinds.find("intermittent theta burst")["TBS"] == "intermittent theta burst"
    other = claim.model_copy(update={"statement": "another question"})
    assert compile_vocab(other).rules_hash != vocab.rules_hash
