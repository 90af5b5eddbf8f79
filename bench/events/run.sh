#!/usr/bin/env bash
# Eventing benchmarks (issue 10; docs/benchmarks.md):
#   1. broker ingress events/s (wrk, binary-mode CloudEvents, each stored in JetStream before 202;
#      one trigger delivering every event to event-display meanwhile)
#   2. delivery latency, open loop: sent -> received by a trigger's subscriber, p50/p99
#   3. classifier throughput (wrk -c16, dog.jpg) without a sink, with a broker sink, with a sink that is down
# Usage: bench/events/run.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
out="${1:-$root/build/events-bench}"
mkdir -p "$out"
port=18191
gw=http://127.0.0.1:$port
cpu_line

cat > "$out/eventing.yaml" <<YAML
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: display
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/min-scale: "1"
    spec:
      containers:
        - image: example/event-display
          command: ["$mlfaas", "event-display"]
---
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: display
spec:
  broker: default
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: display
YAML
"$mlfaas" up --port $port --specs "$out/eventing.yaml" --ephemeral --no-auth > "$out/up.log" 2>&1 &
up=$!
serve=""
trap 'kill $up $serve 2>/dev/null; wait 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null $gw/healthz && break; sleep 0.1; done
sleep 1

cat > "$out/event.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/default/default", {["ce-specversion"] = "1.0", ["ce-id"] = "w" .. tostring(math.random(1e9)) .. "-" .. n,
    ["ce-type"] = "bench", ["ce-source"] = "wrk", ["Content-Type"] = "application/json"}, '{"n":1}')
end
LUA
echo "== broker ingress (wrk -t2 -c32 -d10s, binary mode, one trigger delivering to event-display)"
wrk -t2 -c32 -d10s -s "$out/event.lua" $gw | tee "$out/ingress.txt" | grep -E "Requests/sec|Latency|Non-2xx"
sleep 10
curl -s $gw/system/triggers; echo

for rate in 100 500; do
  echo "== delivery latency, open loop, $rate events/s"
  python3 "$root/bench/events/events_bench.py" latency $gw $rate $((rate * 10)) | tee "$out/latency-$rate.json"
done

dog="$root/.cache/photos/dog.jpg"
if [ -f "$dog" ]; then
  printf 'wrk.method = "POST"\nlocal f = io.open("%s", "rb"); wrk.body = f:read("*a"); f:close()\nwrk.headers["Content-Type"] = "image/jpeg"\n' "$dog" > "$out/dog.lua"
  sport=18192
  for mode in none broker down; do
    case $mode in
      none) sink=() ;;
      broker) sink=(--sink "$gw/default/default" --sink-mode batch) ;;
      down) sink=(--sink "http://127.0.0.1:9/" ) ;;
    esac
    "$mlfaas" serve --port $sport --address 127.0.0.1 "${sink[@]}" > "$out/serve-$mode.log" 2>&1 &
    serve=$!
    for _ in $(seq 200); do curl -sf -o /dev/null http://127.0.0.1:$sport/readyz && break; sleep 0.1; done
    wrk -t2 -c16 -d5s -s "$out/dog.lua" http://127.0.0.1:$sport/classify > /dev/null  # warm-up
    echo "== classifier, sink: $mode (wrk -t2 -c16 -d15s, dog.jpg)"
    wrk -t2 -c16 -d15s --latency -s "$out/dog.lua" http://127.0.0.1:$sport/classify | tee "$out/classify-$mode.txt" | grep -E "Requests/sec|Latency|  50%|  99%"
    curl -s http://127.0.0.1:$sport/metrics | grep '^mlfaas_events_emitted_total' || true
    kill $serve; wait $serve 2>/dev/null || true
    serve=""
  done
fi
