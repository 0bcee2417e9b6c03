"""Dataset records -> what the loops train on, and labels masked to the part the model should learn.

SFT trains on completions and assistant turns only; prompts, system and user turns get label -100.
DPO needs (prompt, chosen, rejected) in text or as chat turns.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

IGNORE = -100
Segment = tuple[Any, bool]  # (text or list of turns, trainable)


class LineError(ValueError):
    """A line of a dataset file that is not a record; the message names the file and the line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def iter_jsonl(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(1-based line, record) for each non-blank line, read as it goes (a preview stops after a few)."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise LineError(f"{path}:{n}: invalid JSON ({e}); run `ftstudio validate {path}`", n) from e
            if not isinstance(rec, dict):
                raise LineError(f"{path}:{n}: not a JSON object", n)
            yield n, rec


def read_jsonl(path: str) -> list[dict[str, Any]]:
    return [rec for _, rec in iter_jsonl(path)]


def sharegpt_to_messages(conversations: list[dict[str, Any]], system: str | None = None) -> list[dict[str, str]]:
    roles = {
        "human": "user",
        "user": "user",
        "gpt": "assistant",
        "assistant": "assistant",
        "system": "system",
        "function_call": "assistant",
        "observation": "tool",
        "tool": "tool",
    }
    msgs = [{"role": "system", "content": system}] if system else []
    msgs += [{"role": roles.get(t.get("from", ""), "user"), "content": t.get("value", "")} for t in conversations]
    return msgs


def sft_conversation(rec: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The record as chat turns, when it is conversational (or Alpaca/ShareGPT, which become chats)."""
    if isinstance(rec.get("messages"), list):
        return rec["messages"]
    if isinstance(rec.get("conversations"), list):
        return sharegpt_to_messages(rec["conversations"], rec.get("system"))
    if isinstance(rec.get("prompt"), list) and isinstance(rec.get("completion"), list):
        return rec["prompt"] + rec["completion"]
    return None


def sft_segments(rec: dict[str, Any]) -> list[Segment]:
    """Text segments of a non-conversational record and whether each is trained on."""
    if "text" in rec:
        return [(rec["text"], True)]
    if "instruction" in rec and "output" in rec:
        prompt = rec["instruction"] + (("\n\n" + rec["input"]) if rec.get("input") else "")
        return [(prompt + "\n\n", False), (rec["output"], True)]
    if isinstance(rec.get("prompt"), str) and isinstance(rec.get("completion"), str):
        return [(rec["prompt"], False), (rec["completion"], True)]
    raise ValueError(
        f"not an SFT record (keys: {', '.join(rec)}): use language-modeling, prompt-completion, Alpaca or ShareGPT"
    )


def trainable_turns(messages: list[dict[str, Any]]) -> list[bool]:
    return [m.get("role") == "assistant" for m in messages]


def mask(token_segments: Iterable[tuple[list[int], bool]], max_len: int) -> tuple[list[int], list[int]]:
    """Concatenate token segments; labels copy the trainable tokens and are -100 elsewhere; truncate."""
    ids: list[int] = []
    labels: list[int] = []
    for toks, trainable in token_segments:
        ids.extend(toks)
        labels.extend(toks if trainable else [IGNORE] * len(toks))
    return ids[:max_len], labels[:max_len]


def dpo_triplet(rec: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(prompt, chosen, rejected) of a TRL or OpenAI preference record; implicit prompts are split off."""
    if "preferred_output" in rec:
        return rec["input"]["messages"], rec["preferred_output"], rec["non_preferred_output"]
    if "chosen" not in rec or "rejected" not in rec:
        raise ValueError(f"not a preference record (keys: {', '.join(rec)})")
    prompt, chosen, rejected = rec.get("prompt"), rec["chosen"], rec["rejected"]
    if prompt is None and isinstance(chosen, list) and isinstance(rejected, list):
        # implicit prompt: the shared leading turns
        n = 0
        while n < min(len(chosen), len(rejected)) - 1 and chosen[n] == rejected[n]:
            n += 1
        prompt, chosen, rejected = chosen[:n], chosen[n:], rejected[n:]
    return prompt if prompt is not None else "", chosen, rejected
