"""The bundled trainer for real: SFT and DPO for 30 steps each on a tiny Llama built from a config.

    python trainer/gpu_check.py OUT_DIR [--steps 30]

No hub download: the model is a LlamaConfig with random weights, the tokenizer a byte-level BPE trained
here with `tokenizers` on the generated data, with a chat template. The runs go through the same entry
point the extension launches (`python -m ftstudio_trainer --config … --events …`), then the SFT run is
resumed from its last checkpoint for 10 more steps; with bitsandbytes on CUDA, a QLoRA SFT run too. OUT_DIR receives, per run, events.jsonl and the log,
and summary.json with the figures (first and last loss, eval loss, DPO reward accuracy, seconds, GPU).
Exit status 0 only when every run ended "completed" and the checks below hold.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # ftstudio_trainer, beside this script

CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}{{ eos_token }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)

TOPICS = [
    "gradient descent",
    "LoRA adapters",
    "tokenization",
    "learning rates",
    "overfitting",
    "held-out sets",
    "DPO pairs",
    "golden sets",
    "checkpoints",
    "mixed precision",
    "batch size",
    "warmup",
]


def sft_records(n: int, rng: random.Random) -> list[dict]:
    out = []
    for i in range(n):
        t = rng.choice(TOPICS)
        out.append(
            {
                "messages": [
                    {"role": "system", "content": "You are a concise tutor."},
                    {"role": "user", "content": f"Explain {t} in one sentence. ({i})"},
                    {
                        "role": "assistant",
                        "content": f"{t.capitalize()} is a core idea of fine-tuning; answer {i % 7}.",
                    },
                ]
            }
        )
    return out


def dpo_records(n: int, rng: random.Random) -> list[dict]:
    out = []
    for i in range(n):
        t = rng.choice(TOPICS)
        out.append(
            {
                "prompt": [{"role": "user", "content": f"What is {t}? ({i})"}],
                "chosen": [{"role": "assistant", "content": f"{t.capitalize()} is explained clearly and briefly."}],
                "rejected": [{"role": "assistant", "content": "I do not know, figure it out yourself."}],
            }
        )
    return out


def write_jsonl(path: str, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def build_model(folder: str, texts: list[str]) -> dict:
    """The tiny Llama of ftstudio_trainer.tiny, a size up (hidden 64, 512 positions, a 512-token vocabulary)."""
    from transformers import LlamaForCausalLM

    from ftstudio_trainer.tiny import build_tiny_llama

    build_tiny_llama(folder, texts, template=CHAT_TEMPLATE, vocab_size=512, hidden_size=64, max_positions=512)
    model = LlamaForCausalLM.from_pretrained(folder)
    return {"vocab": model.config.vocab_size, "parameters": sum(p.numel() for p in model.parameters())}


def run_trainer(out: str, name: str, cfg: dict) -> dict:
    run_dir = os.path.join(out, name)
    os.makedirs(run_dir, exist_ok=True)
    cfg_path = os.path.join(run_dir, "trainer-config.json")
    events = os.path.join(run_dir, "events.jsonl")
    with open(cfg_path, "w", encoding="utf-8") as f:
        json.dump({**cfg, "events": events}, f, indent=2)
    env = {**os.environ, "PYTHONPATH": HERE + os.pathsep + os.environ.get("PYTHONPATH", "")}
    t0 = time.time()
    with open(os.path.join(run_dir, "trainer.log"), "w", encoding="utf-8") as log:
        code = subprocess.call(
            [sys.executable, "-m", "ftstudio_trainer", "--config", cfg_path, "--events", events],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    seconds = time.time() - t0
    evs = [json.loads(line) for line in open(events, encoding="utf-8")] if os.path.exists(events) else []
    steps = [e for e in evs if e["event"] == "step"]
    evals = [e for e in evs if e["event"] == "eval"]
    end = next((e for e in reversed(evs) if e["event"] in ("end", "error")), {})
    start = next((e for e in evs if e["event"] == "start"), {})
    return {
        "exit": code,
        "seconds": round(seconds, 1),
        "status": end.get("status", end.get("message")),
        "steps": len(steps),
        "firstLoss": steps[0]["loss"] if steps else None,
        "lastLoss": steps[-1]["loss"] if steps else None,
        "evalLoss": [round(e["evalLoss"], 4) for e in evals],
        "checkpoints": sum(e["event"] == "checkpoint" for e in evs),
        "resumedFrom": start.get("resumedFrom"),
        "bf16": start.get("bf16"),
        "rewardAccuracy": steps[-1].get("rewardAccuracy") if steps else None,
    }


def main() -> int:
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "gpu-check-out")
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 30
    os.makedirs(out, exist_ok=True)
    import torch
    import transformers
    import peft

    rng = random.Random(7)
    data = os.path.join(out, "data")
    os.makedirs(data, exist_ok=True)
    sft, dpo = sft_records(160, rng), dpo_records(160, rng)
    write_jsonl(os.path.join(data, "sft.jsonl"), sft[:140])
    write_jsonl(os.path.join(data, "sft-heldout.jsonl"), sft[140:])
    write_jsonl(os.path.join(data, "dpo.jsonl"), dpo[:140])
    write_jsonl(os.path.join(data, "dpo-heldout.jsonl"), dpo[140:])
    texts = [m["content"] for r in sft for m in r["messages"]] + [
        t["content"] for r in dpo for k in ("prompt", "chosen", "rejected") for t in r[k]
    ]
    texts += [f"<|{r}|>" for r in ("system", "user", "assistant")]
    model_dir = os.path.join(out, "tiny-llama")
    model_info = build_model(model_dir, texts)

    summary: dict = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "cuda": torch.cuda.is_available(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "model": model_info,
    }
    common = {
        "model": model_dir,
        "adapter": "lora",
        "lora_r": 8,
        "lora_alpha": 16,
        "lora_dropout": 0.0,
        "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"],
        "batch_size": 8,
        "max_seq_length": 256,
        "warmup_ratio": 0.1,
        "seed": 42,
        "save_steps": 10,
        "eval_steps": 10,
        "max_steps": steps,
    }
    sft_out = os.path.join(out, "sft", "model")
    summary["sft"] = run_trainer(
        out,
        "sft",
        {
            **common,
            "method": "sft",
            "learning_rate": 2e-3,
            "train": os.path.join(data, "sft.jsonl"),
            "heldout": os.path.join(data, "sft-heldout.jsonl"),
            "output": sft_out,
        },
    )
    summary["sft-resume"] = run_trainer(
        out,
        "sft-resume",
        {
            **common,
            "method": "sft",
            "learning_rate": 2e-3,
            "train": os.path.join(data, "sft.jsonl"),
            "heldout": os.path.join(data, "sft-heldout.jsonl"),
            "output": sft_out,
            "max_steps": steps + 10,
        },
    )
    summary["dpo"] = run_trainer(
        out,
        "dpo",
        {
            **common,
            "method": "dpo",
            "learning_rate": 5e-4,
            "beta": 0.1,
            "train": os.path.join(data, "dpo.jsonl"),
            "heldout": os.path.join(data, "dpo-heldout.jsonl"),
            "output": os.path.join(out, "dpo", "model"),
        },
    )
    import importlib.util

    if torch.cuda.is_available() and importlib.util.find_spec("bitsandbytes"):
        summary["sft-qlora"] = run_trainer(
            out,
            "sft-qlora",
            {
                **common,
                "method": "sft",
                "adapter": "qlora",
                "learning_rate": 2e-3,
                "train": os.path.join(data, "sft.jsonl"),
                "output": os.path.join(out, "sft-qlora", "model"),
            },
        )
    checks = {
        "sft completed with all steps": summary["sft"]["status"] == "completed" and summary["sft"]["steps"] == steps,
        "sft loss fell": (summary["sft"]["lastLoss"] or 1e9) < (summary["sft"]["firstLoss"] or 0),
        "sft resumed from its last checkpoint": str(summary["sft-resume"]["resumedFrom"] or "").endswith(
            f"checkpoint-{steps}"
        )
        and summary["sft-resume"]["steps"] == 10,
        "dpo completed with all steps": summary["dpo"]["status"] == "completed" and summary["dpo"]["steps"] == steps,
        "dpo loss fell below log 2": (summary["dpo"]["lastLoss"] or 1e9) < 0.6931,
        "bf16 on a GPU that supports it": not torch.cuda.is_available()
        or not torch.cuda.is_bf16_supported()
        or summary["sft"]["bf16"] is True,
    }
    if "sft-qlora" in summary:
        checks["qlora completed with all steps"] = (
            summary["sft-qlora"]["status"] == "completed" and summary["sft-qlora"]["steps"] == steps
        )
    summary["checks"] = checks
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
    print(json.dumps(summary, indent=2))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
