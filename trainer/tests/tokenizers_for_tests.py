"""Tokenizers the tests build (no download): a byte-level BPE trained here on a little text, with the
special tokens of the chat templates TRL ships, and each real template from the installed `trl` package."""

from __future__ import annotations

import functools
import os

import pytest

SPECIALS = {
    "llama3": ("<|begin_of_text|>", "<|eot_id|>", ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]),
    "qwen2_5": (None, "<|im_end|>", ["<|im_start|>", "<|im_end|>", "<|endoftext|>"]),
    "qwen3": (None, "<|im_end|>", ["<|im_start|>", "<|im_end|>", "<|endoftext|>"]),
    "phi3": ("<s>", "<|endoftext|>", ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>", "<|endoftext|>"]),
    "gemma3": ("<bos>", "<eos>", ["<start_of_turn>", "<end_of_turn>", "<start_of_image>"]),
    "deepseekv3": (
        "<｜begin▁of▁sentence｜>",
        "<｜end▁of▁sentence｜>",
        ["<｜User｜>", "<｜Assistant｜>", "<｜tool▁calls▁begin｜>", "<｜tool▁outputs▁end｜>"],
    ),
    "gptoss": (
        "<|startoftext|>",
        "<|return|>",
        ["<|start|>", "<|message|>", "<|channel|>", "<|end|>", "<|return|>", "<|call|>", "<|constrain|>"],
    ),
}
# a ChatML template written out (Hermes / OpenHermes style)
CHATML = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
CORPUS = [
    "You are a concise tutor. Explain gradient descent in one sentence.",
    "The answer is 42, because the numbers add up.",
    "Reasoning about the question first, then answering it.",
    "Knowledge cutoff: 2024-06 Current date: Reasoning: medium",
    "# Valid channels: analysis, commentary, final. Channel must be included for every message.",
]


def template_dir() -> str:
    trl = pytest.importorskip("trl")  # the real chat templates ship with TRL (a test-only dependency)

    return os.path.join(os.path.dirname(trl.__file__), "chat_templates")


def template(name: str) -> str:
    if name == "chatml":
        return CHATML
    with open(os.path.join(template_dir(), name + ".jinja"), encoding="utf-8") as f:
        return f.read()


@functools.lru_cache(maxsize=None)
def _base():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    specials = sorted(
        {t for bos, eos, extra in SPECIALS.values() for t in [bos, eos, *extra] if t}
        | {"<unk>", "<pad>", "<s>", "</s>"}
    )
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(
        CORPUS * 4,
        trainers.BpeTrainer(
            vocab_size=400, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
        ),
    )
    return tok


def tokenizer_for(name: str, chat_template: str | None = None):
    """A fast tokenizer with `name`'s special tokens and chat template (`chat_template` overrides it)."""
    from transformers import PreTrainedTokenizerFast

    bos, eos, _ = SPECIALS.get(name, (None, "<|im_end|>", []))
    fast = PreTrainedTokenizerFast(
        tokenizer_object=_base(), unk_token="<unk>", pad_token="<pad>", bos_token=bos, eos_token=eos
    )
    fast.chat_template = chat_template if chat_template is not None else template(name)
    return fast
