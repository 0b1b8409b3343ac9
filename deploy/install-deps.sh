#!/usr/bin/env bash
# Installs everything Causeway builds and tests with, from Debian 12 packages.
# Idempotent: packages already present are left alone; prints what it did.
# Usage: deploy/install-deps.sh            (as root, or with sudo available)
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libboost1.81-dev nlohmann-json3-dev libsecp256k1-dev libsqlite3-dev sqlite3 catch2
  libssl-dev libcrypto++-dev libvalijson-dev libcli11-dev libspdlog-dev libtomlplusplus-dev
  libexpected-dev libprotobuf-dev protobuf-compiler prometheus-cpp-dev
  clang libclang-rt-14-dev python3
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: need root or sudo to install Debian packages" >&2; exit 1; fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages already installed"
else
  echo "install-deps: installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  echo "install-deps: installed ${missing[*]}"
fi

# ---- Node.js test tools (integration tests: anvil, solc-js, @ethereumjs/trie) -----------------------------
# Pinned in deploy/npm/package.json + package-lock.json (exact versions, integrity hashes) and installed with
# `npm ci` into <repo>/tools/ (gitignored). Re-installed only when tools/ is missing or the lock changed
# (stamp: tools/.lock.sha256). Nothing is downloaded at build or test time.
# Where things land:
#   anvil   tools/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil  (a Linux x86-64 glibc binary the npm
#           package ships; also linked as tools/node_modules/.bin/anvil)
#   solc-js tools/node_modules/solc  (require("solc").compile(standardJsonInput); the compiler is bundled)
#   trie    tools/node_modules/@ethereumjs/trie
# Set CAUSEWAY_SKIP_NODE_TOOLS=1 to skip this part (the integration test then reports "skipped").
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
install_node_tools() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: node/npm missing: installing Debian's nodejs and npm"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  echo "install-deps: node $(node --version), npm $(npm --version)"

  tools="$repo/tools"
  lock_src="$repo/deploy/npm/package-lock.json"
  want=$(sha256sum "$repo/deploy/npm/package.json" "$lock_src" | sha256sum | cut -d' ' -f1)
  have=$(cat "$tools/.lock.sha256" 2>/dev/null || true)
  anvil_bin="$tools/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
  if [ "$want" = "$have" ] && [ -x "$anvil_bin" ] && [ -f "$tools/node_modules/solc/package.json" ] \
     && [ -f "$tools/node_modules/@ethereumjs/trie/package.json" ]; then
    echo "install-deps: tools/ up to date ($("$anvil_bin" --version 2>/dev/null | head -n1), lock unchanged)"
  else
    echo "install-deps: installing pinned node tools into $tools (npm ci)"
    mkdir -p "$tools"
    rm -f "$tools/.lock.sha256"
    cp "$repo/deploy/npm/package.json" "$lock_src" "$tools/"
    # --ignore-scripts: none of the pinned packages needs an install script (the anvil binary is in the tarball).
    (cd "$tools" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    chmod +x "$anvil_bin"
    "$anvil_bin" --version >/dev/null
    echo "$want" > "$tools/.lock.sha256"
    echo "install-deps: installed $("$anvil_bin" --version | head -n1), solc-js $(node -p 'require(process.argv[1]).version' "$tools/node_modules/solc/package.json")"
  fi
}
if [ "${CAUSEWAY_SKIP_NODE_TOOLS:-0}" = 1 ]; then
  echo "install-deps: CAUSEWAY_SKIP_NODE_TOOLS=1: node test tools not checked"
else
  install_node_tools
fi
