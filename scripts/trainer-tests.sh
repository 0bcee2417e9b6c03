#!/usr/bin/env bash
# The bundled trainer's pytest suite: its pure parts, and its tensor parts on CPU torch (Debian's python3-torch).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
# pytest, and CPU torch for the loop's tensor parts (transformers and peft are not in Debian: the
# whole loop runs only where they are installed, with a GPU)
need=()
"$PY" -c 'import pytest' >/dev/null 2>&1 || need+=(python3-pytest)
"$PY" -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch)
if [ ${#need[@]} -gt 0 ]; then
  echo "[trainer-tests] installing ${need[*]} (Debian)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
exec "$PY" -m pytest -q -p no:cacheprovider trainer/tests
