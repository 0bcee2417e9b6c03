#!/usr/bin/env bash
# The bundled trainer's checks on a CUDA machine, in one run (the library's device tool lends one to some
# sessions; any machine with an NVIDIA GPU, torch, transformers, peft and accelerate will do):
#   1. trainer/gpu_check.py: SFT, resume and DPO (QLoRA too when bitsandbytes is there) for 30 steps each
#      through the entry point the extension launches, bf16, with its checks;
#   2. the trainer's torch tests (train loop, STOP file and resume, NaN, full fine-tune, DPO, gates, torchrun)
#      with CUDA visible, so the trainer takes its CUDA paths (bf16 autocast, gradient checkpointing, CUDA RNG
#      state in checkpoints). Tests that need TRL or Node skip where those are missing.
#
#   bash scripts/device-check.sh OUT_DIR [WHEELS_DIR]
#
# WHEELS_DIR: pytest and hypothesis wheels to install offline when pytest is missing. OUT_DIR receives env.txt,
# summary.json, gpu_check.log, the three runs' trainer logs and pytest.log. Exit status: 0 when both parts pass.
set -uo pipefail
out=${1:?usage: device-check.sh OUT_DIR [WHEELS_DIR]}
wheels=${2:-}
py=${FTSTUDIO_PYTHON:-python3}
work=$(mktemp -d /tmp/ftstudio-device-check.XXXXXX)
mkdir -p "$out"
cd "$(dirname "$0")/.."

{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1
  "$py" -c 'import sys, torch, transformers, peft, accelerate; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available(), "transformers", transformers.__version__, "peft", peft.__version__, "accelerate", accelerate.__version__)' 2>&1
  nproc
} >"$out/env.txt"
cat "$out/env.txt"

start=$(date +%s)
PYTHONUNBUFFERED=1 timeout 300 "$py" trainer/gpu_check.py "$work/gpu-check" --steps 30 >"$out/gpu_check.log" 2>&1
gpu_check=$?
echo "gpu_check.py: exit $gpu_check in $(($(date +%s) - start)) s"
cp "$work/gpu-check/summary.json" "$out/" 2>/dev/null
for run in sft sft-resume dpo; do cp "$work/gpu-check/$run/trainer.log" "$out/$run.log" 2>/dev/null; done
tail -5 "$out/gpu_check.log"

site="$work/site"
if ! "$py" -c 'import pytest' 2>/dev/null && [ -n "$wheels" ]; then
  "$py" -m pip install -q --no-index --find-links "$wheels" --target "$site" pytest hypothesis 2>&1 ||
    "$py" -m pip install -q --no-index --find-links "$wheels" --target "$site" pytest 2>&1
fi
start=$(date +%s)
PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 timeout 240 "$py" -m pytest -q -rs -p no:cacheprovider \
  trainer/tests/test_train_loop.py trainer/tests/test_torch_parts.py trainer/tests/test_gates_run.py \
  trainer/tests/test_multiprocess.py trainer/tests/test_tiny.py trainer/tests/test_pure.py >"$out/pytest.log" 2>&1
tests=$?
echo "pytest: exit $tests in $(($(date +%s) - start)) s"
tail -25 "$out/pytest.log"
rm -rf "$work"
[ "$gpu_check" -eq 0 ] && [ "$tests" -eq 0 ]
