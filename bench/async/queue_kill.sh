#!/usr/bin/env bash
# The queue's nats-server killed (SIGKILL) 3 times during an open-loop stream of async calls
# through `mlfaas up`: how long each outage lasted (the platform restarts it on its store and port),
# how the calls were answered meanwhile (202, or 503 + Retry-After), and whether any accepted call
# was never run. Usage: bench/async/queue_kill.sh [RATE] [SECONDS] [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
rate="${1:-100}"
seconds="${2:-30}"
out="${3:-$root/build/async-bench}"
mkdir -p "$out"
port=18191
gw=http://127.0.0.1:$port
cpu_line
printf 'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: hello\nspec:\n  template:\n    metadata:\n      annotations:\n        autoscaling.knative.dev/min-scale: "1"\n    spec:\n      containers:\n        - image: example/hello\n          command: ["%s"]\n          env:\n            - name: max_inflight\n              value: "64"\n' "$hello" > "$out/hello.yaml"
state=$(mktemp -d)
"$mlfaas" up --port $port --specs "$out/hello.yaml" --state-dir "$state" --no-auth > "$out/queue-kill-up.log" 2>&1 &
up=$!
trap 'kill $up 2>/dev/null; wait $up 2>/dev/null || true; rm -rf "$state"' EXIT
wait_url $gw/function/hello/
echo "== $((rate * seconds)) async calls at $rate/s, nats-server SIGKILLed 3 times"
python3 "$root/bench/async/async_bench.py" queue-kill $gw hello "$rate" $((rate * seconds)) "$state/nats/nats-server.pid" 3 \
  | tee "$out/queue-kill.json"
echo "== outages, from the platform's log"
grep -oE "nats-server (was killed|is running again)[^;]*" "$out/queue-kill-up.log" || true
curl -s $gw/metrics | grep '^mlfaas_helper'
