"""Per-token and per-sequence log-probabilities without a full log-softmax over the vocabulary.

log p(t) = logit[t] − logsumexp(logits): a gather and a logsumexp, a chunk of positions at a time, instead of a
(batch × length × vocabulary) float32 log-softmax that is then mostly thrown away (≈ 8 GB per copy for a
128k vocabulary at 2048 × 4). Chunks are converted to float32 one at a time.
"""

from __future__ import annotations

from typing import Any

IGNORE = -100


CHUNK = 128  # positions converted to float32 at a time


def selective_log_softmax(logits: Any, index: Any) -> Any:
    """log_softmax(logits, -1).gather(-1, index) in float32, CHUNK positions of one row at a time."""
    import torch

    out = []
    for row, idx in zip(logits, index):  # (length, vocab), (length,)
        parts = []
        for s in range(0, row.shape[0], CHUNK):
            part = row[s : s + CHUNK].float()
            parts.append(part.gather(-1, idx[s : s + CHUNK].unsqueeze(-1)).squeeze(-1) - torch.logsumexp(part, dim=-1))
        out.append(torch.cat(parts) if parts else row.new_zeros((0,), dtype=torch.float32))
    return torch.stack(out)


def sequence_logps(logits: Any, labels: Any) -> Any:
    """Sum of log p(label) over the labelled positions: position t predicts token t + 1."""
    logits = logits[:, :-1]
    target = labels[:, 1:]
    keep = target != IGNORE
    logp = selective_log_softmax(logits, target.clamp(min=0))
    return (logp * keep).sum(-1)


def full_log_softmax_logps(logits: Any, labels: Any) -> Any:
    """The former way (a full float32 log-softmax), kept for the memory comparison test."""
    import torch

    logits = logits[:, :-1].float()
    target = labels[:, 1:]
    keep = target != IGNORE
    logp = torch.log_softmax(logits, dim=-1).gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (logp * keep).sum(-1)
