"""Refusal detection: the Python twin is held to the same vectors as src/core/eval/refusal.ts."""

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ftstudio_trainer import refusal  # noqa: E402

VECTORS = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "refusal-vectors.json")


@pytest.fixture(scope="module")
def vectors():
    with open(VECTORS, encoding="utf-8") as f:
        return json.load(f)


def test_builtin_patterns_match_the_shared_vectors(vectors):
    for case in vectors["builtin"]:
        assert refusal.is_refusal(case["text"]) == case["refusal"], case["text"][:80]


def test_extra_patterns_add_to_the_builtin_ones(vectors):
    detect = refusal.refusal_detector(vectors["extra"]["patterns"])
    for case in vectors["extra"]["cases"]:
        assert detect(case["text"]) == case["refusal"], case["text"]
    assert detect("I cannot help with that.")  # the built-in ones still apply
    assert not refusal.is_refusal("Nope, not doing that")


def test_a_bad_pattern_is_named():
    with pytest.raises(ValueError, match=r'finetune.json: pattern 1 "\(" is not a valid regular expression'):
        refusal.refusal_detector(["("], "finetune.json")
