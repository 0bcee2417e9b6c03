"""`python -m ftstudio_trainer tokens`: the preview is the loop's own tokenization (examples.METHODS), read
from a tokenizer-only folder (no weights), of the first N records only, with clear errors."""

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("transformers")
from conftest import dpo_records, sft_records, write_jsonl  # noqa: E402

from ftstudio_trainer import data, examples, tokens  # noqa: E402
from ftstudio_trainer.config import from_dict  # noqa: E402

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory):
    """Llama 3's real chat template (from trl) on a tokenizer built here; the folder holds no weights."""
    pytest.importorskip("trl")
    from tokenizers_for_tests import tokenizer_for

    folder = tmp_path_factory.mktemp("tok") / "model"
    tokenizer_for("llama3").save_pretrained(str(folder))
    assert not any(f.endswith((".safetensors", ".bin")) for f in os.listdir(folder))
    return str(folder)


def cfg_for(tmp_path, model, rows, method="sft", max_len=256, raw_lines=None):
    path = tmp_path / "train.jsonl"
    if raw_lines is not None:
        path.write_text("\n".join(raw_lines) + "\n", encoding="utf-8")
    else:
        write_jsonl(path, rows)
    d = {
        "method": method,
        "model": model,
        "train": str(path),
        "output": str(tmp_path / "out"),
        "events": str(tmp_path / "e.jsonl"),
        "max_seq_length": max_len,
    }
    (tmp_path / "trainer-config.json").write_text(json.dumps(d), encoding="utf-8")
    return from_dict(d), str(tmp_path / "trainer-config.json")


def run_cli(config_path, *extra):
    env = dict(os.environ, PYTHONPATH=TRAINER)
    r = subprocess.run(
        [sys.executable, "-m", "ftstudio_trainer", "tokens", "--config", config_path, *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    return r.returncode, r.stdout, r.stderr


def test_sft_preview_is_the_trainers_tokenization(tmp_path, tokenizer_dir):
    rows = sft_records(4)
    cfg, _ = cfg_for(tmp_path, tokenizer_dir, rows)
    doc = tokens.preview(cfg, 3)
    assert [r["line"] for r in doc["records"]] == [1, 2, 3]
    assert doc["template"] == "model" and doc["maxSeqLength"] == 256 and doc["method"] == "sft"
    tok, _ = tokens.load_tokenizer(cfg)
    for rec, entry in zip(rows, doc["records"]):
        ids, labels = examples.METHODS["sft"].tokenize(rec, tok, 256)
        assert [t["id"] for t in entry["tokens"]] == ids
        assert [t["trained"] for t in entry["tokens"]] == [label != data.IGNORE for label in labels]
        assert entry["total"] == len(ids) and entry["trained"] == sum(label != data.IGNORE for label in labels)
        assert 0 < entry["trained"] < entry["total"] and entry["truncated"] is False and entry["skipped"] is False
        # the pieces put back together are the rendering, and the trained ones are the reply and <|eot_id|>
        rendered = "".join(t["text"] for t in entry["tokens"])
        assert rendered == tok.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)
        trained = "".join(t["text"] for t in entry["tokens"] if t["trained"])
        assert trained == rec["messages"][-1]["content"] + "<|eot_id|>"


def test_truncation_is_marked_and_dropped_tokens_are_not_trained(tmp_path, tokenizer_dir):
    rows = sft_records(1)
    cfg, _ = cfg_for(tmp_path, tokenizer_dir, rows, max_len=40)
    (entry,) = tokens.preview(cfg, 5)["records"]
    kept = [t for t in entry["tokens"] if not t.get("dropped")]
    dropped = [t for t in entry["tokens"] if t.get("dropped")]
    assert entry["truncated"] is True and entry["total"] == 40 == len(kept)
    assert entry["length"] == 40 + len(dropped) and dropped
    assert not any(t["trained"] for t in dropped)
    # the reply came after the cut: nothing trained, the trainer skips the record, and says how much it lost
    assert entry["trained"] == 0 and entry["skipped"] is True and entry["droppedTrained"] > 0


def test_dpo_records_give_chosen_and_rejected(tmp_path, tokenizer_dir):
    rows = dpo_records(2)
    cfg, _ = cfg_for(tmp_path, tokenizer_dir, rows, method="dpo")
    doc = tokens.preview(cfg, 1)
    assert [(r["line"], r["part"]) for r in doc["records"]] == [(1, "chosen"), (1, "rejected")]
    chosen, rejected = doc["records"]
    assert (
        "".join(t["text"] for t in chosen["tokens"] if t["trained"]) == rows[0]["chosen"][0]["content"] + "<|eot_id|>"
    )
    assert "".join(t["text"] for t in rejected["tokens"] if t["trained"]) == "I do not know.<|eot_id|>"


def test_only_the_first_records_are_read_and_lines_count_blank_lines(tmp_path, tokenizer_dir):
    good = [json.dumps(r) for r in sft_records(3)]
    cfg, _ = cfg_for(tmp_path, tokenizer_dir, None, raw_lines=[good[0], "", good[1], good[2], "{not json"])
    ok = tokens.preview(cfg, 2)
    assert [r["line"] for r in ok["records"]] == [1, 3] and "error" not in ok
    # the trainer stops at the bad line: the records before it, then why
    doc = tokens.preview(cfg, 5)
    assert [r["line"] for r in doc["records"]] == [1, 3, 4]
    assert doc["error"]["kind"] == "data" and doc["error"]["line"] == 5
    assert doc["error"]["message"].startswith(f"{cfg.train}:5: invalid JSON")


def test_token_texts_keep_multibyte_characters_whole(tokenizer_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    text = "Grüße 日本語 🙂 done"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    pieces = tokens.token_texts(tok, ids)
    assert len(pieces) == len(ids) and "".join(pieces) == text
    assert all("\ufffd" not in p for p in pieces)


def test_python_m_ftstudio_trainer_tokens_prints_one_document(tmp_path, tokenizer_dir):
    _, path = cfg_for(tmp_path, tokenizer_dir, sft_records(2))
    code, out, err = run_cli(path, "--records", "1")
    assert code == 0, err
    doc = json.loads(out)
    assert out.count("\n") == 1 and [r["line"] for r in doc["records"]] == [1]
    assert set(doc["records"][0]["tokens"][0]) == {"id", "text", "trained"}


@pytest.mark.parametrize(
    "case,kind,expect",
    [
        ("bad-record", "data", r":2: the trainer cannot tokenize this record: not an SFT record \(keys: hello\)"),
        ("no-model", "model", r"cannot load the tokenizer of .*no-such-model"),
        ("no-file", "data", r"cannot read the training file .*missing\.jsonl"),
        ("records", "config", r"--records must be between 1 and 50, got 51"),
    ],
)
def test_errors_are_one_json_line_and_exit_1(tmp_path, tokenizer_dir, capsys, case, kind, expect):
    import re

    rows = sft_records(1) + [{"hello": "world"}]
    model = str(tmp_path / "no-such-model") if case == "no-model" else tokenizer_dir
    _, path = cfg_for(tmp_path, model, rows)
    if case == "no-file":
        d = json.loads(open(path, encoding="utf-8").read())
        d["train"] = str(tmp_path / "missing.jsonl")
        open(path, "w", encoding="utf-8").write(json.dumps(d))
    code = tokens.main(["--config", path, "--records", "51" if case == "records" else "5"])
    out = capsys.readouterr().out
    assert code == 1 and out.count("\n") == 1
    doc = json.loads(out)
    err = doc["error"]
    assert err["kind"] == kind and re.search(expect, err["message"]), err
    if case == "bad-record":
        assert err["line"] == 2 and [r["line"] for r in doc["records"]] == [1]
    else:
        assert "records" not in doc
