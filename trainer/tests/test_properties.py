"""Hypothesis property tests of the trainer's pure parts: masking, config mapping, schedule, sharding, events."""

import json
import math

import pytest
from hypothesis import given, settings, strategies as st

from ftstudio_trainer import chat, config, data
from ftstudio_trainer.events import EventWriter

BASE = {"method": "sft", "model": "m", "train": "t.jsonl", "output": "out", "events": "e.jsonl"}
FAST = settings(max_examples=150, deadline=None)

segments = st.lists(st.tuples(st.lists(st.integers(0, 1000), max_size=6), st.booleans()), max_size=8)


@FAST
@given(segments, st.integers(0, 60))
def test_mask_keeps_ids_and_labels_only_trainable_tokens(segs, max_len):
    ids, labels = data.mask(segs, max_len)
    flat = [(t, f) for toks, f in segs for t in toks][:max_len]
    assert ids == [t for t, _ in flat]
    assert labels == [t if f else data.IGNORE for t, f in flat]


@st.composite
def tokens_and_spans(draw):
    lengths = draw(st.lists(st.integers(1, 5), min_size=1, max_size=20))
    offsets, pos = [], 0
    for n in lengths:
        offsets.append((pos, pos + n))
        pos += n
    special = draw(st.lists(st.booleans(), min_size=len(offsets), max_size=len(offsets)))
    cuts = sorted(draw(st.lists(st.integers(0, pos), max_size=6, unique=True)))
    spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    return offsets, special, spans


@FAST
@given(tokens_and_spans())
def test_a_token_is_trained_iff_it_overlaps_a_reply_or_is_the_special_token_right_after_one(case):
    offsets, special, spans = case
    mask = chat.spans_to_mask(offsets, special, spans)
    for (s, e), sp, m in zip(offsets, special, mask):
        overlaps = any(s < b and e > a for a, b in spans)
        closes = sp and any(s == b for _, b in spans)
        assert m == (overlaps or closes)


@FAST
@given(
    st.lists(
        st.sampled_from(["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj"]), min_size=1, max_size=5, unique=True
    ),
    st.integers(1, 256),
    st.floats(0.0, 1.0),
    st.sampled_from(["lora", "qlora", "none"]),
)
def test_config_mapping_round_trips_our_names(modules, r, dropout, adapter):
    cfg = config.from_dict(
        {**BASE, "target_modules": modules, "lora_r": r, "lora_dropout": dropout, "adapter": adapter, "futureKey": 1}
    )
    assert cfg.extra == {"futureKey": 1}
    kw = config.lora_kwargs(cfg)
    if adapter == "none":
        assert kw is None
    else:
        assert kw["r"] == r and kw["target_modules"] == modules and kw["lora_dropout"] == dropout


@FAST
@given(st.integers(1, 2000), st.integers(1, 16), st.integers(1, 8), st.integers(1, 8), st.floats(0.1, 5.0))
def test_steps_count_the_global_batch(examples, bs, acc, world, epochs):
    cfg = config.from_dict({**BASE, "batch_size": bs, "gradient_accumulation": acc, "epochs": epochs})
    per_epoch = config.steps_per_epoch(cfg, examples, world)
    assert (per_epoch - 1) * bs * acc * world < examples <= per_epoch * bs * acc * world
    assert config.total_steps(cfg, examples, world) == max(1, math.ceil(per_epoch * epochs))


@FAST
@given(st.integers(1, 500), st.floats(0.0, 0.5), st.floats(1e-6, 1e-2))
def test_schedule_warms_up_then_decays_to_zero(steps, ratio, lr):
    cfg = config.from_dict({**BASE, "warmup_ratio": ratio, "learning_rate": lr})
    warm = config.warmup_steps(cfg, steps)
    assert warm == math.ceil(steps * ratio)
    rates = [config.learning_rate_at(cfg, s, steps) for s in range(steps + 1)]
    assert all(0.0 <= x <= lr * (1 + 1e-12) for x in rates)
    assert rates[-1] == 0.0
    assert all(a <= b + 1e-18 for a, b in zip(rates[:warm], rates[1 : warm + 1])), "rising during warm-up"
    assert all(a >= b - 1e-18 for a, b in zip(rates[warm:], rates[warm + 1 :])), "falling after"


@FAST
@given(st.integers(1, 60), st.integers(1, 6), st.integers(1, 4), st.integers(0, 10**6))
def test_shards_are_disjoint_within_a_global_batch_and_cover_each_epoch(n, bs, world, seed):
    torch_free_micro_batches = __import__("ftstudio_trainer.train", fromlist=["micro_batches"]).micro_batches
    streams = [torch_free_micro_batches(n, bs, seed, world, r) for r in range(world)]
    g = bs * world
    padded = n + (-n) % world
    seen = set()
    for _ in range(-(-padded // g)):  # one epoch of global micro-batches
        parts = [next(s)[1] for s in streams]
        flat = [i for p in parts for i in p]
        assert len(flat) <= g
        assert len(flat) - len(set(flat)) <= (-n) % world, "repeats only from padding the epoch to the ranks"
        seen.update(flat)
    assert seen == set(range(n))


@FAST
@given(
    st.dictionaries(
        st.sampled_from(["loss", "learningRate", "epoch", "evalLoss"]),
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5), st.none()),
        max_size=4,
    )
)
def test_events_are_valid_json_and_never_hold_nan_strings(tmp_path_factory, fields):
    path = tmp_path_factory.mktemp("ev") / "events.jsonl"
    w = EventWriter(str(path))
    w.emit("step", step=1, **fields)
    w.close()
    rec = json.loads(path.read_text())  # strict JSON: no NaN / Infinity literals either
    for k, v in fields.items():
        if v is None:
            assert k not in rec
        elif isinstance(v, float) and not math.isfinite(v):
            assert rec[k] is None
        else:
            assert rec[k] == v


def test_config_rejects_a_bad_target_modules_string():
    with pytest.raises(ValueError, match="all-linear"):
        config.from_dict({**BASE, "target_modules": "q_proj"})
    assert (
        config.lora_kwargs(config.from_dict({**BASE, "target_modules": "all-linear"}))["target_modules"] == "all-linear"
    )
