"""The loop's tensor parts with real torch (Debian's python3-torch on CPU) and a fake tokenizer:
padding and masks, sequence log-probabilities, the DPO loss on tensors, SFT tokenization and masking."""
import math
import os
import sys

import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from ftstudio_trainer import data, dpo  # noqa: E402
from ftstudio_trainer.train import collate, make_render, sequence_logps, tokenize_dpo, tokenize_sft  # noqa: E402


class FakeTokenizer:
    """Characters as token ids; no chat template (the trainer's plain template is used)."""

    chat_template = None
    bos_token_id = 1
    eos_token_id = 2
    pad_token_id = 0

    def __call__(self, text, add_special_tokens=True):
        ids = [ord(c) % 250 + 3 for c in text]
        return {"input_ids": ([self.bos_token_id] if add_special_tokens else []) + ids}


def test_collate_pads_ids_labels_and_mask():
    ids, labels, mask = collate([([5, 6, 7], [-100, 6, 7]), ([8], [8])], 0, torch)
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0]]
    assert labels.tolist() == [[-100, 6, 7], [8, -100, -100]]
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]


class Toy(torch.nn.Module):
    def __init__(self, vocab=300):
        super().__init__()
        torch.manual_seed(0)
        self.emb = torch.nn.Embedding(vocab, 16)
        self.out = torch.nn.Linear(16, vocab)

    def forward(self, input_ids, attention_mask=None):
        class Out:
            pass

        o = Out()
        o.logits = self.out(self.emb(input_ids))
        return o


def test_sequence_logps_sum_only_the_labelled_next_tokens():
    model = Toy()
    ids, labels, mask = collate([([5, 6, 7, 8], [-100, -100, 7, 8])], 0, torch)
    got = sequence_logps(model, ids, labels, mask, torch)
    logp = torch.log_softmax(model(ids).logits[0].float(), -1)
    want = logp[1, 7] + logp[2, 8]  # position t predicts token t+1
    assert torch.allclose(got[0], want, atol=1e-5)


def test_dpo_loss_on_tensors_matches_floats():
    pc, pr, rc, rr = (torch.tensor([-1.0, -2.0]), torch.tensor([-3.0, -1.0]), torch.tensor([-2.0, -2.0]), torch.tensor([-2.0, -2.0]))
    loss = dpo.dpo_loss(pc, pr, rc, rr, 0.1)
    assert loss.shape == (2,)
    assert loss[0].item() == pytest.approx(dpo.dpo_loss(-1.0, -3.0, -2.0, -2.0, 0.1))
    assert loss[1].item() == pytest.approx(dpo.dpo_loss(-2.0, -1.0, -2.0, -2.0, 0.1))
    assert loss[1].item() > math.log(2), "preferring the rejected answer costs more than indifference"


def test_sft_tokenization_trains_the_completion_and_the_assistant_turn_only():
    tok = FakeTokenizer()
    render = make_render(tok)
    ids, labels = tokenize_sft({"prompt": "Q?", "completion": "A."}, tok, render, 64)
    trained = [i for i, l in zip(ids, labels) if l != data.IGNORE]
    assert trained == tok("A.", add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    msgs = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}
    ids, labels = tokenize_sft(msgs, tok, render, 256)
    text = "".join(chr((i - 3) % 250) if i > 2 else "" for i, l in zip(ids, labels) if l != data.IGNORE)
    assert text == "yo\n", text  # the reply, not "<|assistant|>"
    assert tokenize_sft(msgs, tok, render, 5)[0] == ids[:5]


def test_dpo_tokenization_masks_the_prompt_in_both_answers():
    tok = FakeTokenizer()
    (c_ids, c_lab), (r_ids, r_lab) = tokenize_dpo({"prompt": "P", "chosen": "good", "rejected": "bad"}, tok, make_render(tok), 64)
    assert c_ids[:2] == r_ids[:2] == [1, ord("P") % 250 + 3]
    assert c_lab[:2] == r_lab[:2] == [data.IGNORE, data.IGNORE]
    assert [l for l in c_lab if l != data.IGNORE][-1] == tok.eos_token_id
