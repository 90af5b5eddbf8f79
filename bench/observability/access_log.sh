#!/usr/bin/env bash
# What the per-request JSON access log (the default) costs the gateway: wrk against the trivial
# function through `mlfaas up`, with --access-log json, text and off, alternating, twice each.
# Usage: bench/observability/access_log.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
out="${1:-$root/build/access-log-bench}"
mkdir -p "$out"
port=18193
cpu_line
printf 'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: hello\nspec:\n  template:\n    metadata:\n      annotations:\n        autoscaling.knative.dev/min-scale: "1"\n    spec:\n      containers:\n        - image: example/hello\n          command: ["%s"]\n' "$hello" > "$out/hello.yaml"
for round in 1 2; do
  for mode in json off text; do
    "$mlfaas" up --port $port --specs "$out/hello.yaml" --ephemeral --no-auth --nats none --access-log $mode \
      > "$out/up-$mode.out" 2> "$out/up-$mode.log" &
    up=$!
    for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:$port/function/hello/ && break; sleep 0.1; done
    wrk -t2 -c32 -d3s http://127.0.0.1:$port/function/hello/ > /dev/null  # warm-up
    rps=$(wrk -t2 -c32 -d10s --latency http://127.0.0.1:$port/function/hello/ | tee "$out/wrk-$mode-$round.txt" | awk '/Requests\/sec/ {print $2}')
    p99=$(awk '/ 99%/ {print $2}' "$out/wrk-$mode-$round.txt")
    echo "round $round, --access-log $mode: $rps req/s, p99 $p99"
    kill $up; wait $up 2>/dev/null || true
  done
done
