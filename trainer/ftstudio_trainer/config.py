"""trainer-config.json (written by Finetune Studio for each run) -> plain settings for the loop."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TrainConfig:
    method: str
    model: str
    train: str
    output: str
    events: str
    heldout: str | None = None
    adapter: str = "lora"
    lora_r: int = 16
    lora_alpha: float = 32
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] | str = ("q_proj", "k_proj", "v_proj", "o_proj")  # or "all-linear"
    learning_rate: float = 2e-4
    epochs: float = 1.0
    batch_size: int = 4
    gradient_accumulation: int = 1
    max_seq_length: int = 2048
    beta: float = 0.1
    warmup_ratio: float = 0.03
    weight_decay: float = 0.0  # TRL's (and transformers') default; torch's AdamW would use 0.01
    seed: int = 42
    save_steps: int = 200
    eval_steps: int = 200
    max_steps: int | None = None
    eval: dict[str, Any] | None = None  # finetune.json's eval block as EvalConfig (camelCase): gates.gate_config
    extra: dict[str, Any] = field(default_factory=dict)


_FIELDS = {f for f in TrainConfig.__dataclass_fields__}  # noqa: SLF001


def from_dict(d: dict[str, Any]) -> TrainConfig:
    if d.get("method") not in ("sft", "dpo"):
        raise ValueError(f"method must be sft or dpo, not {d.get('method')!r}")
    for key in ("model", "train", "output", "events"):
        if not d.get(key):
            raise ValueError(f"missing {key!r} in the trainer config")
    known = {k: v for k, v in d.items() if k in _FIELDS and v is not None}
    if "target_modules" in known:
        tm = known["target_modules"]
        if isinstance(tm, str):
            if tm != "all-linear":
                raise ValueError(f'targetModules must be a list of module names or "all-linear", not {tm!r}')
        else:
            known["target_modules"] = tuple(tm)
    known["extra"] = {k: v for k, v in d.items() if k not in _FIELDS}
    cfg = TrainConfig(**known)
    if cfg.adapter not in ("lora", "qlora", "none"):
        raise ValueError(f"adapter must be lora, qlora or none, not {cfg.adapter!r}")
    return cfg


def load(path: str) -> TrainConfig:
    with open(path, encoding="utf-8") as f:
        return from_dict(json.load(f))


def lora_kwargs(cfg: TrainConfig) -> dict[str, Any] | None:
    """Keyword arguments of peft.LoraConfig, or None for a full fine-tune."""
    if cfg.adapter == "none":
        return None
    return {
        "r": cfg.lora_r,
        "lora_alpha": cfg.lora_alpha,
        "lora_dropout": cfg.lora_dropout,
        "target_modules": cfg.target_modules if isinstance(cfg.target_modules, str) else list(cfg.target_modules),
        "bias": "none",
        "task_type": "CAUSAL_LM",
    }


def global_batch(cfg: TrainConfig, world_size: int = 1) -> int:
    """Examples per optimizer step: per-process batch × accumulation × processes."""
    return cfg.batch_size * cfg.gradient_accumulation * world_size


def steps_per_epoch(cfg: TrainConfig, examples: int, world_size: int = 1) -> int:
    return max(1, -(-examples // global_batch(cfg, world_size)))


def total_steps(cfg: TrainConfig, examples: int, world_size: int = 1) -> int:
    """Optimizer steps: max_steps when set, else epochs over the global batches."""
    if cfg.max_steps:
        return cfg.max_steps
    return max(1, math.ceil(steps_per_epoch(cfg, examples, world_size) * cfg.epochs))


def warmup_steps(cfg: TrainConfig, steps: int) -> int:
    """Rounded up, as transformers' TrainingArguments.get_warmup_steps does."""
    return math.ceil(steps * cfg.warmup_ratio)


def learning_rate_at(cfg: TrainConfig, step: int, steps: int) -> float:
    """Linear warm-up, then linear decay to zero (transformers' get_linear_schedule_with_warmup)."""
    warm = warmup_steps(cfg, steps)
    if warm and step < warm:
        return cfg.learning_rate * step / warm
    return cfg.learning_rate * max(0.0, (steps - step) / max(1, steps - warm))
