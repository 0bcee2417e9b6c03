"""The tiny example model (python -m ftstudio_trainer.tiny): built from the examples' data, it loads, its chat
template renders, and the bundled trainer fine-tunes it on the CPU."""

import json
import os

from conftest import read_events, run_config

from ftstudio_trainer import config, tiny
from ftstudio_trainer.train import run

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def test_strings_of_records_of_every_shape(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        json.dumps({"messages": [{"role": "user", "content": "hi there"}]})
        + "\n\nnot json\n"
        + json.dumps({"prompt": "p", "chosen": ["c1", {"content": "c2"}], "score": 3})
        + "\n",
        encoding="utf-8",
    )
    assert tiny.texts_of([str(path)]) == ["user", "hi there", "not json", "p", "c1", "c2"]


def test_missing_dataset_is_a_clear_error(tmp_path, capsys):
    assert tiny.main([str(tmp_path / "model"), str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert not (tmp_path / "model").exists()


def test_the_examples_tiny_model_trains_on_the_cpu(tmp_path, capsys):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = str(tmp_path / "tiny")
    data = os.path.join(EXAMPLES, "chat-sft.jsonl")
    assert tiny.main([model, data, os.path.join(EXAMPLES, "dpo-pairs.jsonl")]) == 0
    assert "wrote a tiny Llama" in capsys.readouterr().out
    tok = AutoTokenizer.from_pretrained(model)
    m = AutoModelForCausalLM.from_pretrained(model)
    assert sum(p.numel() for p in m.parameters()) < 100_000
    text = tok.apply_chat_template([{"role": "user", "content": "Hello"}], tokenize=False, add_generation_prompt=True)
    assert text == "<s><|user|>\nHello</s><|assistant|>\n"
    # the tokenizer learnt the examples' words: fewer tokens than bytes
    assert len(tok("You are a careful reviewer.")["input_ids"]) < len("You are a careful reviewer.") / 2
    with torch.no_grad():
        assert m(input_ids=torch.tensor([[1, 5, 6]])).logits.shape[-1] == len(tok)
    cfg = run_config(tmp_path, model, tmp_path, train=data, max_steps=4, learning_rate=5e-3)
    assert run(config.from_dict(cfg)) == 0
    events = read_events(cfg["events"])
    steps = [e for e in events if e["event"] == "step"]
    assert [e["step"] for e in steps] == [1, 2, 3, 4]
    assert events[-1]["status"] == "completed"
    assert os.path.exists(os.path.join(cfg["output"], "adapter_model.safetensors"))
