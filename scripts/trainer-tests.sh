#!/usr/bin/env bash
# The bundled trainer's pytest suite (its pure parts: no torch needed), with Debian's python3-pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
if ! "$PY" -c 'import pytest' >/dev/null 2>&1; then
  echo "[trainer-tests] installing python3-pytest (Debian)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pytest >&2
fi
exec "$PY" -m pytest -q -p no:cacheprovider trainer/tests
