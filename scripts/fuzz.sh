#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, Debian's clang-14) and runs them over their seed corpora.
# usage: scripts/fuzz.sh [TARGET|all] [SECONDS]
#   SECONDS > 0: fuzz each target that long (new inputs go to build-fuzz/corpus/TARGET; a crash is
#                saved in build-fuzz/crashes/ and fails the run); prints each target's executions.
#   SECONDS = 0: run every seed once and stop (what CI does: a regression check of the corpora).
# Targets: image multipart image_request kserve_v2 http_request specs cloudevents
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:-all}"
secs="${2:-60}"
build="$root/build-fuzz"
jobs="${MLFAAS_JOBS:-$(nproc)}"
all=(image multipart image_request kserve_v2 http_request specs cloudevents)
if [ "$target" = all ]; then targets=("${all[@]}"); else targets=("$target"); fi
for t in "${targets[@]}"; do
  [ -d "$root/fuzz/corpus/$t" ] || { echo "fuzz.sh: unknown target '$t' (one of: ${all[*]})" >&2; exit 2; }
done

cmake -S "$root/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build "$build" -j "$jobs" $(printf -- '--target fuzz_%s ' "${targets[@]}")

mkdir -p "$build/crashes"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for t in "${targets[@]}"; do
  seeds="$root/fuzz/corpus/$t"
  log="$build/$t.log"
  if [ "$secs" = 0 ]; then
    # Each seed once (and each saved crash reproducer, as a regression test).
    "$build/fuzz_$t" -runs=0 "$seeds" >"$log" 2>&1 || { cat "$log"; echo "fuzz.sh: $t failed on its corpus"; exit 1; }
    echo "fuzz $t: $(ls "$seeds" | wc -l) seeds ok"
    continue
  fi
  work="$build/corpus/$t"
  mkdir -p "$work"
  if ! "$build/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$build/crashes/$t-" "$work" "$seeds" >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz.sh: $t found a crash: $(ls -t "$build/crashes/$t-"* 2>/dev/null | head -1)"
    exit 1
  fi
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  echo "fuzz $t: $execs executions in $secs s, no finding (corpus $(ls "$work" | wc -l) inputs)"
done
