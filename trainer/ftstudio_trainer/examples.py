"""Records -> token ids and labels, per method: one table (METHODS) that the loop reads.

SFT: the conversation under the chat template (or the trainer's plain one, which is then saved with the
adapter), trained on the assistant turns only (see chat.py); text formats trained on the completion,
with the end-of-sequence token appended so the model learns to stop. DPO: (prompt, chosen) and
(prompt, rejected), trained on the answers only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from . import chat, data

Example = Any  # (ids, labels) for SFT; [(ids, labels) chosen, (ids, labels) rejected] for DPO


def _labels(ids: list[int], trained: list[bool], max_len: int) -> tuple[list[int], list[int]]:
    return data.mask([([t], f) for t, f in zip(ids, trained)], max_len)


def tokenize_sft(rec: dict[str, Any], tokenizer: Any, max_len: int) -> tuple[list[int], list[int]]:
    conv = data.sft_conversation(rec)
    if conv is not None:
        ids, trained = chat.encode_chat(conv, tokenizer)
        return _labels(ids, trained, max_len)
    segs = []
    for i, (text, trainable) in enumerate(data.sft_segments(rec)):
        segs.append((tokenizer(text, add_special_tokens=(i == 0))["input_ids"], trainable))
    if tokenizer.eos_token_id is not None:
        segs.append(([tokenizer.eos_token_id], True))
    return data.mask(segs, max_len)


def tokenize_dpo(rec: dict[str, Any], tokenizer: Any, max_len: int) -> list[tuple[list[int], list[int]]]:
    prompt, chosen, rejected = data.dpo_triplet(rec)
    out = []
    for answer in (chosen, rejected):
        if isinstance(prompt, list):
            turns = answer if isinstance(answer, list) else [{"role": "assistant", "content": answer}]
            ids, trained = chat.encode_chat(prompt + turns, tokenizer, trained=lambda i, n=len(prompt): i >= n)
            out.append(_labels(ids, trained, max_len))
        else:
            p = tokenizer(prompt, add_special_tokens=True)["input_ids"]
            a = tokenizer(answer if isinstance(answer, str) else json.dumps(answer), add_special_tokens=False)[
                "input_ids"
            ]
            out.append(
                data.mask(
                    [(p, False), (a + ([tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []), True)],
                    max_len,
                )
            )
    return out


def sft_trainable(ex: Example) -> bool:
    return any(label != data.IGNORE for label in ex[1])


def dpo_trainable(ex: Example) -> bool:
    return all(any(label != data.IGNORE for label in labels) for _, labels in ex)


@dataclass(frozen=True)
class Method:
    tokenize: Callable[[dict[str, Any], Any, int], Example]
    trainable: Callable[[Example], bool]
    disable_dropout: bool  # TRL's DPOConfig.disable_dropout: the policy and reference see the same network


METHODS: dict[str, Method] = {
    "sft": Method(tokenize_sft, sft_trainable, disable_dropout=False),
    "dpo": Method(tokenize_dpo, dpo_trainable, disable_dropout=True),
}


def tokenize_file(path: str, method: str, tokenizer: Any, max_len: int) -> tuple[list[Example], int]:
    """The file's trainable examples, and how many records had nothing left to train (all masked or truncated)."""
    m = METHODS[method]
    out, dropped = [], 0
    for n, rec in enumerate(data.read_jsonl(path), 1):
        try:
            ex = m.tokenize(rec, tokenizer, max_len)
        except ValueError as e:
            raise ValueError(f"{path}: record {n}: {e}") from e
        if m.trainable(ex):
            out.append(ex)
        else:
            dropped += 1
    return out, dropped


def collate(batch: list[tuple[list[int], list[int]]], pad_id: int, torch: Any):
    n = max(len(ids) for ids, _ in batch)
    ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), n), data.IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    for i, (x, y) in enumerate(batch):
        ids[i, : len(x)] = torch.tensor(x)
        labels[i, : len(y)] = torch.tensor(y)
        mask[i, : len(x)] = 1
    return ids, labels, mask
