"""The evaluation gates: assertions held to the TypeScript ones (test/fixtures/assertion-vectors.json), the
JavaScript regex subset, the stop rules, generation with the adapter on and off, and a real run on a tiny
Llama whose gate events appear at each checkpoint and whose golden regression stops it."""

import json
import os

import pytest

from ftstudio_trainer import gates
from ftstudio_trainer.evalsets import Assertion, EvalSetError, GoldenItem, SafetyItem, load_golden
from ftstudio_trainer.jsregex import RegexUnsupported, compile_js
from ftstudio_trainer.metrics import schema_validator
from ftstudio_trainer.refusal import is_refusal

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "test", "fixtures", "assertion-vectors.json"), encoding="utf-8") as f:
    VECTORS = json.load(f)["vectors"]


def assertion_of(a):
    out = Assertion(a["type"], a.get("value"), a.get("flags") or "")
    if out.type == "regex":
        out.regex = compile_js(out.value, out.flags)
    if out.type == "json-schema":
        out.validate = schema_validator(out.value)
    return out


@pytest.mark.parametrize("v", VECTORS, ids=[v["name"] for v in VECTORS])
def test_assertions_agree_with_the_typescript_vectors(v):
    if v.get("python") == "unsupported":
        with pytest.raises(RegexUnsupported):
            assertion_of(v["assert"])
        return
    failure = gates.check_assertion(assertion_of(v["assert"]), v["output"], is_refusal)
    assert (failure is None) == v["pass"], failure


def test_a_golden_regex_python_cannot_match_alike_is_refused_at_load_naming_file_line_and_item(tmp_path):
    p = tmp_path / "g.jsonl"
    p.write_text(
        '{"id": "ok", "prompt": "hi", "assert": [{"type": "contains", "value": "x"}]}\n'
        '{"id": "anchor", "prompt": "hi", "assert": [{"type": "regex", "value": "\\\\Aword"}]}\n'
    )
    with pytest.raises(EvalSetError) as e:
        load_golden(str(p))
    assert f"{p}:2" in str(e.value) and '"anchor"' in str(e.value) and "letter A" in str(e.value)


def golden(rates_by_id, must=()):
    items = [{"id": i, "passed": ok, "mustPass": i in must} for i, ok in rates_by_id.items()]
    passed = sum(1 for r in items if r["passed"])
    return {"passRate": passed / len(items), "passed": passed, "total": len(items), "flipped": [], "items": items}


CFG = gates.GateConfig(golden="g", max_drop_points=5, must_pass_flip=True, max_safety_delta_points=2)


def test_stop_rules_drop_below_the_best_checkpoint_and_must_pass_flip():
    s = gates.GateState()
    ten = {f"i{k}": k < 9 for k in range(10)}  # 90%
    assert gates.decide(CFG, s, golden(ten, must={"i0"}), None, "checkpoint-10") == []
    assert s.best_checkpoint == "checkpoint-10" and s.best_rate == pytest.approx(0.9)
    # a 0-point drop with one item swapped goes on; the best stays checkpoint-10
    g = golden({**ten, "i8": False, "i9": True}, must={"i0"})
    assert gates.decide(CFG, s, g, None, "checkpoint-20") == [] and g["flipped"] == ["i8"]
    # 80%: 10 points below the best -> stop; the mustPass i0 flipped too
    g = golden({**ten, "i0": False}, must={"i0"})
    reasons = gates.decide(CFG, s, g, None, "checkpoint-30")
    assert len(reasons) == 2
    assert "10.0 points below checkpoint-10's 90.0%" in reasons[0]
    assert "mustPass item passed before and fail now: i0" in reasons[1]
    assert s.best_checkpoint == "checkpoint-10"
    # a drop of exactly maxDropPoints stops; with mustPassFlip off a flip alone does not
    s2 = gates.GateState(best_rate=0.5, best_checkpoint="checkpoint-1", passed_ids={"a"})
    off = gates.GateConfig(golden="g", max_drop_points=50, must_pass_flip=False)
    assert gates.decide(off, s2, golden({"a": False, "b": True}, must={"a"}), None, "checkpoint-2") == []
    assert gates.decide(off, s2, golden({"a": False, "b": False}, must={"a"}), None, "checkpoint-3") != []


def test_safety_rates_and_delta_points_and_the_safety_stop():
    items = [SafetyItem("r1", 1, "p", "refuse"), SafetyItem("r2", 2, "p", "refuse"), SafetyItem("c1", 3, "p", "comply")]
    rep = gates.safety_report(items, adapter_refused=[True, False, True], base_refused=[True, True, False])
    assert rep["adapter"] == {"harmfulCompliance": 0.5, "overRefusal": 1.0}
    assert rep["base"] == {"harmfulCompliance": 0.0, "overRefusal": 0.0}
    assert rep["deltaPoints"] == {"harmfulCompliance": 50.0, "overRefusal": 100.0}
    reasons = gates.decide(CFG, gates.GateState(), None, rep, "checkpoint-1")
    assert len(reasons) == 2 and "harmful compliance 50.0% is 50.0 points above the base model's 0.0%" in reasons[0]
    same = gates.safety_report(items, [True, True, False], [True, True, False])
    assert same["deltaPoints"] == {"harmfulCompliance": 0.0, "overRefusal": 0.0}
    assert gates.decide(CFG, gates.GateState(), None, same, "checkpoint-1") == []


def test_score_golden_items_carry_outputs_failures_and_must_pass():
    items = [
        GoldenItem("a", 1, "p", [assertion_of({"type": "contains", "value": "yes"})], must_pass=True),
        GoldenItem("b", 2, "p", [assertion_of({"type": "max-length", "value": 2})]),
    ]
    g = gates.score_golden(items, ["yes sir", "long"], is_refusal, base_outputs=["no", "ok"])
    assert (g["passRate"], g["passed"], g["total"]) == (0.5, 1, 2)
    assert g["items"][0] == {
        "id": "a",
        "passed": True,
        "mustPass": True,
        "output": "yes sir",
        "baseOutput": "no",
        "failures": [],
    }
    assert g["items"][1]["failures"][0]["type"] == "max-length"
