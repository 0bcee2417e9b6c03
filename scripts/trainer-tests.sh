#!/usr/bin/env bash
# The bundled trainer's pytest suite, run in its managed test environment: a virtual environment built
# from trainer/requirements-test.txt (the runtime packages plus TRL, pytest and Hypothesis) with pip, and
# cached under ${FTSTUDIO_TRAINER_VENV:-~/.cache/finetune-studio/test-venv}, keyed by a hash of the
# requirements files and the interpreter: it is rebuilt only when one of them changes.
#
#   scripts/trainer-tests.sh [pytest arguments…]     e.g. -k masks, or trainer/tests/test_parity.py
#
# Environment: FTSTUDIO_PYTHON (the interpreter the venv is made from; default python3 on PATH),
# FTSTUDIO_TRAINER_VENV (where the venv lives), FTSTUDIO_TORCH_INDEX (an extra pip index for torch, e.g.
# https://download.pytorch.org/whl/cpu on CI, which avoids the multi-gigabyte CUDA wheels),
# FTSTUDIO_TRAINER_VENV_ONLY=1 (build the environment and stop).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
say() { echo "[trainer-tests] $*" >&2; }

PY=${FTSTUDIO_PYTHON:-python3}
if ! command -v "$PY" >/dev/null 2>&1; then
  say "no Python interpreter '$PY' on PATH: install Python 3.10 or newer (or set FTSTUDIO_PYTHON to one)"
  exit 2
fi
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  say "$("$PY" --version 2>&1) is too old: the trainer needs Python 3.10 or newer (set FTSTUDIO_PYTHON)"
  exit 2
fi

VENV=${FTSTUDIO_TRAINER_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/finetune-studio/test-venv}
KEY=$( { cat trainer/requirements.txt trainer/requirements-test.txt; "$PY" -c 'import sys, platform; print(sys.version, platform.machine())'; echo "${FTSTUDIO_TORCH_INDEX:-}"; echo "layout 1"; } | sha256sum | cut -c1-16)

make_venv() { # $1: target folder
  if "$PY" -m venv "$1" >/dev/null 2>&1; then return 0; fi
  rm -rf "$1"
  # Debian and Ubuntu ship venv's pip bootstrap (ensurepip) separately, as python3-venv / python3.X-venv
  local ver; ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  if command -v apt-get >/dev/null 2>&1; then
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if [ -z "$sudo" ] || sudo -n true 2>/dev/null; then
      say "python3 -m venv needs Debian's python$ver-venv: installing it"
      $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "python$ver-venv" >/dev/null \
        || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null || true
      if "$PY" -m venv "$1" >/dev/null 2>&1; then return 0; fi
      rm -rf "$1"
    fi
  fi
  if "$PY" -m virtualenv --version >/dev/null 2>&1 && "$PY" -m virtualenv -q "$1" >&2; then return 0; fi
  say "cannot create a virtual environment with $PY: install python$ver-venv (Debian/Ubuntu: sudo apt-get install python$ver-venv) or virtualenv, then run again"
  exit 2
}

if [ "$(cat "$VENV/.ftstudio-key" 2>/dev/null || true)" != "$KEY" ]; then
  mkdir -p "$(dirname "$VENV")"
  exec 9>"$VENV.lock"
  command -v flock >/dev/null 2>&1 && flock 9   # two suites starting at once build it once
  if [ "$(cat "$VENV/.ftstudio-key" 2>/dev/null || true)" != "$KEY" ]; then
    say "building the test environment in $VENV (once per change of trainer/requirements*.txt; several minutes)"
    TMP="$VENV.building.$$"
    rm -rf "$TMP"
    trap 'rm -rf "$TMP"' EXIT
    make_venv "$TMP"
    extra=()
    [ -n "${FTSTUDIO_TORCH_INDEX:-}" ] && extra+=(--extra-index-url "$FTSTUDIO_TORCH_INDEX")
    "$TMP/bin/python" -m pip install -q --upgrade pip >&2 || say "could not upgrade pip (offline?); going on with $("$TMP/bin/python" -m pip --version)"
    if ! "$TMP/bin/python" -m pip install -q "${extra[@]}" -r trainer/requirements-test.txt >&2; then
      say "pip could not install trainer/requirements-test.txt into $TMP (see above): check the network or your pip index"
      exit 2
    fi
    echo "$KEY" >"$TMP/.ftstudio-key"
    # swapped in by renaming once complete (a half-built venv is never used). The console scripts' shebangs
    # name the build folder, so everything here runs as `$VENV/bin/python -m …`, which does not care
    rm -rf "$VENV.old" && { [ -d "$VENV" ] && mv "$VENV" "$VENV.old" || true; }
    mv "$TMP" "$VENV" && rm -rf "$VENV.old"
    trap - EXIT
  fi
fi

export PYTHONPATH="$ROOT/trainer${PYTHONPATH:+:$PYTHONPATH}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
# the tests' models are tiny: one thread each is faster than threads spinning against each other on a busy machine
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} MKL_NUM_THREADS=${MKL_NUM_THREADS:-1}
[ "${FTSTUDIO_TRAINER_VENV_ONLY:-}" = 1 ] && exit 0
# the formatter first (ruff.toml at the root): a format change is `ruff format trainer` away
"$VENV/bin/python" -m ruff format --check --quiet --config "$ROOT/ruff.toml" trainer || {
  say "trainer/ is not formatted: run $VENV/bin/python -m ruff format --config ruff.toml trainer"
  exit 1
}
[ $# -eq 0 ] && set -- trainer/tests
exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
