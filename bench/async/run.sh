#!/usr/bin/env bash
# Async invocations and traffic splitting through `mlfaas up` (issue 9; docs/benchmarks.md):
#   1. enqueue rate: wrk POSTs to /async-function (each call is then run by the queue worker)
#   2. end-to-end async latency, open loop: sent -> callback received, p50/p99
#   3. split accuracy: 20,000 requests to an 80/20 split
# Usage: bench/async/run.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
out="${1:-$root/build/async-bench}"
mkdir -p "$out"
port=18190
gw=http://127.0.0.1:$port
cpu_line

spec() {  # NAME VERSION [traffic lines]
  printf 'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: %s\nspec:\n  template:\n    metadata:\n      annotations:\n        autoscaling.knative.dev/min-scale: "1"\n    spec:\n      containers:\n        - image: example/hello\n          command: ["%s"]\n          env:\n            - name: VERSION\n              value: "%s"\n            - name: max_inflight\n              value: "64"\n%s' "$1" "$hello" "$2" "${3:-}"
}
spec hello 1 > "$out/hello.yaml"
"$mlfaas" up --port $port --specs "$out/hello.yaml" --ephemeral --no-auth > "$out/up.log" 2>&1 &
up=$!
trap 'kill $up 2>/dev/null; wait $up 2>/dev/null || true' EXIT
wait_url $gw/function/hello/

printf 'wrk.method = "POST"\nwrk.body = "x"\n' > "$out/post.lua"
echo "== enqueue rate (wrk -t2 -c32 -d10s, POST /async-function/hello/, no callback)"
wrk -t2 -c32 -d10s -s "$out/post.lua" $gw/async-function/hello/ | tee "$out/enqueue.txt" | grep -E "Requests/sec|Latency|Non-2xx"
sleep 5  # let the worker finish the backlog before the next measurement
curl -s $gw/system/queue; echo

for rate in 100 500; do
  echo "== end-to-end async latency, open loop, $rate calls/s"
  python3 "$root/bench/async/async_bench.py" latency $gw hello $rate $((rate * 10)) | tee "$out/latency-$rate.json"
done

echo "== split accuracy: 80/20 between hello-00001 and hello-00002, 20000 requests"
spec hello 2 "  traffic:
  - revisionName: hello-00001
    percent: 80
  - latestRevision: true
    percent: 20
" > "$out/hello-v2.yaml"
curl -sf -X PUT --data-binary @"$out/hello-v2.yaml" $gw/system/functions > /dev/null
for _ in $(seq 100); do
  curl -s $gw/system/function/hello | grep -q '"latestReadyRevisionName":"hello-00002"' && break; sleep 0.1
done
python3 "$root/bench/async/async_bench.py" split $gw hello 20000 | tee "$out/split.json"
