"""Task metrics: held to the shared vectors (test/fixtures/metric-vectors.json, which the TypeScript
twin must also match) and to independent references: the official SQuAD v1.1 functions,
scikit-learn's f1_score, numpy's percentile, jsonschema, hand-worked ROUGE-L values.
Needs only the standard library and pytest; the reference libraries are skipped when absent."""

import json
import os
import re
import string
import sys
from collections import Counter

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ftstudio_trainer import metrics  # noqa: E402

VECTORS = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "metric-vectors.json")
TOL = 1e-9


@pytest.fixture(scope="module")
def vectors():
    with open(VECTORS, encoding="utf-8") as f:
        return json.load(f)


# --- the official SQuAD v1.1 evaluation functions, verbatim (evaluate-v1.1.py) -------------------
def squad_normalize_answer(s):
    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    def lower(text):
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def squad_f1_score(prediction, ground_truth):
    prediction_tokens = squad_normalize_answer(prediction).split()
    ground_truth_tokens = squad_normalize_answer(ground_truth).split()
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1


def squad_exact_match_score(prediction, ground_truth):
    return squad_normalize_answer(prediction) == squad_normalize_answer(ground_truth)


# -------------------------------------------------------------------------------------------------


def test_pairs_match_the_shared_vectors(vectors):
    assert len(vectors["pairs"]) > 50
    for case in vectors["pairs"]:
        p, r = case["prediction"], case["reference"]
        assert metrics.normalize_answer(p) == case["normalized"], p
        assert metrics.rouge_tokens(p) == case["rougeTokens"], p
        for name in ("exact_match", "token_f1", "rouge_l"):
            assert abs(getattr(metrics, name)(p, r) - case[name]) <= TOL, (name, p, r)


def test_squad_metrics_equal_the_official_script(vectors):
    for case in vectors["pairs"]:
        p, r = case["prediction"], case["reference"]
        assert metrics.normalize_answer(p) == squad_normalize_answer(p)
        assert metrics.exact_match(p, r) == float(squad_exact_match_score(p, r))
        if squad_normalize_answer(p) == "" or squad_normalize_answer(r) == "":
            # the one documented departure: empty vs empty is 1 (SQuAD v2, HF evaluate), v1.1 said 0
            assert metrics.token_f1(p, r) == (1.0 if squad_normalize_answer(p) == squad_normalize_answer(r) else 0.0)
        else:
            assert abs(metrics.token_f1(p, r) - squad_f1_score(p, r)) <= TOL, (p, r)


def test_rouge_l_hand_worked():
    # 6 tokens each, LCS "the cat on the mat" = 5: P = R = F = 5/6
    assert abs(metrics.rouge_l("the cat lay on the mat", "the cat sat on the mat") - 5 / 6) <= TOL
    # LCS "police killed" = 2 of 4 and 4
    assert metrics.rouge_l("police killed the gunman", "the gunman police killed") == 0.5
    # punctuation and case are separators; non-ASCII letters too (rouge-score without stemming)
    assert metrics.rouge_tokens("Café au-lait, N°5!") == ["caf", "au", "lait", "n", "5"]
    # P = 1/1, R = 1/3: F = 2 * 1/3 / (4/3) = 0.5
    assert metrics.rouge_l("cat", "a cat sat") == 0.5
    assert metrics.rouge_l("", "x") == 0.0 and metrics.rouge_l("!!", "!!") == 0.0


def test_rouge_l_equals_rouge_score_when_installed(vectors):
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    for case in vectors["pairs"]:
        expected = scorer.score(case["reference"], case["prediction"])["rougeL"].fmeasure
        assert abs(metrics.rouge_l(case["prediction"], case["reference"]) - expected) <= TOL


def test_macro_f1_matches_the_vectors(vectors):
    for case in vectors["macroF1"]:
        assert abs(metrics.macro_f1(case["references"], case["predictions"]) - case["score"]) <= TOL


def test_macro_f1_equals_scikit_learn(vectors):
    sk = pytest.importorskip("sklearn.metrics")
    cases = [c for c in vectors["macroF1"] if c["references"]]
    cases += [
        {
            "references": [metrics.label_of(x) for x in s["references"]],
            "predictions": [metrics.label_of(x) for x in s["predictions"]],
        }
        for s in vectors["sets"]
        if s["metric"] == "macro_f1"
    ]
    for case in cases:
        expected = sk.f1_score(case["references"], case["predictions"], average="macro", zero_division=0)
        assert abs(metrics.macro_f1(case["references"], case["predictions"]) - expected) <= TOL, case


def test_macro_f1_rejects_unpaired_lists():
    with pytest.raises(ValueError, match="as many predictions"):
        metrics.macro_f1(["a"], [])


def test_json_schema_pass_matches_the_vectors(vectors):
    js = vectors["jsonSchema"]
    try:
        validate = metrics.schema_validator(js["schema"])
    except RuntimeError:
        pytest.skip("jsonschema is not installed")
    assert [metrics.json_schema_pass(o, validate) for o in js["outputs"]] == js["passes"]


def test_json_output_parse_refuses_what_javascript_refuses():
    assert metrics.parse_json_output('{"a": NaN}') == (False, None)
    assert metrics.parse_json_output("-Infinity") == (False, None)
    assert metrics.parse_json_output(" [1] ") == (True, [1])
    assert metrics.parse_json_output("[" * 100000)[0] is False


def test_prng_matches_the_vectors(vectors):
    for case in vectors["prng"]:
        nxt = metrics.mulberry32(case["seed"])
        assert [nxt() for _ in case["first"]] == case["first"]


def test_percentile_equals_numpy():
    np = pytest.importorskip("numpy")
    xs = sorted([0.3, 0.1, 0.7, 0.2, 0.9, 0.5, 0.55])
    for q in (0.0, 0.025, 0.5, 0.975, 1.0):
        assert abs(metrics.percentile(xs, q) - float(np.percentile(xs, q * 100))) <= TOL


def _has_jsonschema():
    try:
        import jsonschema  # noqa: F401

        return True
    except ImportError:
        return False


def test_scores_and_intervals_match_the_vectors(vectors):
    for case in vectors["sets"]:
        if case["metric"] == "json_schema" and not _has_jsonschema():
            continue  # test_json_schema_pass_matches_the_vectors reports the skip
        r = metrics.score(case["metric"], case["references"], case["predictions"], schema=case.get("schema"))
        assert r["n"] == case["n"]
        assert abs(r["score"] - case["score"]) <= TOL, case["metric"]
        assert abs(r["ci95"][0] - case["ci95"][0]) <= TOL and abs(r["ci95"][1] - case["ci95"][1]) <= TOL, case["metric"]
        assert r["ci95"][0] <= r["score"] <= r["ci95"][1] or case["n"] == 0


def test_interval_properties():
    assert metrics.mean_ci([0.5] * 20) == (0.5, 0.5)
    lo, hi = metrics.mean_ci([0.0] * 50 + [1.0] * 50)
    assert 0.35 < lo < 0.5 < hi < 0.65
    # the seed decides the interval: another seed, another interval
    spread = [(i * 7 % 37) / 37 for i in range(37)]
    assert metrics.mean_ci(spread, seed=1) != metrics.mean_ci(spread, seed=2)


def test_score_names_bad_requests():
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.score("bleu", [], [])
    with pytest.raises(ValueError, match="needs a schema"):
        metrics.score("json_schema", ["x"], ["x"])
