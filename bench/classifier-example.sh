#!/usr/bin/env bash
# Produces docs/reports/classifier-example: `mlfaas bench` against the classifier (`mlfaas serve` on
# a loopback port) with dog.jpg as a raw body and with the original study's two clients
# (--preset seed-knative, --preset seed-openfaas), a comparison of the three, an open-loop run
# and a concurrency sweep with dog.jpg, and the same closed-loop dog.jpg load through the mlfaas
# gateway (`mlfaas up`, scale from zero) to show replicas over time.
# usage: bench/classifier-example.sh [BUILD_DIR] [OUT_DIR]   (env DURATION, default 20s)
# Paths are relative to the repository root, so the commands recorded in the reports are too.
set -euo pipefail
cd "$(dirname "$0")/.."  # the presets' default images are relative to the repository root
build="${1:-build}"
out="${2:-docs/reports/classifier-example}"
duration="${DURATION:-20s}"
mlfaas="$build/src/cli/mlfaas"
dog=".cache/photos/dog.jpg"
mkdir -p "$out"

wait_ready() {  # URL PID
  for _ in $(seq 600); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "server exited" >&2; return 1; }
    sleep 0.05
  done
  echo "no answer from $1" >&2
  return 1
}

port=18490
"$mlfaas" serve --port $port --address 127.0.0.1 >/dev/null 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true' EXIT
wait_ready "http://127.0.0.1:$port/readyz" $serve

"$mlfaas" bench "http://127.0.0.1:$port/classify" --file "$dog" -c 16 -t 1 -d "$duration" --label dog.jpg-raw \
  --json "$out/dog-raw.json" --report "$out/dog-raw"
"$mlfaas" bench "http://127.0.0.1:$port" --preset seed-knative -c 16 -t 1 -d "$duration" \
  --json "$out/seed-knative.json" --report "$out/seed-knative"
"$mlfaas" bench "http://127.0.0.1:$port" --preset seed-openfaas -c 16 -t 1 -d "$duration" \
  --json "$out/seed-openfaas.json" --report "$out/seed-openfaas"
"$mlfaas" bench "http://127.0.0.1:$port/classify" --file "$dog" -R 100 --arrival poisson -c 16 -t 1 -d "$duration" \
  --label dog.jpg-open-loop-100rps --json "$out/open-loop.json" --report "$out/open-loop"
"$mlfaas" bench "http://127.0.0.1:$port/classify" --file "$dog" --sweep 1:16:x2 --window 3s -t 1 \
  --label dog.jpg-sweep --json "$out/sweep.json" --report "$out/sweep"
kill $serve; wait $serve 2>/dev/null || true

"$mlfaas" bench compare "$out/dog-raw.json" "$out/seed-knative.json" "$out/seed-openfaas.json" --report "$out/compare"

gw=18491
"$mlfaas" up --port $gw --address 127.0.0.1 >"$out/.up.log" 2>&1 &
up=$!
trap 'kill $up 2>/dev/null || true' EXIT
wait_ready "http://127.0.0.1:$gw/healthz" $up
"$mlfaas" bench "http://127.0.0.1:$gw/function/classifier/classify" --file "$dog" -c 16 -t 1 -d 30s \
  --label gateway-dog.jpg --json "$out/gateway.json" --report "$out/gateway"
kill $up; wait $up 2>/dev/null || true
rm -f "$out/.up.log"
