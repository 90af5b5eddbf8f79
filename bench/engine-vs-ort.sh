#!/usr/bin/env bash
# MobileNetV2 per-inference latency, mlfaas engine vs ONNX Runtime (npm onnxruntime-node), in the
# same run and interleaved so both see the same machine noise. Two rounds of each configuration.
# usage: bench/engine-vs-ort.sh [BUILD_DIR] [SECONDS_PER_RUN]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build}"
secs="${2:-5}"
model="${MLFAAS_SHARED_MODEL_DIR:-$here/../../shared/models/mobilenetv2}/model.onnx"
[ -f "$model" ] || { echo "no model at $model" >&2; exit 2; }
if [ ! -d "$here/peers/node_modules/onnxruntime-node" ]; then
  (cd "$here/peers" && npm install --ignore-scripts --no-audit --no-fund >/dev/null)
fi
# the same OpenMP wait policy `mlfaas` sets for itself (src/cli/main.cpp)
unset OMP_WAIT_POLICY; export GOMP_SPINCOUNT=20000
printf '%-8s %-7s %-24s %8s %8s %8s\n' round config engine median p10 p90
for round in 1 2; do
  for cfg in "1 1" "1 2" "8 1" "8 2"; do
    set -- $cfg
    for eng in mlfaas ort; do
      if [ $eng = mlfaas ]; then
        line=$("$build/bench/engine_timing" "$model" "$1" "$2" "$secs")
      else
        line=$(node "$here/peers/ort_bench.js" "$model" "$1" "$2" "$secs")
      fi
      python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("%-8s %-7s %-24s %8.2f %8.2f %8.2f" % (sys.argv[2], "b%dt%d" % (d["batch"], d["threads"]), d["engine"], d["median"], d["p10"], d["p90"]))' "$line" "$round"
    done
  done
done
