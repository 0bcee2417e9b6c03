"""Parity with TRL 1.x (the test-only reference): the same tiny Llama, LoRA adapter, tokenizer, chat
template, data and seed through TRL's DPOTrainer and through our loop.

Step 0: per-example log-probabilities of chosen and rejected, rewards and the loss within 1e-5.
20 steps: the loss curves within 1e-4. One batch holds the whole data set, so the two trainers' shuffles
cannot make them see different examples.
"""

import math

import pytest

torch = pytest.importorskip("torch")
trl = pytest.importorskip("trl")
from conftest import dpo_records, read_events, run_config  # noqa: E402

from ftstudio_trainer import config  # noqa: E402
from ftstudio_trainer.examples import collate, tokenize_dpo  # noqa: E402
from ftstudio_trainer.logprobs import sequence_logps  # noqa: E402
from ftstudio_trainer.model import load_model, load_tokenizer  # noqa: E402
from ftstudio_trainer.train import run  # noqa: E402

STEPS = 20


@pytest.fixture(scope="module")
def both(tiny, tmp_path_factory):
    from datasets import Dataset

    tmp = tmp_path_factory.mktemp("parity")
    cfg = config.from_dict(
        run_config(
            tmp,
            *tiny,
            method="dpo",
            train=str(tiny[1] / "dpo.jsonl"),
            batch_size=8,
            max_steps=STEPS,
            learning_rate=5e-3,
            warmup_ratio=0.1,
            lora_dropout=0.1,
            beta=0.1,
            seed=5,
        )
    )
    # TRL gets the very model our run starts from: same seed, same LoRA initialisation
    torch.manual_seed(cfg.seed)
    model, _ = load_model(cfg, torch.device("cpu"), bf16=False, disable_dropout_=True)
    tokenizer = load_tokenizer(cfg)
    args = trl.DPOConfig(
        output_dir=str(tmp / "trl"),
        per_device_train_batch_size=8,
        max_steps=STEPS,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type="linear",
        warmup_steps=cfg.warmup_ratio,
        logging_steps=1,
        report_to="none",
        beta=cfg.beta,
        seed=cfg.seed,
        save_strategy="no",
        use_cpu=True,
        bf16=False,
        max_length=cfg.max_seq_length,
    )
    trainer = trl.DPOTrainer(
        model=model, args=args, train_dataset=Dataset.from_list(dpo_records(8)), processing_class=tokenizer
    )
    batch = next(iter(trainer.get_train_dataloader()))
    with torch.no_grad():
        out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
        per_token = trl.trainer.utils.selective_log_softmax(out.logits[:, :-1], batch["input_ids"][:, 1:])
        trl_logps = (per_token * batch["completion_mask"][:, 1:]).sum(1)
    trl_rows = [
        [t for t, m in zip(ids, mask) if m]
        for ids, mask in zip(batch["input_ids"].tolist(), batch["attention_mask"].tolist())
    ]
    trl_completion = [
        [t for t, c in zip(ids, cm) if c]
        for ids, cm in zip(batch["input_ids"].tolist(), batch["completion_mask"].tolist())
    ]
    trainer.train()
    trl_steps = [h for h in trainer.state.log_history if "loss" in h and "step" in h]
    assert run(cfg) == 0
    ours = [e for e in read_events(cfg.events) if e["event"] == "step"]
    return {
        "cfg": cfg,
        "tokenizer": tokenizer,
        "trl_logps": trl_logps,
        "trl_rows": trl_rows,
        "trl_completion": trl_completion,
        "trl_steps": trl_steps,
        "ours": ours,
    }


def our_logps(cfg, tokenizer, rows):
    torch.manual_seed(cfg.seed)
    model, _ = load_model(cfg, torch.device("cpu"), bf16=False, disable_dropout_=True)
    exs = [tokenize_dpo(r, tokenizer, cfg.max_seq_length) for r in rows]
    pairs = [e[0] for e in exs] + [e[1] for e in exs]
    ids, labels, mask = collate(pairs, tokenizer.pad_token_id, torch)
    with torch.no_grad():
        return pairs, sequence_logps(model(input_ids=ids, attention_mask=mask).logits, labels)


def test_step_zero_tokens_log_probs_rewards_and_loss_match_trl(both):
    cfg, tok = both["cfg"], both["tokenizer"]
    pairs, logps = our_logps(cfg, tok, dpo_records(8))
    ours = {
        tuple(ids): (tuple(t for t, label in zip(ids, labels) if label != -100), lp)
        for (ids, labels), lp in zip(pairs, logps.tolist())
    }
    assert len(ours) == 16
    worst = 0.0
    for row, completion, trl_lp in zip(both["trl_rows"], both["trl_completion"], both["trl_logps"].tolist()):
        trained, lp = ours[tuple(row)]  # the same token ids for prompt + answer
        assert list(trained) == completion, "the same trained tokens"
        worst = max(worst, abs(lp - trl_lp))
    print(f"step 0: per-example log-prob max |Δ| = {worst:.2e}")
    assert worst < 1e-5
    first_trl, first_ours = both["trl_steps"][0], both["ours"][0]
    assert first_ours["loss"] == pytest.approx(math.log(2), abs=1e-6)
    for k_ours, k_trl in (
        ("loss", "loss"),
        ("rewardsChosen", "rewards/chosen"),
        ("rewardsRejected", "rewards/rejected"),
        ("rewardsMargin", "rewards/margins"),
    ):
        assert abs(first_ours[k_ours] - first_trl[k_trl]) < 1e-5, (k_ours, first_ours[k_ours], first_trl[k_trl])


def test_twenty_step_loss_curves_match_trl(both):
    trl_curve = [h["loss"] for h in both["trl_steps"]]
    ours = [e["loss"] for e in both["ours"]]
    assert len(trl_curve) == len(ours) == STEPS
    delta = max(abs(a - b) for a, b in zip(ours, trl_curve))
    print(f"20-step DPO loss curve max |Δ| = {delta:.2e} ({ours[0]:.4f} → {ours[-1]:.4f})")
    assert delta < 1e-4
    assert ours[-1] < ours[0] - 0.05, "it learned something"
    lr_trl = [h["learning_rate"] for h in both["trl_steps"]]
    lr_ours = [e["learningRate"] for e in both["ours"]]
    assert lr_ours == pytest.approx(lr_trl, abs=1e-12), (
        "each step logs the rate it used, warm-up rounded up as TRL does"
    )
