#!/usr/bin/env bash
# Everything a change must pass, on a fresh Debian 12 machine: install dependencies, build, run
# every test (unit, integration with real processes, end-to-end README commands), then build with
# AddressSanitizer + UndefinedBehaviorSanitizer and run the tests again.
# Set MLFAAS_SKIP_ASAN=1 to skip the sanitizer pass during local iteration.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="${MLFAAS_JOBS:-$(nproc)}"
"$root/scripts/install-deps.sh"

echo "== release build"
"$root/scripts/build.sh" release
echo "== tests (release)"
(cd "$root/build" && ctest --output-on-failure -j "$jobs" --timeout 300)

if [ "${MLFAAS_SKIP_ASAN:-0}" != 1 ]; then
  echo "== sanitizer build (ASan + UBSan)"
  "$root/scripts/build.sh" asan
  echo "== tests (ASan + UBSan)"
  # LeakSanitizer on: a leak fails the run like any other finding (no suppressions needed).
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  (cd "$root/build-asan" && ctest --output-on-failure -j "$jobs" --timeout 600 -LE e2e)
fi
echo "== fuzz targets over their seed corpora (clang-14 libFuzzer, ASan+UBSan)"
"$root/scripts/fuzz.sh" all 0
echo "== all tests passed"
