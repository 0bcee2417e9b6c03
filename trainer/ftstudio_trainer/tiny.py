"""A tiny Llama to try the whole loop on a laptop without a GPU, and for the tests: two layers of random
weights and a byte-level BPE tokenizer trained on the given texts, with a chat template. Nothing is
downloaded. It learns the data's surface in a few dozen CPU steps; it is not a model for anything else.

    python -m ftstudio_trainer.tiny OUT_DIR [DATASET.jsonl ...]

The tokenizer learns from every string in the datasets' records (messages, prompts, answers, …).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Iterable, Iterator

# end-of-turn is the tokenizer's EOS, nothing follows it: the trained tokens are easy to see
TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}{{ eos_token }}{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
FALLBACK_TEXTS = ["You are a helpful assistant.", "Hello! How can I help you today?", "user", "assistant", "system"]


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def texts_of(paths: Iterable[str]) -> list[str]:
    """The strings of the JSONL files' records; a line that is not JSON is taken as text."""
    out: list[str] = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    out.extend(strings(json.loads(line)))
                except json.JSONDecodeError:
                    out.append(line)
    return out


def build_tiny_llama(
    folder: str,
    texts: Iterable[str],
    template: str = TEMPLATE,
    vocab_size: int = 320,
    seed: int = 0,
    hidden_size: int = 32,
    max_positions: int = 256,
) -> str:
    """Write a tiny LlamaForCausalLM (two layers, random weights) and its tokenizer to `folder`; returns the folder."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(
        list(texts) or FALLBACK_TEXTS,
        trainers.BpeTrainer(
            vocab_size=vocab_size,
            special_tokens=["<unk>", "<s>", "</s>", "<pad>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        ),
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    fast.chat_template = template
    fast.save_pretrained(folder)
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
    )
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ftstudio_trainer.tiny", description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="the model folder to write (made if missing)")
    ap.add_argument("datasets", nargs="*", help="JSONL files whose text the tokenizer learns")
    args = ap.parse_args(argv)
    missing = [p for p in args.datasets if not os.path.isfile(p)]
    if missing:
        print(f"ftstudio_trainer.tiny: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        texts = texts_of(args.datasets)
    except (OSError, UnicodeDecodeError) as e:
        print(f"ftstudio_trainer.tiny: {e}", file=sys.stderr)
        return 2
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as e:
        print(
            f"ftstudio_trainer.tiny: {e}: run it with the training environment's python (ftstudio setup makes one)",
            file=sys.stderr,
        )
        return 2
    os.makedirs(args.out, exist_ok=True)
    build_tiny_llama(args.out, texts)
    print(f'wrote a tiny Llama (2 layers, random weights) to {args.out}; use it as "model" in finetune.json')
    return 0


if __name__ == "__main__":
    sys.exit(main())
