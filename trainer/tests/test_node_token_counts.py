"""The editor's exact token counts (src/core/tokens/tokenCounter.ts, JavaScript) against the trainer.

Tokenizers built here with the special tokens and chat templates TRL ships (and the trainer's plain
template for a tokenizer without one) are saved as a model folder would be; for a record of every format
family, the trainer's own tokenization (examples.METHODS) gives the total and the trained tokens, and
transformers' `apply_chat_template(..., tokenize=True)` the chat ids. test/parity/countTokens.ts must count
the same.
"""

import json
import os
import shutil
import subprocess

import pytest

pytest.importorskip("trl")
from ftstudio_trainer import chat, examples
from tokenizers_for_tests import template, tokenizer_for

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIG = 10**9

USER = {"role": "user", "content": "What is 6 x 7? Ça coûte 5 € 🙂"}
REPLY = {"role": "assistant", "content": "The answer is 42."}
MULTI = [
    {"role": "system", "content": "You are a concise tutor."},
    {"role": "user", "content": "Explain gradient descent."},
    {"role": "assistant", "content": "Step downhill."},
    {"role": "user", "content": "And the learning rate?"},
    {"role": "assistant", "content": "  The step size. "},
]
THINK = [USER, {"role": "assistant", "content": "<think>\nReasoning first.\n</think>\n\nBecause."}]

# (format id the validator detects, record)
RECORDS = [
    ("language-modeling", {"messages": [USER, REPLY]}),
    ("language-modeling", {"messages": MULTI}),
    ("language-modeling", {"messages": THINK}),
    ("language-modeling", {"text": "The answer is 42, because the numbers add up. Ünïcödé ✓"}),
    ("prompt-completion", {"prompt": "What is 6 x 7?", "completion": " The answer is 42."}),
    ("prompt-completion", {"prompt": [USER], "completion": [REPLY]}),
    ("alpaca", {"instruction": "Add the numbers.", "input": "6 and 36", "output": "42"}),
    ("alpaca", {"instruction": "Say hi.", "input": "", "output": "Hi!"}),
    (
        "sharegpt",
        {
            "system": "Be brief.",
            "conversations": [{"from": "human", "value": "Hello?"}, {"from": "gpt", "value": "Hello, how can I help?"}],
        },
    ),
    (
        "preference",
        {"prompt": "Is the sky blue?", "chosen": " Yes.", "rejected": " No, it is green and very far away."},
    ),
    ("preference", {"prompt": [USER], "chosen": [REPLY], "rejected": [{"role": "assistant", "content": "43"}]}),
    ("preference", {"chosen": [USER, REPLY], "rejected": [USER, {"role": "assistant", "content": "It is 41, sorry."}]}),
    (
        "openai-preference",
        {
            "input": {"messages": MULTI[:4]},
            "preferred_output": [{"role": "assistant", "content": "The step size."}],
            "non_preferred_output": [{"role": "assistant", "content": "No idea."}],
        },
    ),
]

NAMES = ["llama3", "qwen2_5", "qwen3", "phi3", "gemma3", "deepseekv3", "gptoss", "chatml"]
# (folder name, base tokenizer, template: a TRL file name, or None for the trainer's plain template)
TOKENIZERS = [(n, n, n) for n in NAMES] + [
    ("qwen2_5_training", "qwen2_5", "qwen2_5_training"),
    ("llama3_training", "llama3", "llama3_training"),
    ("plain", "chatml", None),
]


def expected(tok, fmt, rec):
    """(total, trained, pair) as the trainer builds the record, or None when it cannot."""
    try:
        if fmt in ("preference", "openai-preference"):
            seqs = [
                (len(ids), sum(1 for x in labels if x != -100)) for ids, labels in examples.tokenize_dpo(rec, tok, BIG)
            ]
            longer = seqs[0] if seqs[0][0] >= seqs[1][0] else seqs[1]
            return longer[0], max(s[1] for s in seqs), seqs
        ids, labels = examples.tokenize_sft(rec, tok, BIG)
    except (ValueError, chat.TemplateError) as e:
        return ("error", str(e))
    conv = examples.data.sft_conversation(rec)
    if conv is not None:
        out = tok.apply_chat_template(
            conv, tokenize=True, return_dict=True, chat_template=tok.chat_template or chat.PLAIN_TEMPLATE
        )
        assert list(out["input_ids"]) == ids, "the trainer tokenizes chats as apply_chat_template does"
    return len(ids), sum(1 for x in labels if x != -100), None


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    if not shutil.which("node") or not os.path.isdir(os.path.join(ROOT, "node_modules", "tsx")):
        pytest.fail("node and the npm packages are needed (npm ci at the repository root)")
    base = tmp_path_factory.mktemp("tokenizers")
    cases, expect = [], []
    for folder, name, tmpl in TOKENIZERS:
        tok = tokenizer_for(name, template(tmpl) if tmpl else "")
        if tmpl is None:
            tok.chat_template = None
        d = str(base / folder)
        tok.save_pretrained(d)
        cases.append({"dir": d, "records": [{"record": r, "format": f} for f, r in RECORDS]})
        expect.append((folder, [expected(tok, f, r) for f, r in RECORDS]))
    spec = base / "cases.json"
    spec.write_text(json.dumps(cases))
    out = subprocess.run(
        ["node", "--import", "tsx", os.path.join(ROOT, "test", "parity", "countTokens.ts"), str(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return expect, json.loads(out.stdout)


@pytest.mark.parametrize("folder", [t[0] for t in TOKENIZERS])
def test_counts_equal_the_trainer(counted, folder):
    expect, got = counted
    i = [f for f, _ in expect].index(folder)
    wrong = []
    for (fmt, rec), want, have in zip(RECORDS, expect[i][1], got[i]):
        assert have["source"] == "tokenizer"
        if want[0] == "error":
            # the trainer refuses the record; the editor says the counts are estimates and why
            if not have.get("note"):
                wrong.append(f"{fmt} {json.dumps(rec)[:60]}: trainer refuses ({want[1]}) but no note")
            continue
        total, trained, pair = want
        if (have["total"], have["trained"]) != (total, trained) or have.get("note"):
            wrong.append(f"{fmt} {json.dumps(rec)[:60]}: want {total}/{trained}, got {have}")
        elif pair is not None:
            p = have["pair"]
            if [
                (p["chosen"]["total"], p["chosen"]["trained"]),
                (p["rejected"]["total"], p["rejected"]["trained"]),
            ] != pair:
                wrong.append(f"{fmt}: pair {pair} vs {p}")
    assert not wrong, "\n".join(wrong)


def test_every_format_family_is_covered():
    assert {f for f, _ in RECORDS} >= {"language-modeling", "prompt-completion", "preference", "openai-preference"}
