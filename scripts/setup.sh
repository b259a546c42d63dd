#!/usr/bin/env bash
# Installs what Quiver needs to build and test on Debian 12: Debian packages (apt) for the
# build and the server, the npm registry for the end-to-end test client. Idempotent and quick
# when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config ccache git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libsqlite3-dev libspdlog-dev libfmt-dev libcli11-dev libyaml-cpp-dev nlohmann-json3-dev
  libhnswlib-dev libopenblas-serial-dev libboost-dev zlib1g-dev
  libgtest-dev libgmock-dev
)
# `setup.sh --fuzz` (make fuzz) adds clang and its sanitizer/libFuzzer runtimes.
if [ "${1:-}" = "--fuzz" ]; then
  PACKAGES+=(clang-14 libclang-rt-14-dev)
fi
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v python3 >/dev/null 2>&1 || PACKAGES+=(python3)  # the milvus_lite drop-in's tests
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The end-to-end tests' client, exactly as locked.
if [ -f tests/e2e/package-lock.json ]; then
  stamp=tests/e2e/node_modules/.quiver-lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s tests/e2e/package-lock.json "$stamp"; then
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
    cp tests/e2e/package-lock.json "$stamp"
  fi
fi
