#!/usr/bin/env bash
# Configures and builds mlfaas. usage: scripts/build.sh [release|asan] [TARGET...] (default release,
# everything; e.g. `scripts/build.sh release mlfaas` builds only the binary)
#   release -> build/       (-O3, -march=x86-64-v3)
#   asan    -> build-asan/  (AddressSanitizer + UndefinedBehaviorSanitizer at -O0 -g1, no benchmarks)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
kind="${1:-release}"
jobs="${MLFAAS_JOBS:-$(nproc)}"
case "$kind" in
  release) dir="$root/build"; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) dir="$root/build-asan"; flags=(-DCMAKE_BUILD_TYPE=Debug -DMLFAAS_SANITIZE=ON -DMLFAAS_BUILD_BENCH=OFF) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
cmake -S "$root" -B "$dir" -G Ninja "${flags[@]}" >/dev/null
shift || true
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" -j "$jobs" "${targets[@]}"
