"""The training loop: SFT and DPO (sigmoid loss, β, the frozen base — adapter off — as reference) on
transformers + PEFT, no Trainer and no TRL. CUDA, Apple MPS or CPU; one process or several under torchrun
(each rank its own shard of every global batch, DDP averaging the gradients, rank 0 alone writing events,
checkpoints and the adapter). Checkpoints hold the optimizer, scheduler and RNG states, so a resumed run
continues the same schedule and draws the same dropout masks. A STOP file or SIGINT stops it gracefully.
With finetune.json's `eval` block, the evaluation gates (gates.py) run on rank 0 at each checkpoint and at
the end; a failed gate ends the run with status stopped-by-gate and exit code GATE_STOP_EXIT_CODE.

Model loading is in model.py, tokenization per method in examples.py, the pure schedule in config.py.
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import sys
from typing import Any, Iterator

from . import data, examples as ex
from .config import TrainConfig, global_batch, learning_rate_at, steps_per_epoch, total_steps
from .dpo import dpo_loss, rewards
from .events import EventWriter
from .gates import Gates, gate_config, greedy_generator
from .logprobs import sequence_logps
from .model import load_model, load_tokenizer

CHECKPOINT_STATE = "training.pt"
GATE_STOP_EXIT_CODE = 3  # src/core/eval/gateEvent.ts


class GateStop(Exception):
    pass


class Stop(Exception):
    pass


def last_checkpoint(output: str) -> str | None:
    if not os.path.isdir(output):
        return None
    cps = [
        d
        for d in os.listdir(output)
        if d.startswith("checkpoint-") and d[11:].isdigit() and os.path.exists(os.path.join(output, d, "state.json"))
    ]
    return os.path.join(output, max(cps, key=lambda d: int(d.split("-")[1]))) if cps else None


def rank_order(n: int, seed: int, epoch: int, world: int) -> list[int]:
    """The epoch's shuffled example order (the same on every rank), padded to a multiple of the number of
    processes with its own first items, as torch's DistributedSampler pads."""
    order = list(range(n))
    random.Random(seed + epoch).shuffle(order)
    pad = (-len(order)) % world
    return order + order[:pad]


def micro_batches(n: int, batch_size: int, seed: int, world: int, rank: int) -> Iterator[tuple[float, list[int]]]:
    """(epoch as a float, this rank's example indices) for each micro-batch, forever: global micro-batches
    of batch_size × world consecutive items of the epoch's order, dealt out round-robin, so the ranks'
    shards are disjoint and together are exactly what one process with the global batch would see."""
    epoch = 0
    while True:
        order = rank_order(n, seed, epoch, world)
        g = batch_size * world
        for i in range(0, len(order), g):
            part = order[i : i + g]
            yield epoch + min(i + len(part), n) / n, part[rank::world]
        epoch += 1


def rng_state(torch: Any) -> dict[str, Any]:
    state = {"python": random.getstate(), "torch": torch.get_rng_state()}
    try:
        import numpy as np

        state["numpy"] = np.random.get_state()
    except ImportError:
        pass
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any], torch: Any) -> None:
    random.setstate(state["python"])
    torch.set_rng_state(state["torch"])
    if "numpy" in state:
        import numpy as np

        np.random.set_state(state["numpy"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def gpu_shortage(torch: Any, local_processes: int) -> str | None:
    """Where CUDA is visible, each process on this machine needs its own GPU: rank k takes cuda:k."""
    if local_processes <= 1 or not torch.cuda.is_available():
        return None
    gpus = torch.cuda.device_count()
    if local_processes <= gpus:
        return None
    return (
        f"{local_processes} processes on this machine but {gpus} CUDA GPU{'' if gpus == 1 else 's'} visible: "
        f'each process needs its own GPU; set "launcher": {{"numProcesses": {gpus}}} in finetune.json'
    )


def _device(torch: Any, local_rank: int) -> Any:
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def run(cfg: TrainConfig, stop_file: str | None = None) -> int:
    import torch
    import torch.distributed as dist

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if world > 1 and not dist.is_initialized():
        import datetime

        # the other ranks wait in a collective while rank 0 runs the gates: give it time (bounded by maxNewTokens)
        wait = {"timeout": datetime.timedelta(hours=2)} if cfg.eval else {}
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo", **wait)
    main = rank == 0
    events = EventWriter(cfg.events, enabled=main)
    stop_requested = {"flag": False}
    signal.signal(signal.SIGINT, lambda *_: stop_requested.__setitem__("flag", True))
    shortage = gpu_shortage(torch, int(os.environ.get("LOCAL_WORLD_SIZE", "1")))
    if shortage:
        print(f"ftstudio_trainer: {shortage}", file=sys.stderr)
        events.emit("error", message=shortage)
        events.close()
        if dist.is_initialized():
            dist.destroy_process_group()
        return 1
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    device = _device(torch, local_rank)
    bf16 = (device.type == "cuda" and torch.cuda.is_bf16_supported()) or bool(cfg.extra.get("bf16"))
    method = ex.METHODS[cfg.method]

    def all_sum(values: list[float]) -> list[float]:
        if world == 1:
            return values
        t = torch.tensor(values, dtype=torch.float64, device=device if device.type == "cuda" else "cpu")
        dist.all_reduce(t)
        return t.tolist()

    try:
        tokenizer = load_tokenizer(cfg)
        model, ref_model = load_model(cfg, device, bf16, method.disable_dropout)
        train_set, dropped = ex.tokenize_file(cfg.train, cfg.method, tokenizer, cfg.max_seq_length)
        held: list[Any] = []
        if cfg.heldout and os.path.exists(cfg.heldout):
            held, _ = ex.tokenize_file(cfg.heldout, cfg.method, tokenizer, cfg.max_seq_length)
        gate_cfg = gate_config(cfg.eval)
        gates = Gates(gate_cfg, cfg.heldout) if gate_cfg else None  # every rank: a bad set fails them all alike
    except (ValueError, OSError) as e:
        events.emit("error", message=str(e))
        events.close()
        return 1
    if not train_set:
        events.emit(
            "error",
            message=f"{cfg.train}: no trainable examples (every label masked or truncated away: check the chat template and maxSeqLength)",
        )
        events.close()
        return 1

    steps = total_steps(cfg, len(train_set), world)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.learning_rate, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: learning_rate_at(cfg, s, steps) / cfg.learning_rate)
    net = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[local_rank] if device.type == "cuda" else None
        )

    start, rng = 0, None
    cp = last_checkpoint(cfg.output)
    if cp:
        with open(os.path.join(cp, "state.json"), encoding="utf-8") as f:
            start = json.load(f)["step"]
        state = torch.load(os.path.join(cp, CHECKPOINT_STATE), map_location="cpu", weights_only=False)
        missing = model.load_state_dict(state["model"], strict=False)
        if any(k in state["model"] for k in missing.unexpected_keys):
            raise RuntimeError(
                f"{cp}: the checkpoint does not match this model ({len(missing.unexpected_keys)} unexpected weights)"
            )
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        rng = state.get("rng")
        if gates is not None:
            gates.load_state(cp)  # the best checkpoint so far and the items that passed survive a resume
    events.emit(
        "start",
        step=start,
        totalSteps=steps,
        method=cfg.method,
        examples=len(train_set),
        skipped=dropped or None,
        resumedFrom=cp,
        bf16=bf16,
        device=device.type,
        processes=world,
        globalBatch=global_batch(cfg, world),
        stepsPerEpoch=steps_per_epoch(cfg, len(train_set), world),
    )

    stream = micro_batches(len(train_set), cfg.batch_size, cfg.seed, world, rank)
    for _ in range(start * cfg.gradient_accumulation):
        next(stream)  # resume: the same data order as an uninterrupted run
    if rng is not None:
        set_rng_state(rng, torch)  # the same dropout masks as an uninterrupted run

    autocast = {"device_type": device.type, "dtype": torch.bfloat16, "enabled": bf16}

    def logits_of(m: Any, ids: Any, mask: Any) -> Any:
        with torch.autocast(**autocast):
            return m(input_ids=ids, attention_mask=mask).logits

    def reference_logps(ids: Any, labels: Any, mask: Any) -> Any:
        with torch.no_grad():
            if ref_model is not None:
                return sequence_logps(logits_of(ref_model, ids, mask), labels)
            with model.disable_adapter():
                return sequence_logps(logits_of(model, ids, mask), labels)

    def units(batch: list[Any]) -> float:
        """What the loss is averaged over: trained tokens (SFT), pairs (DPO)."""
        if cfg.method == "sft":
            return float(sum(sum(1 for label in labels[1:] if label != data.IGNORE) for _, labels in batch))
        return float(len(batch))

    def loss_sum(m: Any, batch: list[Any]) -> tuple[Any, dict[str, float]]:
        """The summed loss of a micro-batch (token losses for SFT, pair losses for DPO) and summed metrics."""
        if cfg.method == "sft":
            ids, labels, mask = (t.to(device) for t in ex.collate(batch, tokenizer.pad_token_id, torch))
            return -sequence_logps(logits_of(m, ids, mask), labels).sum(), {}
        pairs = [b[0] for b in batch] + [b[1] for b in batch]
        ids, labels, mask = (t.to(device) for t in ex.collate(pairs, tokenizer.pad_token_id, torch))
        pol = sequence_logps(logits_of(m, ids, mask), labels)
        ref = reference_logps(ids, labels, mask)
        n = len(batch)
        losses = dpo_loss(pol[:n], pol[n:], ref[:n], ref[n:], cfg.beta)
        rc, rr = rewards(pol[:n], ref[:n], cfg.beta).detach(), rewards(pol[n:], ref[n:], cfg.beta).detach()
        return losses.sum(), {
            "rewardsChosen": rc.sum().item(),
            "rewardsRejected": rr.sum().item(),
            "rewardsMargin": (rc - rr).sum().item(),
            "rewardAccuracy": (rc > rr).float().sum().item(),
        }

    def save(step: int) -> None:
        if main:
            path = os.path.join(cfg.output, f"checkpoint-{step}")
            tmp = path + ".partial"
            os.makedirs(tmp, exist_ok=True)
            model.save_pretrained(tmp)
            trainable = {k: v for k, v in model.state_dict().items() if cfg.adapter == "none" or "lora_" in k}
            torch.save(
                {
                    "model": trainable,
                    "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict(),
                    "rng": rng_state(torch),
                },
                os.path.join(tmp, CHECKPOINT_STATE),
            )
            with open(os.path.join(tmp, "state.json"), "w", encoding="utf-8") as f:
                json.dump({"step": step, "totalSteps": steps, "processes": world}, f)
            if os.path.exists(path):
                import shutil

                shutil.rmtree(path)
            os.replace(tmp, path)  # a checkpoint is there whole or not at all
            events.emit("checkpoint", step=step, totalSteps=steps, path=path)
        if world > 1:
            dist.barrier()

    def evaluate(step: int) -> None:
        if not held:
            return
        model.eval()
        total, count = 0.0, 0.0
        with torch.no_grad():
            mine = held[rank::world]
            for i in range(0, len(mine), cfg.batch_size):
                batch = mine[i : i + cfg.batch_size]
                loss, _ = loss_sum(model, batch)
                total += loss.item()
                count += units(batch)
        total, count = all_sum([total, count])
        model.train()
        events.emit("eval", step=step, totalSteps=steps, evalLoss=total / max(count, 1.0))

    generate = (
        greedy_generator(model, tokenizer, device, gates.cfg.max_new_tokens, autocast) if gates is not None else None
    )

    def gate(step: int, checkpoint: str | None) -> str | None:
        """Rank 0 runs the gates and writes the event; every rank learns whether to stop. The reason, or None."""
        if gates is None:
            return None
        reason = None
        if main:
            fields = gates.at_checkpoint(step, checkpoint, generate, has_base=cfg.adapter != "none")
            events.emit("gate", totalSteps=steps, **fields)
            if checkpoint:
                gates.save_state(os.path.join(cfg.output, checkpoint))
            if fields["decision"] == "stop":
                reason = "; ".join(fields["reasons"])
        if all_sum([1.0 if reason else 0.0])[0] > 0:
            return reason or "the evaluation gate failed"
        return None

    def stopping() -> bool:
        flag = stop_requested["flag"] or bool(stop_file and os.path.exists(stop_file))
        return all_sum([1.0 if flag else 0.0])[0] > 0

    model.train()
    step = start
    try:
        for step in range(start + 1, steps + 1):
            micro = [next(stream) for _ in range(cfg.gradient_accumulation)]
            batches = [[train_set[j] for j in idx] for _, idx in micro]
            denom = all_sum([sum(units(b) for b in batches)])[0]
            running, metrics = 0.0, {}
            for k, batch in enumerate(batches):
                sync = k == len(batches) - 1 or world == 1
                ctx = net.no_sync() if not sync else _null()
                with ctx:
                    loss, extra = loss_sum(net, batch)
                    # the mean over the global batch; DDP averages gradients over the processes, hence × world
                    (loss * (world / max(denom, 1.0))).backward()
                running += loss.item()
                for key, v in extra.items():
                    metrics[key] = metrics.get(key, 0.0) + v
            lr = opt.param_groups[0]["lr"]  # the rate this step uses (before the scheduler moves on)
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            keys = sorted(metrics)
            totals = all_sum([running] + [metrics[k] for k in keys])
            loss_value = totals[0] / max(denom, 1.0)
            pairs = all_sum([float(sum(len(b) for b in batches))])[0] if keys else 1.0
            extra_out = {k: v / pairs for k, v in zip(keys, totals[1:])}
            if not math.isfinite(loss_value):
                events.emit(
                    "error",
                    step=step,
                    totalSteps=steps,
                    message=f"the loss became {loss_value} at step {step}: lower the learning rate or check the data (the last checkpoint is kept)",
                )
                events.close()
                return 1
            events.emit(
                "step",
                step=step,
                totalSteps=steps,
                loss=loss_value,
                learningRate=lr,
                epoch=round(micro[-1][0], 4),
                **extra_out,
            )
            if cfg.eval_steps and step % cfg.eval_steps == 0:
                evaluate(step)
            if cfg.save_steps and step % cfg.save_steps == 0:
                save(step)
                reason = gate(step, f"checkpoint-{step}")
                if reason:
                    raise GateStop(reason)
            if stopping():
                if not (cfg.save_steps and step % cfg.save_steps == 0):
                    save(step)
                raise Stop()
    except Stop:
        events.emit("end", step=step, totalSteps=steps, status="stopped")
        events.close()
        return 130
    except GateStop as g:
        return gate_stopped(events, gates, step, steps, str(g), world)
    except Exception as e:  # noqa: BLE001 — reported, then re-raised for the log
        events.emit("error", message=f"{type(e).__name__}: {e}")
        events.close()
        raise
    if not (cfg.eval_steps and steps % cfg.eval_steps == 0):
        evaluate(steps)  # the last step was not evaluated in the loop
    if main:
        model.save_pretrained(cfg.output)
        tokenizer.save_pretrained(cfg.output)
    if not (cfg.save_steps and steps % cfg.save_steps == 0):
        reason = gate(steps, None)  # the final adapter, when the last step was not a checkpoint
        if reason:
            return gate_stopped(events, gates, steps, steps, reason, world)
    events.emit("end", step=steps, totalSteps=steps, status="completed", output=cfg.output)
    events.close()
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return 0


def gate_stopped(events: EventWriter, gates: Gates | None, step: int, steps: int, reason: str, world: int) -> int:
    best = gates.best_checkpoint() if gates is not None else None
    events.emit("end", step=step, totalSteps=steps, status="stopped-by-gate", reason=reason, bestCheckpoint=best)
    events.close()
    if world > 1:
        import torch.distributed as dist

        dist.barrier()
        dist.destroy_process_group()
    return GATE_STOP_EXIT_CODE


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None
