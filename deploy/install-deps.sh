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
