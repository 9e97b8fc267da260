"""The compiled vocabularies: one Aho-Corasick pass finds which groups a text can match,
and the groups found are exactly those the per-group substring tests found before."""

from __future__ import annotations

import pytest

from tracker.evidence.rules.vocab import Lexicon


def test_needles_that_overlap_in_the_text_are_all_found():
    # 'ALS-FRS' has the needle 'als', 'ALSFRS' the needle 'alsfrs': both start at the same
    # place in 'ALSFRS', and both terms match it. A pass that reported only one needle at a
    # place would lose a group.
    lexicon = Lexicon({"split": ("ALS-FRS",), "whole": ("ALSFRS",)})
    assert lexicon.find("The ALSFRS score") == {"split": "ALSFRS", "whole": "ALSFRS"}
    assert lexicon.spans("ALSFRS") == [(0, 6, "split"), (0, 6, "whole")]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Repetitive transcranial magnetic stimulation (rTMS) in ALS", {"rtms", "tms"}),
        ("Deep TMS for depression", {"deep", "tms"}),
        ("transcranial direct current stimulation", {"tdcs"}),
        ("nothing of the kind", set()),
        ("", set()),
    ],
)
def test_the_groups_found_are_those_the_terms_match(text, found):
    lexicon = Lexicon(
        {
            "rtms": ("rTMS", "repetitive transcranial magnetic stimulation"),
            "tms": ("TMS", "transcranial magnetic stimulation"),
            "deep": ("deep TMS",),
            "tdcs": ("tDCS", "transcranial direct current stimulation"),
            "empty": (),
        }
    )
    assert set(lexicon.find(text)) == found
    assert {name for _s, _e, name in lexicon.spans(text)} == found
