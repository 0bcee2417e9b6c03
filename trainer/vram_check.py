"""Peak GPU memory of the bundled trainer, to hold preflight's VRAM estimate (estimateVramGiB in
src/core/training/preflight.ts) to what a run really takes.

    python trainer/vram_check.py OUT_DIR [--steps 3] [--shape tinyllama|llama3.2-1b]

A Llama of TinyLlama's shape (1.1B parameters: hidden 2048, 22 layers, 32 heads, 4 key-value heads, a 32,000-id
vocabulary), or of Llama-3.2-1B's (1.24B, a 128,256-id vocabulary), with random
weights, built from a config on the GPU (no hub download), and a byte-level BPE tokenizer trained here. Each case
runs the trainer in this process for a few steps on records long enough to fill maxSeqLength, and reads
torch.cuda.max_memory_allocated / max_memory_reserved. OUT_DIR/vram.json receives, per case, the method,
adapter, batch, maxSeqLength, the parameter count and the peaks in GiB. Needs CUDA.
"""

from __future__ import annotations

import gc
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

WORDS = (
    "gradient adapter token batch learning rate warmup held-out golden checkpoint precision model data review "
    "evaluation safety prompt answer chosen rejected loss step epoch schedule optimizer weight layer attention"
).split()


# the model shapes (--shape): TinyLlama-1.1B, and Llama-3.2-1B with its 128,256-id vocabulary (tied embeddings)
SHAPES = {
    "tinyllama": {
        "vocab_size": 32000,
        "hidden_size": 2048,
        "intermediate_size": 5632,
        "num_hidden_layers": 22,
        "num_attention_heads": 32,
        "num_key_value_heads": 4,
        "tie_word_embeddings": False,
    },
    "llama3.2-1b": {
        "vocab_size": 128256,
        "hidden_size": 2048,
        "intermediate_size": 8192,
        "num_hidden_layers": 16,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "tie_word_embeddings": True,
    },
}


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def main() -> int:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from ftstudio_trainer import config
    from ftstudio_trainer.tiny import build_tiny_llama
    from ftstudio_trainer.train import run

    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "vram-check-out")
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 3
    shape_name = sys.argv[sys.argv.index("--shape") + 1] if "--shape" in sys.argv else "tinyllama"
    os.makedirs(out, exist_ok=True)
    if not torch.cuda.is_available():
        print("vram_check: no CUDA device", file=sys.stderr)
        return 2
    rng = random.Random(3)
    sft = [
        {"messages": [{"role": "user", "content": text(rng, 40)}, {"role": "assistant", "content": text(rng, 2500)}]}
        for _ in range(64)
    ]
    dpo = [
        {
            "prompt": [{"role": "user", "content": text(rng, 40)}],
            "chosen": [{"role": "assistant", "content": text(rng, 600)}],
            "rejected": [{"role": "assistant", "content": text(rng, 600)}],
        }
        for _ in range(64)
    ]
    data = {}
    for name, rows in (("sft", sft), ("dpo", dpo)):
        data[name] = os.path.join(out, f"{name}.jsonl")
        with open(data[name], "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)

    model_dir = os.path.join(out, shape_name)
    build_tiny_llama(model_dir, WORDS * 20, vocab_size=512)  # the tokenizer (and a tiny model, replaced below)
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        small = json.load(f)
    # the tokenizer uses the first 512 ids; the logits span the whole vocabulary, as a real model's do
    shape = LlamaConfig(
        **SHAPES[shape_name],
        max_position_embeddings=2048,
        bos_token_id=small["bos_token_id"],
        eos_token_id=small["eos_token_id"],
        pad_token_id=small["pad_token_id"],
    )
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = LlamaForCausalLM(shape).to(torch.bfloat16)
    params = sum(p.numel() for p in model.parameters())
    model.save_pretrained(model_dir)
    del model
    gc.collect()
    torch.cuda.empty_cache()

    cases = [
        ("sft", "lora", 4, 512),
        ("sft", "lora", 8, 1024),
        ("sft", "lora", 8, 2048),
        ("sft", "none", 4, 512),
        ("dpo", "lora", 4, 512),
        ("dpo", "none", 2, 512),
    ]
    results = []
    for method, adapter, batch, seq in cases:
        name = f"{method}-{adapter}-b{batch}-s{seq}"
        cfg = config.from_dict(
            {
                "method": method,
                "model": model_dir,
                "adapter": adapter,
                "lora_r": 16,
                "lora_alpha": 32,
                "lora_dropout": 0.0,
                "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"],
                "batch_size": batch,
                "max_seq_length": seq,
                "learning_rate": 1e-4 if adapter != "none" else 1e-5,
                "beta": 0.1,
                "warmup_ratio": 0.0,
                "seed": 42,
                "save_steps": 10_000,
                "max_steps": steps,
                "train": data[method],
                "output": os.path.join(out, name),
                "events": os.path.join(out, name, "events.jsonl"),
            }
        )
        gc.collect()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        t0 = time.time()
        code = run(cfg)
        row = {
            "case": name,
            "shape": shape_name,
            "method": method,
            "adapter": adapter,
            "batchSize": batch,
            "maxSeqLength": seq,
            "parameters": params,
            "exit": code,
            "seconds": round(time.time() - t0, 1),
            "peakAllocatedGiB": round((torch.cuda.max_memory_allocated() - base) / 2**30, 2),
            "peakReservedGiB": round(torch.cuda.max_memory_reserved() / 2**30, 2),
        }
        print(json.dumps(row), flush=True)
        results.append(row)
    with open(os.path.join(out, "vram.json"), "w", encoding="utf-8") as f:
        json.dump({"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, "cases": results}, f, indent=2)
    return 0 if all(r["exit"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
