"""Loading the tokenizer and the model for a run: dtype, LoRA / QLoRA / full, the DPO reference.

Full fine-tunes keep float32 master weights (bf16 only inside autocast): AdamW updates of 2e-5 on bf16
weights are mostly rounded away. Adapters train float32 LoRA weights on a bf16 base where bf16 is available.
"""

from __future__ import annotations

import copy
from typing import Any

from . import chat
from .config import TrainConfig, lora_kwargs


def _dtype_kwargs(transformers: Any, dtype: Any) -> dict[str, Any]:
    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    return {"dtype": dtype} if (major, minor) >= (4, 56) else {"torch_dtype": dtype}


def load_tokenizer(cfg: TrainConfig) -> Any:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(cfg.model)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = chat.PLAIN_TEMPLATE  # saved with the adapter: inference uses the same format
    return tokenizer


def weights_dtype(cfg: TrainConfig, bf16: bool, torch: Any) -> Any:
    """float32 for a full fine-tune (master weights) and without bf16; bf16 for an adapter's frozen base."""
    return torch.bfloat16 if bf16 and cfg.adapter != "none" else torch.float32


def disable_dropout(model: Any, torch: Any) -> None:
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0


def load_model(cfg: TrainConfig, device: Any, bf16: bool, disable_dropout_: bool = False) -> tuple[Any, Any]:
    """(model to train, reference model or None). With an adapter the reference is the base: the adapter off."""
    import torch
    import transformers
    from transformers import AutoModelForCausalLM

    dtype = weights_dtype(cfg, bf16, torch)
    kwargs: dict[str, Any] = _dtype_kwargs(transformers, dtype)
    if cfg.adapter == "qlora":
        from transformers import BitsAndBytesConfig

        compute = torch.bfloat16 if bf16 else torch.float16
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=compute, bnb_4bit_use_double_quant=True
        )
        kwargs["device_map"] = {
            "": device.index if device.index is not None else 0
        }  # 4-bit weights are placed at load time
    model = AutoModelForCausalLM.from_pretrained(cfg.model, **kwargs)
    ref = None
    if cfg.adapter != "none":
        import peft

        if cfg.adapter == "qlora":
            model = peft.prepare_model_for_kbit_training(model, use_gradient_checkpointing=True)
        model = peft.get_peft_model(model, peft.LoraConfig(**lora_kwargs(cfg)))
        for p in model.parameters():
            if p.requires_grad:
                p.data = p.data.float()  # LoRA weights in float32
    elif cfg.method == "dpo":
        ref = copy.deepcopy(model).eval().requires_grad_(False)
    if disable_dropout_:
        disable_dropout(model, torch)
        if ref is not None:
            disable_dropout(ref, torch)
    if device.type == "cuda":
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if hasattr(model, "enable_input_require_grads"):
            model.enable_input_require_grads()
    if cfg.adapter != "qlora":
        model.to(device)
    if ref is not None:
        ref.to(device)
    return model, ref
