"""The loop's tensor parts on CPU torch: padding, selective log-softmax (values and peak memory),
the DPO loss on tensors, SFT/DPO tokenization with a real tokenizer and chat template."""
import math
import subprocess
import sys

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
    assert torch.allclose(sequence_logps(logits, labels)[0], logp[1, 7] + logp[2, 8], atol=1e-6)  # position t predicts t + 1
    big = torch.randn(3, 9, 300, dtype=torch.bfloat16)
    lab = torch.randint(0, 300, (3, 9))
    assert torch.allclose(sequence_logps(big, lab), full_log_softmax_logps(big, lab), atol=1e-4)
    idx = torch.randint(0, 300, (3, 9))
    assert torch.allclose(selective_log_softmax(big, idx), torch.log_softmax(big.float(), -1).gather(-1, idx.unsqueeze(-1)).squeeze(-1), atol=1e-5)


PEAK = r"""
import resource, sys, torch
torch.set_num_threads(1)
sys.path.insert(0, sys.argv[1])
from ftstudio_trainer.logprobs import full_log_softmax_logps, sequence_logps
b, t, v = 4, 256, 32000
logits = torch.empty(b, t, v, dtype=torch.bfloat16).normal_()  # in place: no float32 temporary before the baseline
labels = torch.randint(0, v, (b, t))
f = sequence_logps if sys.argv[2] == "selective" else full_log_softmax_logps
f(logits[:, :8, :1000].contiguous(), labels[:, :8] % 1000)  # warm up torch's own buffers before the baseline
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
f(logits, labels)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024)
"""


def peak_bytes(kind):
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return int(subprocess.check_output([sys.executable, "-c", PEAK, root, kind], text=True).split()[-1])


def test_selective_log_softmax_peak_memory_is_a_fraction_of_the_full_one():
    """bf16 logits of 4 × 256 × 32k (65 MB): the former code makes float32 copies of the whole tensor."""
    full, selective = peak_bytes("full"), peak_bytes("selective")
    logits_fp32 = 4 * 256 * 32000 * 4
    print(f"peak above the logits: full log-softmax {full / 2**20:.0f} MiB, selective {selective / 2**20:.0f} MiB")
    assert full >= logits_fp32  # at least one float32 copy of the logits
    assert selective < full / 2.5  # 128 positions in float32 at a time (measured: 249 MiB → 78–93 MiB)


def test_dpo_loss_on_tensors_matches_floats():
    pc, pr, rc, rr = (torch.tensor([-1.0, -2.0]), torch.tensor([-3.0, -1.0]), torch.tensor([-2.0, -2.0]), torch.tensor([-2.0, -2.0]))
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
    (c_ids, c_lab), (r_ids, r_lab) = tokenize_dpo({"prompt": [{"role": "user", "content": "P"}],
                                                   "chosen": [{"role": "assistant", "content": "good"}],
                                                   "rejected": [{"role": "assistant", "content": "bad"}]}, tok, 128)
    assert tok.decode([i for i, label in zip(c_ids, c_lab) if label != data.IGNORE]) == "good<|im_end|>"
    assert tok.decode([i for i, label in zip(r_ids, r_lab) if label != data.IGNORE]) == "bad<|im_end|>"
    (c_ids, c_lab), _ = tokenize_dpo({"prompt": "P", "chosen": "good", "rejected": "bad"}, tok, 64)
    assert [label for label in c_lab if label != data.IGNORE][-1] == tok.eos_token_id
