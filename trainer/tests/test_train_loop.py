"""train() end to end on a tiny Llama on CPU: real chat template, events, STOP file, NaN, resume, fp32
master weights, all-linear, DPO metrics."""

import math
import os

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")
from conftest import read_events, run_config  # noqa: E402

from ftstudio_trainer import config  # noqa: E402
from ftstudio_trainer.train import run  # noqa: E402


def train(tmp_path, tiny, stop_file=None, **over):
    cfg = config.from_dict(run_config(tmp_path, *tiny, **over))
    code = run(cfg, stop_file)
    return code, read_events(cfg.events)


def steps_of(evs):
    return [e for e in evs if e["event"] == "step"]


def test_sft_runs_logs_its_own_rate_and_float_epochs_and_saves_the_adapter(tmp_path, tiny):
    code, evs = train(tmp_path, tiny, max_steps=5, warmup_ratio=0.2, heldout=str(tiny[1] / "sft-heldout.jsonl"))
    assert code == 0 and evs[-1]["status"] == "completed"
    st = steps_of(evs)
    assert [e["step"] for e in st] == [1, 2, 3, 4, 5]
    # warm-up of ceil(5 × 0.2) = 1 step: step 1 runs at 0, step 2 at the peak, then linear decay
    assert [e["learningRate"] for e in st] == pytest.approx([0.0, 2e-3, 2e-3 * 3 / 4, 2e-3 * 2 / 4, 2e-3 * 1 / 4])
    assert [e["epoch"] for e in st] == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.25])  # 16 examples, 4 per step
    assert any(e["event"] == "eval" and math.isfinite(e["evalLoss"]) for e in evs)
    out = tmp_path / "out"
    assert (out / "adapter_model.safetensors").exists() and (out / "chat_template.jinja").exists()


def test_without_a_chat_template_the_plain_format_is_saved_and_eos_trained(tmp_path, tiny):
    from transformers import AutoTokenizer

    from ftstudio_trainer import examples
    from ftstudio_trainer.model import load_tokenizer

    model = tmp_path / "bare"
    tok = AutoTokenizer.from_pretrained(tiny[0])
    tok.chat_template = None
    tok.save_pretrained(model)
    for f in os.listdir(tiny[0]):
        if f.startswith("model") or f == "config.json":
            os.symlink(os.path.join(tiny[0], f), model / f)
    if (model / "chat_template.jinja").exists():
        (model / "chat_template.jinja").unlink()
    cfg = config.from_dict(run_config(tmp_path, str(model), tiny[1], max_steps=1))
    tok = load_tokenizer(cfg)
    ids, labels = examples.tokenize_sft(
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}, tok, 64
    )
    trained = [i for i, label in zip(ids, labels) if label != -100]
    assert trained[-1] == tok.eos_token_id, "the model learns to stop"
    assert run(cfg) == 0
    assert "<|assistant|>" in (tmp_path / "out" / "chat_template.jinja").read_text()


def test_stop_file_saves_and_a_resume_reproduces_the_uninterrupted_losses_with_dropout(tmp_path, tiny):
    common = {"lora_dropout": 0.05, "max_steps": 8, "batch_size": 4, "gradient_accumulation": 1}
    code, full = train(tmp_path / "a", tiny, **common)
    assert code == 0
    stop = tmp_path / "STOP"

    from ftstudio_trainer import events as ev

    orig = ev.EventWriter.emit

    def emit(self, event, **f):  # the STOP file appears as step 3 is logged
        if event == "step" and f.get("step") == 3:
            stop.write_text("")
        return orig(self, event, **f)

    ev.EventWriter.emit = emit
    try:
        code, first = train(tmp_path / "b", tiny, stop_file=str(stop), **common)
    finally:
        ev.EventWriter.emit = orig
    assert code == 130 and first[-1]["status"] == "stopped" and len(steps_of(first)) == 3
    stop.unlink()
    code, second = train(tmp_path / "b", tiny, events=str(tmp_path / "b" / "resumed.jsonl"), **common)
    assert code == 0 and second[0]["event"] == "start" and second[0]["resumedFrom"].endswith("checkpoint-3")
    resumed = steps_of(first) + steps_of(second)[-5:]
    assert [e["step"] for e in resumed] == list(range(1, 9))
    for a, b in zip(steps_of(full), resumed):
        assert b["loss"] == pytest.approx(a["loss"], abs=1e-5), (a, b)
        assert b["learningRate"] == pytest.approx(a["learningRate"])


def test_nan_loss_is_an_error_not_a_step(tmp_path, tiny):
    code, evs = train(tmp_path, tiny, learning_rate=float("inf"), max_steps=3, warmup_ratio=0.0)
    assert code == 1
    assert evs[-1]["event"] == "error" and "loss became nan" in evs[-1]["message"]
    assert all(isinstance(e.get("loss"), float) for e in steps_of(evs)), "no NaN written as a step"


def test_all_linear_and_full_fine_tune_keeps_fp32_master_weights(tmp_path, tiny):
    from ftstudio_trainer.model import load_model

    cfg = config.from_dict(run_config(tmp_path, *tiny, target_modules="all-linear"))
    model, _ = load_model(cfg, torch.device("cpu"), bf16=True)
    names = {n.split(".")[-4] for n, p in model.named_parameters() if p.requires_grad and "lora_A" in n}
    assert {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"} <= names
    # a full fine-tune with bf16 autocast: the weights stay float32 and every one of them moves at lr 2e-5
    full = config.from_dict(
        run_config(tmp_path, *tiny, adapter="none", learning_rate=2e-5, warmup_ratio=0.0, max_steps=2, bf16=True)
    )
    model, _ = load_model(full, torch.device("cpu"), bf16=True)
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    assert run(full) == 0
    from transformers import AutoModelForCausalLM

    after = AutoModelForCausalLM.from_pretrained(full.output, dtype=torch.float32)
    moved = [
        (n, p) for n, p in after.named_parameters() if n in before and "embed_tokens" not in n
    ]  # rows of unseen tokens get no gradient
    changed = sum(int((p.detach() != before[n]).sum()) for n, p in moved)
    total = sum(p.numel() for _, p in moved)
    assert changed / total > 0.99, f"only {changed / total:.0%} of the weights moved"


def test_dpo_emits_rewards_margins_and_accuracy(tmp_path, tiny):
    code, evs = train(
        tmp_path,
        tiny,
        method="dpo",
        train=str(tiny[1] / "dpo.jsonl"),
        max_steps=4,
        learning_rate=5e-3,
        lora_dropout=0.1,
    )
    assert code == 0
    st = steps_of(evs)
    assert st[0]["loss"] == pytest.approx(math.log(2), abs=1e-6)  # policy = reference at step 1 (dropout off for DPO)
    for e in st:
        assert e["rewardsMargin"] == pytest.approx(e["rewardsChosen"] - e["rewardsRejected"], abs=1e-6)
        assert 0.0 <= e["rewardAccuracy"] <= 1.0
    assert st[-1]["rewardsMargin"] > 0
