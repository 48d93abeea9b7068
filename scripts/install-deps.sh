#!/usr/bin/env bash
# Installs the Debian packages sre-eval needs to build, test and run.
# Idempotent: when everything is present it makes no apt call at all.
# Usage: scripts/install-deps.sh [--check]   (--check only lists what is missing; exit 1 if any)
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libcurl4-openssl-dev nlohmann-json3-dev libre2-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libabsl-dev libcpp-httplib-dev libbenchmark-dev libssl-dev zlib1g-dev
  valgrind openssl libxml2-utils chromium
  clang libclang-rt-dev
  python3-kubernetes
  prometheus  # promtool: the tests check /metrics with it
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# kubectl is a runtime dependency: any kubectl on PATH will do.
if ! command -v kubectl >/dev/null 2>&1; then
  missing+=(kubernetes-client)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all dependencies present"
  exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  echo "install-deps: missing: ${missing[*]}"
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
