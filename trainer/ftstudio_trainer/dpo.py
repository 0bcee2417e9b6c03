"""The DPO objective (sigmoid loss): -log σ(β · ((log π(y_w|x) − log π_ref(y_w|x)) − (log π(y_l|x) − log π_ref(y_l|x)))).

The reference model is the frozen base: with a LoRA adapter, the same model with the adapter switched off.
Works on floats (tests) and on torch tensors (training).
"""

from __future__ import annotations

import math
from typing import Any


def _logsigmoid(x: float) -> float:
    return -math.log1p(math.exp(-x)) if x >= 0 else x - math.log1p(math.exp(x))


def dpo_loss(policy_chosen: Any, policy_rejected: Any, ref_chosen: Any, ref_rejected: Any, beta: float) -> Any:
    logits = (policy_chosen - ref_chosen) - (policy_rejected - ref_rejected)
    if isinstance(logits, float) or isinstance(logits, int):
        return -_logsigmoid(beta * logits)
    import torch.nn.functional as F  # noqa: N812 (torch only when training)

    return -F.logsigmoid(beta * logits)


def rewards(policy: Any, ref: Any, beta: float) -> Any:
    """The implicit reward β · (log π − log π_ref), logged as rewards/chosen and rewards/rejected."""
    return beta * (policy - ref)
