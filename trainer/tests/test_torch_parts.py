"""The loop's tensor parts on CPU torch: padding, selective log-softmax (values and peak memory),
the DPO loss on tensors, SFT/DPO tokenization with a real tokenizer and chat template."""

import math

import pytest

torch = pytest.importorskip("torch")
from tokenizers_for_tests import tokenizer_for  # noqa: E402

from ftstudio_trainer import data, dpo  # noqa: E402
from ftstudio_trainer.examples import collate, tokenize_dpo, tokenize_sft  # noqa: E402
from ftstudio_trainer.logprobs import full_log_softmax_logps, selective_log_softmax, sequence_logps  # noqa: E402


def test_collate_pads_ids_labels_and_mask():
    ids, labels, mask = collate([([5, 6, 7], [-100, 6, 7]), ([8], [8])], 0, torch)
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0]]
    assert labels.tolist() == [[-100, 6, 7], [8, -100, -100]]
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]


def test_sequence_logps_sum_only_the_labelled_next_tokens():
    torch.manual_seed(0)
    logits = torch.randn(1, 4, 50)
    labels = torch.tensor([[-100, -100, 7, 8]])
    logp = torch.log_softmax(logits[0], -1)
    assert torch.allclose(
        sequence_logps(logits, labels)[0], logp[1, 7] + logp[2, 8], atol=1e-6
    )  # position t predicts t + 1
    big = torch.randn(3, 9, 300, dtype=torch.bfloat16)
    lab = torch.randint(0, 300, (3, 9))
    assert torch.allclose(sequence_logps(big, lab), full_log_softmax_logps(big, lab), atol=1e-4)
    idx = torch.randint(0, 300, (3, 9))
    assert torch.allclose(
        selective_log_softmax(big, idx),
        torch.log_softmax(big.float(), -1).gather(-1, idx.unsqueeze(-1)).squeeze(-1),
        atol=1e-5,
    )


class PeakMemory:
    """Peak bytes of tensor storage allocated by the operators run inside it (a TorchDispatchMode that
    counts each new storage until its tensor is freed): deterministic, unlike the process's RSS. Views of
    the given inputs are not new storage."""

    def __init__(self, *inputs):
        self.inputs = inputs

    def __enter__(self):
        import weakref

        from torch.utils._python_dispatch import TorchDispatchMode
        from torch.utils._pytree import tree_flatten

        tracker = self
        self.live = self.peak = 0
        seen = {t.untyped_storage().data_ptr() for t in self.inputs}

        def free(key, n):
            seen.discard(key)
            tracker.live -= n

        class Mode(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                out = func(*args, **(kwargs or {}))
                for t in tree_flatten(out)[0]:
                    if isinstance(t, torch.Tensor) and t.untyped_storage().data_ptr() not in seen:
                        key, n = t.untyped_storage().data_ptr(), t.untyped_storage().nbytes()
                        seen.add(key)
                        tracker.live += n
                        tracker.peak = max(tracker.peak, tracker.live)
                        weakref.finalize(t, free, key, n)
                return out

        self.mode = Mode()
        self.mode.__enter__()
        return self

    def __exit__(self, *exc):
        self.mode.__exit__(*exc)


def test_selective_log_softmax_peak_memory_is_a_fraction_of_the_full_one():
    """bf16 logits of 4 × 256 × 32k (65 MB): the former code makes float32 copies of the whole tensor."""
    b, t, v = 4, 256, 32000
    logits = torch.empty(b, t, v, dtype=torch.bfloat16).normal_()
    labels = torch.randint(0, v, (b, t))
    peaks = {}
    for name, f in (("full", full_log_softmax_logps), ("selective", sequence_logps)):
        with PeakMemory(logits, labels) as m:
            f(logits, labels)
        peaks[name] = m.peak
    full, selective = peaks["full"], peaks["selective"]
    print(f"peak allocated: full log-softmax {full / 2**20:.0f} MiB, selective {selective / 2**20:.1f} MiB")
    assert full >= 2 * b * (t - 1) * v * 4  # a float32 copy of the logits and its log-softmax
    assert selective < full / 6  # 128 positions in float32 at a time (measured: 249 MiB → 31 MiB)


def test_dpo_loss_on_tensors_matches_floats():
    pc, pr, rc, rr = (
        torch.tensor([-1.0, -2.0]),
        torch.tensor([-3.0, -1.0]),
        torch.tensor([-2.0, -2.0]),
        torch.tensor([-2.0, -2.0]),
    )
    loss = dpo.dpo_loss(pc, pr, rc, rr, 0.1)
    assert loss.shape == (2,)
    assert loss[0].item() == pytest.approx(dpo.dpo_loss(-1.0, -3.0, -2.0, -2.0, 0.1))
    assert loss[1].item() == pytest.approx(dpo.dpo_loss(-2.0, -1.0, -2.0, -2.0, 0.1))
    assert loss[1].item() > math.log(2), "preferring the rejected answer costs more than indifference"


def test_sft_tokenization_of_text_formats_appends_eos_and_chats_use_the_template():
    tok = tokenizer_for("llama3")
    ids, labels = tokenize_sft({"prompt": "Q?", "completion": "A."}, tok, 64)
    trained = [i for i, label in zip(ids, labels) if label != data.IGNORE]
    assert trained == tok("A.", add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    msgs = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}
    ids, labels = tokenize_sft(msgs, tok, 256)
    assert tok.decode([i for i, label in zip(ids, labels) if label != data.IGNORE]) == "yo<|eot_id|>"
    assert tokenize_sft(msgs, tok, 5)[0] == ids[:5]


def test_dpo_tokenization_trains_the_answers_only():
    tok = tokenizer_for("qwen2_5")
    (c_ids, c_lab), (r_ids, r_lab) = tokenize_dpo(
        {
            "prompt": [{"role": "user", "content": "P"}],
            "chosen": [{"role": "assistant", "content": "good"}],
            "rejected": [{"role": "assistant", "content": "bad"}],
        },
        tok,
        128,
    )
    assert tok.decode([i for i, label in zip(c_ids, c_lab) if label != data.IGNORE]) == "good<|im_end|>"
    assert tok.decode([i for i, label in zip(r_ids, r_lab) if label != data.IGNORE]) == "bad<|im_end|>"
    (c_ids, c_lab), _ = tokenize_dpo({"prompt": "P", "chosen": "good", "rejected": "bad"}, tok, 64)
    assert [label for label in c_lab if label != data.IGNORE][-1] == tok.eos_token_id
