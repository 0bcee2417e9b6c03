import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]

from ftstudio_trainer import tiny as tiny_model  # noqa: E402

# the parity template: nothing after the end-of-turn token, so TRL's DPO slicing and our masks agree token for token
TEMPLATE = tiny_model.TEMPLATE
TOPICS = [
    "gradient descent",
    "LoRA adapters",
    "tokenization",
    "learning rates",
    "overfitting",
    "held-out sets",
    "DPO pairs",
    "warmup",
]


def sft_records(n):
    return [
        {
            "messages": [
                {"role": "system", "content": "You are a concise tutor."},
                {"role": "user", "content": f"Explain {TOPICS[i % 8]}. ({i})"},
                {"role": "assistant", "content": f"{TOPICS[i % 8].capitalize()} is a core idea; answer {i % 7}."},
            ]
        }
        for i in range(n)
    ]


def dpo_records(n):
    return [
        {
            "prompt": [{"role": "user", "content": f"What is {TOPICS[i % 8]}? ({i})"}],
            "chosen": [{"role": "assistant", "content": f"{TOPICS[i % 8].capitalize()} is explained clearly."}],
            "rejected": [{"role": "assistant", "content": "I do not know."}],
        }
        for i in range(n)
    ]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def build_tiny_llama(folder, template=TEMPLATE):
    """A 2-layer Llama with random weights and a byte-level BPE tokenizer trained here: no download."""
    texts = [m["content"] for r in sft_records(16) for m in r["messages"]] + [
        t["content"] for r in dpo_records(16) for k in ("prompt", "chosen", "rejected") for t in r[k]
    ]
    return tiny_model.build_tiny_llama(folder, texts, template)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """(model folder, data folder) shared by the session's tests: a tiny Llama, SFT and DPO data."""
    root = tmp_path_factory.mktemp("tiny")
    model = build_tiny_llama(str(root / "model"))
    write_jsonl(root / "sft.jsonl", sft_records(16))
    write_jsonl(root / "sft-heldout.jsonl", sft_records(20)[16:])
    write_jsonl(root / "dpo.jsonl", dpo_records(8))
    return model, root


def run_config(tmp_path, model, root, **over):
    base = {
        "method": "sft",
        "model": model,
        "train": str(root / "sft.jsonl"),
        "output": str(tmp_path / "out"),
        "events": str(tmp_path / "events.jsonl"),
        "adapter": "lora",
        "lora_r": 4,
        "lora_alpha": 8,
        "lora_dropout": 0.0,
        "batch_size": 4,
        "max_seq_length": 128,
        "warmup_ratio": 0.1,
        "learning_rate": 2e-3,
        "seed": 3,
        "save_steps": 0,
        "eval_steps": 0,
        "max_steps": 6,
    }
    return {**base, **over}


def read_events(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]
