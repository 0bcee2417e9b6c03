"""Finetune Studio's bundled trainer: SFT and DPO with transformers + PEFT (LoRA, QLoRA), no TRL.

The pure parts (config mapping, data shaping, label masking, the DPO loss, event writing) import no
torch and are tested with pytest anywhere; `train` needs torch, transformers and peft.
"""

__version__ = "0.1.0"
