"""The trainer's pure parts: config mapping, schedule, data shaping, label masking, DPO loss, events."""

import json
import math
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ftstudio_trainer import config, data, dpo  # noqa: E402
from ftstudio_trainer.events import EventWriter  # noqa: E402

BASE = {"method": "sft", "model": "m", "train": "t.jsonl", "output": "out", "events": "e.jsonl"}


def test_config_maps_our_names_and_keeps_unknown_keys():
    cfg = config.from_dict(
        {**BASE, "lora_r": 8, "lora_alpha": 16, "target_modules": ["q_proj"], "heldout": None, "launcher": "python"}
    )
    assert cfg.lora_r == 8 and cfg.target_modules == ("q_proj",)
    assert cfg.heldout is None
    assert cfg.extra == {"launcher": "python"}
    assert config.lora_kwargs(cfg) == {
        "r": 8,
        "lora_alpha": 16,
        "lora_dropout": 0.05,
        "target_modules": ["q_proj"],
        "bias": "none",
        "task_type": "CAUSAL_LM",
    }
    assert config.lora_kwargs(config.from_dict({**BASE, "adapter": "none"})) is None


@pytest.mark.parametrize(
    "bad,msg", [({"method": "ppo"}, "method"), ({"model": ""}, "model"), ({"adapter": "dora"}, "adapter")]
)
def test_config_rejects_what_it_cannot_train(bad, msg):
    with pytest.raises(ValueError, match=msg):
        config.from_dict({**BASE, **bad})


def test_steps_and_linear_schedule_with_warmup():
    cfg = config.from_dict(
        {**BASE, "batch_size": 4, "gradient_accumulation": 2, "epochs": 3, "warmup_ratio": 0.1, "learning_rate": 1e-3}
    )
    assert config.total_steps(cfg, 100) == 39  # ceil(100 / 8) = 13 per epoch
    assert config.total_steps(config.from_dict({**BASE, "max_steps": 30}), 100) == 30
    assert config.learning_rate_at(cfg, 0, 40) == 0
    assert config.learning_rate_at(cfg, 2, 40) == pytest.approx(5e-4)
    assert config.learning_rate_at(cfg, 4, 40) == pytest.approx(1e-3)
    assert config.learning_rate_at(cfg, 40, 40) == 0


def test_masking_trains_only_the_trainable_segments_and_truncates():
    ids, labels = data.mask([([1, 2, 3], False), ([4, 5], True), ([6], False)], max_len=10)
    assert ids == [1, 2, 3, 4, 5, 6]
    assert labels == [-100, -100, -100, 4, 5, -100]
    ids, labels = data.mask([([1, 2, 3], False), ([4, 5], True)], max_len=4)
    assert ids == [1, 2, 3, 4] and labels == [-100, -100, -100, 4]


def test_sft_segments_of_every_text_format():
    assert data.sft_segments({"text": "abc"}) == [("abc", True)]
    assert data.sft_segments({"prompt": "Q:", "completion": " A"}) == [("Q:", False), (" A", True)]
    assert data.sft_segments({"instruction": "Add", "input": "2 3", "output": "5"}) == [
        ("Add\n\n2 3\n\n", False),
        ("5", True),
    ]
    with pytest.raises(ValueError, match="not an SFT record"):
        data.sft_segments({"chosen": "a", "rejected": "b"})
    conv = data.sft_conversation(
        {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}], "system": "s"}
    )
    assert [m["role"] for m in conv] == ["system", "user", "assistant"]


def test_dpo_loss_matches_the_formula_and_implicit_prompts_split():
    # logits = (−1 − −2) − (−3 − −2) = 2; loss = −log σ(0.1 · 2)
    assert dpo.dpo_loss(-1.0, -3.0, -2.0, -2.0, 0.1) == pytest.approx(-math.log(1 / (1 + math.exp(-0.2))))
    assert dpo.dpo_loss(0.0, 0.0, 0.0, 0.0, 0.1) == pytest.approx(math.log(2))
    assert dpo.dpo_loss(-1000.0, 1000.0, 0.0, 0.0, 1.0) == pytest.approx(2000.0)  # stable for large margins
    u, a, b = (
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "good"},
        {"role": "assistant", "content": "bad"},
    )
    assert data.dpo_triplet({"chosen": [u, a], "rejected": [u, b]}) == ([u], [a], [b])
    assert data.dpo_triplet({"prompt": "p", "chosen": "c", "rejected": "r"}) == ("p", "c", "r")
    assert data.dpo_triplet({"input": {"messages": [u]}, "preferred_output": [a], "non_preferred_output": [b]}) == (
        [u],
        [a],
        [b],
    )


def test_events_are_json_lines_flushed_as_written(tmp_path):
    path = tmp_path / "run" / "events.jsonl"
    w = EventWriter(str(path))
    w.emit("start", step=0, totalSteps=30)
    w.emit("step", step=1, totalSteps=30, loss=float("nan"), learningRate=2e-4, epoch=0.03, skipped=None)
    lines = [json.loads(l) for l in path.read_text().splitlines()]  # readable before close
    assert [l["event"] for l in lines] == ["start", "step"]
    assert lines[1]["loss"] is None and "skipped" not in lines[1]
    with pytest.raises(ValueError):
        w.emit("finished")
    w.close()


def test_read_jsonl_names_the_bad_line(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_text('{"text": "a"}\n\n{"text": \n')
    with pytest.raises(ValueError, match=r"d.jsonl:3: invalid JSON"):
        data.read_jsonl(str(p))


def test_more_processes_than_visible_gpus_is_named_before_any_rank_takes_a_device():
    from types import SimpleNamespace

    from ftstudio_trainer.train import gpu_shortage

    def fake(available: bool, count: int):
        return SimpleNamespace(cuda=SimpleNamespace(is_available=lambda: available, device_count=lambda: count))

    assert gpu_shortage(fake(False, 0), 4) is None, "CPU and MPS ranks need no GPU"
    assert gpu_shortage(fake(True, 1), 1) is None
    assert gpu_shortage(fake(True, 2), 2) is None
    assert gpu_shortage(fake(True, 1), 2) == (
        "2 processes on this machine but 1 CUDA GPU visible: each process needs its own GPU; "
        'set "launcher": {"numProcesses": 1} in finetune.json'
    )
    assert gpu_shortage(fake(True, 2), 3).startswith("3 processes on this machine but 2 CUDA GPUs visible")
