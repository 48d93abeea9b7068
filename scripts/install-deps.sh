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

# npm packages the tests drive as real clients, in ${SRE_EVAL_NPM_DIR:-~/.cache/sre-eval/npm}:
# the official Datadog API client (the sim's Datadog API) and the official MCP TypeScript SDK
# (`sre-eval mcp`). Installed once, kept.
npm_dir="${SRE_EVAL_NPM_DIR:-$HOME/.cache/sre-eval/npm}"
npm_missing=()
for pkg in "@datadog/datadog-api-client@1" "@modelcontextprotocol/sdk@1"; do
  if [[ ! -f "$npm_dir/node_modules/${pkg%@*}/package.json" ]]; then
    npm_missing+=("$pkg")
  fi
done

install_npm() {
  [[ ${#npm_missing[@]} -eq 0 ]] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: npm is not installed; the tests that drive npm clients will be skipped" >&2
    return 0
  fi
  echo "install-deps: installing npm ${npm_missing[*]} into $npm_dir"
  mkdir -p "$npm_dir"
  [[ -f "$npm_dir/package.json" ]] || echo '{"private": true}' >"$npm_dir/package.json"
  (cd "$npm_dir" && npm install --no-audit --no-fund --silent "${npm_missing[@]}") ||
    echo "install-deps: npm install failed; the tests that drive npm clients will say so" >&2
}

if [[ ${#missing[@]} -eq 0 ]]; then
  if [[ "${1:-}" == "--check" && ${#npm_missing[@]} -gt 0 ]]; then
    echo "install-deps: missing npm: ${npm_missing[*]}"
    exit 1
  fi
  install_npm
  echo "install-deps: all dependencies present"
  exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  echo "install-deps: missing: ${missing[*]} ${npm_missing[*]}"
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
install_npm
echo "install-deps: done"
