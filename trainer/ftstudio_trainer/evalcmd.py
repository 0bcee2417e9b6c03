"""python -m ftstudio_trainer eval --config CONFIG --out eval.json [--checkpoint DIR]

All three gates on one checkpoint (default: the config's output folder, the run's final adapter): the golden
set (each item also generated with the adapter off; "flipped" lists the items the base model passes and the
adapter fails), the held-out sample, the safety set against the base. Writes eval.json atomically.
The gate fails when a mustPass item fails or a safety delta is above maxSafetyDeltaPoints.
Exit status: 0 passed, 1 gate failed, 2 usage or input problem (named on stderr), 4 a crash (traceback).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from typing import Any

from . import config
from .gates import Gates, gate_config, greedy_generator, safety_reasons, score_golden

EVAL_FILE_VERSION = 1
INTERNAL_ERROR = 4


def _fail(msg: str) -> int:
    print(f"ftstudio_trainer eval: {msg}", file=sys.stderr)
    return 2


def report(gates: Gates, measured: dict[str, Any], checkpoint: str, model: str) -> dict[str, Any]:
    """eval.json: the gate event's golden / heldout / safety plus the verdict."""
    reasons = []
    golden = measured.get("golden")
    if golden is not None:
        if gates.base_golden is not None:
            base = score_golden(gates.golden, gates.base_golden, gates.is_refusal)
            base_passed = {r["id"] for r in base["items"] if r["passed"]}
            golden["flipped"] = [r["id"] for r in golden["items"] if not r["passed"] and r["id"] in base_passed]
            golden["basePassRate"] = base["passRate"]
        must = [r["id"] for r in golden["items"] if r.get("mustPass") and not r["passed"]]
        if must:
            reasons.append(f"mustPass item{'s' if len(must) > 1 else ''} failed: {', '.join(must)}")
    reasons += safety_reasons(gates.cfg, measured.get("safety"))
    return {
        "v": EVAL_FILE_VERSION,
        "checkpoint": checkpoint,
        "model": model,
        "passed": not reasons,
        "reasons": reasons,
        **measured,
        "createdAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }


def write_atomic(path: str, doc: dict[str, Any]) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="ftstudio_trainer eval", description=__doc__)
    ap.add_argument("--config", required=True)
    ap.add_argument("--checkpoint")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    try:
        cfg = config.load(args.config)
        gate_cfg = gate_config(cfg.eval)
        if gate_cfg is None:
            return _fail(f"{args.config}: no eval block with a golden set, a held-out metric or a safety set")
        gates = Gates(gate_cfg, cfg.heldout)
    except (OSError, ValueError) as e:
        return _fail(str(e))
    checkpoint = os.path.abspath(args.checkpoint or cfg.output)
    is_adapter = os.path.exists(os.path.join(checkpoint, "adapter_config.json"))
    if not is_adapter and not os.path.exists(os.path.join(checkpoint, "config.json")):
        return _fail(
            f"{checkpoint}: no adapter (adapter_config.json) or model (config.json) there: name a checkpoint with --checkpoint"
        )

    try:
        return _evaluate(cfg, gates, checkpoint, is_adapter, args.out)
    except Exception:  # noqa: BLE001 — a crash is not a failed gate: its own exit status, the traceback shown
        import traceback

        traceback.print_exc()
        return INTERNAL_ERROR


def _evaluate(cfg: config.TrainConfig, gates: Gates, checkpoint: str, is_adapter: bool, out: str) -> int:
    import torch
    from transformers import AutoModelForCausalLM

    from .model import _dtype_kwargs, load_tokenizer
    from .train import _device
    import transformers

    device = _device(torch, 0)
    bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
    dtype = {**_dtype_kwargs(transformers, torch.bfloat16 if bf16 else torch.float32)}
    tokenizer = load_tokenizer(cfg)
    if is_adapter:
        import peft

        model = peft.PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(cfg.model, **dtype), checkpoint)
    else:
        model = AutoModelForCausalLM.from_pretrained(checkpoint, **dtype)
        print(
            "ftstudio_trainer eval: a full model, not an adapter: no base comparison (safety delta, golden flips)",
            file=sys.stderr,
        )
    model.to(device).eval()
    generate = greedy_generator(model, tokenizer, device, gates.cfg.max_new_tokens)
    doc = report(gates, gates.measure(generate, has_base=is_adapter), checkpoint, cfg.model)
    write_atomic(out, doc)
    g = doc.get("golden")
    if g:
        print(f"golden {g['passed']}/{g['total']} passed ({g['passRate'] * 100:.1f}%)", file=sys.stderr)
    print(f"gate {'passed' if doc['passed'] else 'failed: ' + '; '.join(doc['reasons'])}", file=sys.stderr)
    return 0 if doc["passed"] else 1
