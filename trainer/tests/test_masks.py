"""Masks on real chat templates (the ones TRL ships in trl/chat_templates), with a tokenizer built here.

The trained tokens must be exactly the assistant output: what follows the template's generation prompt,
through its end-of-turn token. TRL's `*_training.jinja` variants put `{% generation %}` markers around the
same output; where they draw the line a token wider (a generation-prompt token, or the newline / EOS the
template writes after the end-of-turn token, which the model never generates), that token is listed below.
"""

import pytest

pytest.importorskip("trl")
from tokenizers_for_tests import template, tokenizer_for  # noqa: E402

from ftstudio_trainer import chat  # noqa: E402

SINGLE = [{"role": "user", "content": "What is 6 x 7?"}, {"role": "assistant", "content": "The answer is 42."}]
MULTI = [
    {"role": "system", "content": "You are a concise tutor."},
    {"role": "user", "content": "Explain gradient descent."},
    {"role": "assistant", "content": "Step downhill."},
    {"role": "user", "content": "And the learning rate?"},
    {"role": "assistant", "content": "  The step size. "},
]
THINK = [
    {"role": "user", "content": "Why?"},
    {"role": "assistant", "content": "<think>\nReasoning first.\n</think>\n\nBecause."},
]

# Tokens TRL's training template also marks, which are not model output, and why.
TRL_WIDER = {
    "llama3": set(),
    "gptoss": {"<|start|>assistant"},  # TRL's block starts before the generation prompt <|start|>assistant
    "qwen2_5": {"\n"},  # the "\n" of the prompt <|im_start|>assistant\n, and the one after <|im_end|>
    "qwen3": {"\n"},  # the newline after <|im_end|>
    "gemma3": {"\n"},  # the newline after <end_of_turn>
    "phi3": {"\n", "\n<|endoftext|>"},  # the newline after <|end|> and the EOS the template appends
    "deepseekv3": {"<｜Assistant｜>"},  # the prompt cue (generation prompt: <｜Assistant｜><think>\n)
}

# What is trained on MULTI, by template: the replies, their end-of-turn tokens, and model output the template writes.
EXPECTED_MULTI = {
    "llama3": "Step downhill.<|eot_id|>The step size.<|eot_id|>",
    "qwen2_5": "Step downhill.<|im_end|>  The step size. <|im_end|>",
    # Qwen 3 renders the empty think block on the last turn only (after the last user query)
    "qwen3": "Step downhill.<|im_end|><think>\n\n</think>\n\n  The step size. <|im_end|>",
    "phi3": "Step downhill.<|end|>  The step size. <|end|>",
    "gemma3": "Step downhill.<end_of_turn>The step size.<end_of_turn>",
    "deepseekv3": "Step downhill.<｜end▁of▁sentence｜>  The step size. <｜end▁of▁sentence｜>",
    "gptoss": "<|channel|>final<|message|>Step downhill.<|end|><|channel|>final<|message|>  The step size. <|return|>",
    "chatml": "Step downhill.<|im_end|>  The step size. <|im_end|>",
}


def trained_text(tok, ids, mask):
    return tok.decode([i for i, m in zip(ids, mask) if m])


@pytest.mark.parametrize("name", sorted(EXPECTED_MULTI))
def test_multi_turn_trains_every_reply_and_nothing_else(name):
    tok = tokenizer_for(name)
    ids, mask = chat.encode_chat(MULTI, tok)
    assert ids == tok.apply_chat_template(MULTI, tokenize=True, return_dict=True)["input_ids"], (
        "the ids are the template's own"
    )
    assert trained_text(tok, ids, mask) == EXPECTED_MULTI[name]


@pytest.mark.parametrize("name", sorted(TRL_WIDER))
@pytest.mark.parametrize("conv", [SINGLE, MULTI, THINK], ids=["single", "multi", "think"])
def test_masks_agree_with_trl_training_templates(name, conv):
    ours_tok, trl_tok = tokenizer_for(name), tokenizer_for(name, template(name + "_training"))
    ids, mask = chat.encode_chat(conv, ours_tok)
    out = trl_tok.apply_chat_template(conv, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    if out["input_ids"] != ids:
        # only Qwen 3 renders differently: its training template always writes the think block
        assert name == "qwen3" and conv is MULTI
        return
    trl_mask = [bool(m) for m in out["assistant_masks"]]
    assert all(t for o, t in zip(mask, trl_mask) if o), "we train a token TRL does not"
    runs, run = [], []
    for i, o, t in zip(ids, mask, trl_mask):
        if t and not o:
            run.append(i)
        elif run:
            runs.append(run)
            run = []
    wider = {ours_tok.decode(r) for r in runs + ([run] if run else [])}
    assert wider <= TRL_WIDER[name], f"TRL trains more: {wider - TRL_WIDER[name]}"
    assert any(mask)


def test_qwen3_think_block_of_the_last_turn_is_trained():
    tok = tokenizer_for("qwen3")
    ids, mask = chat.encode_chat(THINK, tok)
    assert trained_text(tok, ids, mask) == "<think>\nReasoning first.\n</think>\n\nBecause.<|im_end|>"
    # an earlier turn's think block is not rendered by the template, so not trained either
    conv = THINK + [{"role": "user", "content": "Sure?"}, {"role": "assistant", "content": "Yes."}]
    ids, mask = chat.encode_chat(conv, tok)
    assert trained_text(tok, ids, mask) == "Because.<|im_end|><think>\n\n</think>\n\nYes.<|im_end|>"


def test_a_subset_of_turns_for_dpo_answers():
    tok = tokenizer_for("llama3")
    ids, mask = chat.encode_chat(MULTI, tok, trained=lambda i: i >= 4)
    assert trained_text(tok, ids, mask) == "The step size.<|eot_id|>"


def test_generation_markers_are_used_when_the_template_has_them():
    tok = tokenizer_for("qwen2_5", template("qwen2_5_training"))
    ids, mask = chat.encode_chat(SINGLE, tok)
    assert trained_text(tok, ids, mask) == "\nThe answer is 42.<|im_end|>\n"  # the template's own markers


def test_templates_that_cannot_be_traced_are_named():
    twice = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }} / {{ m['content'] }}\n{% endfor %}"
    with pytest.raises(chat.TemplateError, match="more than once"):
        chat.encode_chat(SINGLE, tokenizer_for("chatml", twice))
    mangled = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] | reverse | join('') }}\n{% endfor %}"
    with pytest.raises(chat.TemplateError, match="generation"):
        chat.encode_chat(SINGLE, tokenizer_for("chatml", mangled))
    with pytest.raises(chat.TemplateError, match="no text content"):
        chat.encode_chat([SINGLE[0], {"role": "assistant", "content": None, "tool_calls": []}], tokenizer_for("chatml"))


def test_spans_to_mask_overlap_and_end_token():
    offsets = [(0, 3), (3, 5), (5, 9), (9, 10), (10, 12)]
    special = [False, False, False, True, False]
    assert chat.spans_to_mask(offsets, special, [(4, 9)]) == [False, True, True, True, False]
    assert chat.spans_to_mask(offsets, special, [(0, 3), (5, 8)]) == [True, False, True, False, False]
