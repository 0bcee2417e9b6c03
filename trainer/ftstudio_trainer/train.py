"""The training loop: SFT (loss on completions / assistant turns only) and DPO (sigmoid loss, β, the
frozen base with the adapter switched off as reference), LoRA / QLoRA (4-bit NF4) / full, gradient
checkpointing, bf16 where supported, checkpoints every save_steps, resume from the last checkpoint,
a stop file and SIGINT for a graceful stop. A plain loop on transformers + PEFT (+ accelerate when
installed), no Trainer and no TRL: the same code runs on transformers 4.4x and 5.x.
"""
from __future__ import annotations

import json
import os
import random
import signal
from typing import Any

from . import data
from .config import TrainConfig, learning_rate_at, lora_kwargs, total_steps
from .dpo import dpo_loss, rewards
from .events import EventWriter


class Stop(Exception):
    pass


def _dtype_kwargs(transformers: Any, dtype: Any) -> dict[str, Any]:
    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    return {"dtype": dtype} if (major, minor) >= (4, 56) else {"torch_dtype": dtype}


def _ids(out: Any) -> list[int]:
    """apply_chat_template returns a list (4.x) or a BatchEncoding (5.x)."""
    if isinstance(out, dict) or hasattr(out, "keys"):
        out = out["input_ids"]
    if out and isinstance(out[0], list):
        out = out[0]
    return list(out)


def make_render(tokenizer: Any):
    if getattr(tokenizer, "chat_template", None):
        def render(messages, gen):
            if not messages:
                return [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
            return _ids(tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=gen))
    else:
        # no chat template: a plain, stable one
        def render(messages, gen):
            text = "".join(f"<|{m['role']}|>\n{m.get('content') or ''}\n" for m in messages) + ("<|assistant|>\n" if gen else "")
            return tokenizer(text, add_special_tokens=False)["input_ids"]
    return render


def tokenize_sft(rec: dict[str, Any], tokenizer: Any, render, max_len: int) -> tuple[list[int], list[int]]:
    conv = data.sft_conversation(rec)
    if conv is not None:
        segs = data.chat_token_segments(conv, render)
    else:
        segs = []
        for i, (text, trainable) in enumerate(data.sft_segments(rec)):
            segs.append((tokenizer(text, add_special_tokens=(i == 0))["input_ids"], trainable))
        if tokenizer.eos_token_id is not None:
            segs.append(([tokenizer.eos_token_id], True))
    return data.mask(segs, max_len)


def tokenize_dpo(rec: dict[str, Any], tokenizer: Any, render, max_len: int):
    prompt, chosen, rejected = data.dpo_triplet(rec)
    out = []
    for answer in (chosen, rejected):
        if isinstance(prompt, list):
            p = render(prompt, True)
            full = render(prompt + (answer if isinstance(answer, list) else [{"role": "assistant", "content": answer}]), False)
            segs = [(p, False), (full[len(p):], True)] if full[: len(p)] == p else [(full, True)]
        else:
            p = tokenizer(prompt, add_special_tokens=True)["input_ids"]
            a = tokenizer(answer if isinstance(answer, str) else json.dumps(answer), add_special_tokens=False)["input_ids"]
            segs = [(p, False), (a + ([tokenizer.eos_token_id] if tokenizer.eos_token_id is not None else []), True)]
        out.append(data.mask(segs, max_len))
    return out  # [(chosen ids, labels), (rejected ids, labels)]


def collate(batch: list[tuple[list[int], list[int]]], pad_id: int, torch: Any):
    n = max(len(ids) for ids, _ in batch)
    ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), n), data.IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    for i, (x, y) in enumerate(batch):
        ids[i, : len(x)] = torch.tensor(x)
        labels[i, : len(y)] = torch.tensor(y)
        mask[i, : len(x)] = 1
    return ids, labels, mask


def sequence_logps(model: Any, ids: Any, labels: Any, mask: Any, torch: Any):
    logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
    target = labels[:, 1:]
    keep = target != data.IGNORE
    logp = torch.log_softmax(logits, dim=-1).gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (logp * keep).sum(-1)


def last_checkpoint(output: str) -> str | None:
    if not os.path.isdir(output):
        return None
    cps = [d for d in os.listdir(output) if d.startswith("checkpoint-") and os.path.exists(os.path.join(output, d, "state.json"))]
    return os.path.join(output, max(cps, key=lambda d: int(d.split("-")[1]))) if cps else None


def run(cfg: TrainConfig, stop_file: str | None = None) -> int:
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        from accelerate import Accelerator

        acc = Accelerator(gradient_accumulation_steps=1)
    except ImportError:
        acc = None
    main = acc is None or acc.is_main_process
    events = EventWriter(cfg.events, enabled=main)
    stop_requested = {"flag": False}
    signal.signal(signal.SIGINT, lambda *_: stop_requested.__setitem__("flag", True))
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    device = acc.device if acc else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    bf16 = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    dtype = torch.bfloat16 if bf16 else torch.float32

    tokenizer = AutoTokenizer.from_pretrained(cfg.model)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    kwargs: dict[str, Any] = _dtype_kwargs(transformers, dtype)
    if cfg.adapter == "qlora":
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=dtype, bnb_4bit_use_double_quant=True)
        # 4-bit weights are placed at load time: on this process's GPU
        kwargs["device_map"] = {"": device.index if device.index is not None else 0}
    model = AutoModelForCausalLM.from_pretrained(cfg.model, **kwargs)
    ref_model = None
    if cfg.adapter != "none":
        import peft

        if cfg.adapter == "qlora":
            model = peft.prepare_model_for_kbit_training(model, use_gradient_checkpointing=True)
        model = peft.get_peft_model(model, peft.LoraConfig(**lora_kwargs(cfg)))
    elif cfg.method == "dpo":
        import copy

        ref_model = copy.deepcopy(model).eval().requires_grad_(False)
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if hasattr(model, "enable_input_require_grads"):
        model.enable_input_require_grads()
    if cfg.adapter != "qlora":
        model.to(device)
    if ref_model is not None:
        ref_model.to(device)

    render = make_render(tokenizer)
    records = data.read_jsonl(cfg.train)
    if cfg.method == "sft":
        examples = [tokenize_sft(r, tokenizer, render, cfg.max_seq_length) for r in records]
        examples = [e for e in examples if any(l != data.IGNORE for l in e[1])]
    else:
        examples = [tokenize_dpo(r, tokenizer, render, cfg.max_seq_length) for r in records]
    held = []
    if cfg.heldout and os.path.exists(cfg.heldout):
        hr = data.read_jsonl(cfg.heldout)
        held = [tokenize_sft(r, tokenizer, render, cfg.max_seq_length) for r in hr] if cfg.method == "sft" else [tokenize_dpo(r, tokenizer, render, cfg.max_seq_length) for r in hr]
    if not examples:
        events.emit("error", message="no trainable examples (every label masked?)")
        return 1

    steps = total_steps(cfg, len(examples))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.learning_rate)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: learning_rate_at(cfg, s, steps) / cfg.learning_rate)
    if acc:
        model, opt = acc.prepare(model, opt)
    start = 0
    cp = last_checkpoint(cfg.output)
    if cp:
        with open(os.path.join(cp, "state.json"), encoding="utf-8") as f:
            start = json.load(f)["step"]
        state = torch.load(os.path.join(cp, "training.pt"), map_location="cpu", weights_only=False)
        unwrapped = acc.unwrap_model(model) if acc else model
        unwrapped.load_state_dict(state["model"], strict=False)
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
    events.emit("start", step=start, totalSteps=steps, method=cfg.method, examples=len(examples), resumedFrom=cp, bf16=bf16)

    def batches():
        epoch = 0
        while True:
            order = list(range(len(examples)))
            random.Random(cfg.seed + epoch).shuffle(order)
            for i in range(0, len(order), cfg.batch_size):
                yield epoch, [examples[j] for j in order[i : i + cfg.batch_size]]
            epoch += 1

    stream = batches()
    for _ in range(start * cfg.gradient_accumulation):
        next(stream)  # resume: the same data order as an uninterrupted run

    def loss_of(batch) -> tuple[Any, dict[str, float]]:
        if cfg.method == "sft":
            ids, labels, mask = (t.to(device) for t in collate(batch, tokenizer.pad_token_id, torch))
            with torch.autocast(device.type, dtype=dtype, enabled=bf16):
                return model(input_ids=ids, attention_mask=mask, labels=labels).loss, {}
        chosen = [b[0] for b in batch]
        rejected = [b[1] for b in batch]
        ids, labels, mask = (t.to(device) for t in collate(chosen + rejected, tokenizer.pad_token_id, torch))
        with torch.autocast(device.type, dtype=dtype, enabled=bf16):
            pol = sequence_logps(model, ids, labels, mask, torch)
            with torch.no_grad():
                if ref_model is not None:
                    ref = sequence_logps(ref_model, ids, labels, mask, torch)
                else:
                    base = acc.unwrap_model(model) if acc else model
                    with base.disable_adapter():
                        ref = sequence_logps(model, ids, labels, mask, torch)
        n = len(batch)
        loss = dpo_loss(pol[:n], pol[n:], ref[:n], ref[n:], cfg.beta).mean()
        rc, rr = rewards(pol[:n], ref[:n], cfg.beta), rewards(pol[n:], ref[n:], cfg.beta)
        return loss, {"rewardsChosen": rc.mean().item(), "rewardsRejected": rr.mean().item(), "rewardAccuracy": (rc > rr).float().mean().item()}

    def save(step: int) -> None:
        if not main:
            return
        path = os.path.join(cfg.output, f"checkpoint-{step}")
        os.makedirs(path, exist_ok=True)
        unwrapped = acc.unwrap_model(model) if acc else model
        unwrapped.save_pretrained(path)
        trainable = {k: v for k, v in unwrapped.state_dict().items() if cfg.adapter == "none" or "lora_" in k}
        torch.save({"model": trainable, "optimizer": opt.state_dict(), "scheduler": sched.state_dict()}, os.path.join(path, "training.pt"))
        with open(os.path.join(path, "state.json"), "w", encoding="utf-8") as f:
            json.dump({"step": step}, f)
        events.emit("checkpoint", step=step, totalSteps=steps, path=path)

    def evaluate(step: int) -> None:
        if not held:
            return
        model.eval()
        total = 0.0
        with torch.no_grad():
            for i in range(0, len(held), cfg.batch_size):
                loss, _ = loss_of(held[i : i + cfg.batch_size])
                total += loss.item() * len(held[i : i + cfg.batch_size])
        model.train()
        events.emit("eval", step=step, totalSteps=steps, evalLoss=total / len(held))

    model.train()
    try:
        for step in range(start + 1, steps + 1):
            extra: dict[str, float] = {}
            running = 0.0
            epoch = 0
            for _ in range(cfg.gradient_accumulation):
                epoch, batch = next(stream)
                loss, extra = loss_of(batch)
                (acc.backward if acc else lambda l: l.backward())(loss / cfg.gradient_accumulation)
                running += loss.item() / cfg.gradient_accumulation
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            events.emit("step", step=step, totalSteps=steps, loss=running, learningRate=sched.get_last_lr()[0], epoch=round(epoch + 0.0, 3), **extra)
            if running != running:  # NaN
                raise RuntimeError("the loss became NaN: lower the learning rate or check the data")
            if cfg.eval_steps and step % cfg.eval_steps == 0:
                evaluate(step)
            if cfg.save_steps and step % cfg.save_steps == 0:
                save(step)
            if stop_requested["flag"] or (stop_file and os.path.exists(stop_file)):
                save(step)
                raise Stop()
    except Stop:
        events.emit("end", step=step, totalSteps=steps, status="stopped")
        events.close()
        return 130
    except Exception as e:  # noqa: BLE001 — reported, then re-raised for the log
        events.emit("error", message=f"{type(e).__name__}: {e}")
        events.close()
        raise
    if not (cfg.eval_steps and steps % cfg.eval_steps == 0):
        evaluate(steps)  # the last step was not evaluated in the loop
    if main:
        unwrapped = acc.unwrap_model(model) if acc else model
        unwrapped.save_pretrained(cfg.output)
        tokenizer.save_pretrained(cfg.output)
    events.emit("end", step=steps, totalSteps=steps, status="completed", output=cfg.output)
    events.close()
    return 0
