#!/usr/bin/env bash
# What made the tails long and what the queue order does (docs/benchmarks.md, issue 7): the same
# open-loop load (2 s client timeout) against the old settings, one at a time, in one run.
# Usage: bench/overload/causes.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
out="${1:-$root/build/overload-causes}"
mkdir -p "$out"
dog="$root/.cache/photos/dog.jpg"
lua="$out/dog.lua"
printf 'wrk.method = "POST"\nlocal f = io.open("%s", "rb"); wrk.body = f:read("*a"); f:close()\nwrk.headers["Content-Type"] = "image/jpeg"\n' "$dog" > "$lua"
summary() { grep -E "Goodput|Status codes|  99%" "$1" | tr -s ' ' | paste -sd' ' | sed "s/^/[$2] /"; }
open_loop() {  # URL RATE NAME
  "$mlfaas" bench "$1" -R "$2" -d 20s -c 512 --timeout 2s -f "$dog" -H "Content-Type: image/jpeg" > "$out/$3.txt"
  summary "$out/$3.txt" "$3"
}
cpu_line

# The function alone: batching (the old default 8) against one image per execution, and the
# queue order under a closed-loop client and open-loop overload.
port=18191
serve() { "$mlfaas" serve --port $port --address 127.0.0.1 "$@" > "$out/serve.log" 2>&1 & echo $!; }
pid=$(serve); sleep 2
cap=$(wrk -t2 -c16 -d10s -s "$lua" http://127.0.0.1:$port/classify | awk '/Requests\/sec/ {print int($2)}')
echo "capacity (defaults, wrk -c16): $cap/s"
open_loop http://127.0.0.1:$port/classify $((cap * 7 / 10)) batch1-0.7x
kill $pid; wait $pid 2>/dev/null || true
pid=$(serve --max-batch-size 8); sleep 2
open_loop http://127.0.0.1:$port/classify $((cap * 7 / 10)) batch8-0.7x
kill $pid; wait $pid 2>/dev/null || true
for order in fifo adaptive-lifo; do
  pid=$(serve --queue-order $order); sleep 2
  wrk -t2 -c16 -d10s -s "$lua" http://127.0.0.1:$port/classify > "$out/$order-wrk.txt"
  echo "[$order closed loop wrk -c16] $(grep -E 'Requests/sec|Non-2xx' "$out/$order-wrk.txt" | tr -s ' ' | paste -sd' ')"
  open_loop http://127.0.0.1:$port/classify $((cap * 2)) $order-2x
  kill $pid; wait $pid 2>/dev/null || true
done

# Through the platform: replicas sized to the node (the default) against 4 replicas on 2 cores
# (what the KPA ran before: --cpus 8 lets four 2-CPU replicas start).
gport=18190
for cpus in 0 8; do
  args=(); [ $cpus = 0 ] || args=(--cpus $cpus)
  "$mlfaas" up --port $gport "${args[@]}" > "$out/up.log" 2>&1 &
  up=$!
  sleep 2
  url=http://127.0.0.1:$gport/function/classifier/classify
  "$mlfaas" scale classifier 4 --gateway http://127.0.0.1:$gport >/dev/null
  sleep 3
  open_loop $url $((cap * 7 / 10)) up-cpus$cpus-0.7x
  echo "  replicas: $("$mlfaas" describe classifier --gateway http://127.0.0.1:$gport | grep '^replicas:')"
  kill $up; wait $up 2>/dev/null || true
done
