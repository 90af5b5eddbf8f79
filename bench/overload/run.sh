#!/usr/bin/env bash
# Overload benchmarks of issue 7 (docs/benchmarks.md): capacity with wrk, then open-loop runs with
# a 2 s client timeout against `mlfaas serve` and through `mlfaas up`. Usage: bench/overload/run.sh [OUT_DIR]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
out="${1:-$root/build/overload-bench}"
mkdir -p "$out"
dog="$root/.cache/photos/dog.jpg"
lua="$out/dog.lua"
printf 'wrk.method = "POST"\nlocal f = io.open("%s", "rb"); wrk.body = f:read("*a"); f:close()\nwrk.headers["Content-Type"] = "image/jpeg"\n' "$dog" > "$lua"
capacity() { wrk -t2 -c16 -d10s -s "$lua" "$1" | awk '/Requests\/sec/ {print int($2)}'; }
open_loop() {  # URL RATE DURATION NAME [extra...]
  local url=$1 rate=$2 dur=$3 name=$4; shift 4
  "$mlfaas" bench "$url" -R "$rate" -d "$dur" -c 512 --timeout 2s --json "$out/$name.json" "$@" > "$out/$name.txt"
  grep -E "Requests/sec|Goodput|Status codes|Failures|Non-2xx latency|  50%|  99%" "$out/$name.txt" | sed "s/^/[$name] /"
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

cpu_line

# The function alone.
port=18181
"$mlfaas" serve --port $port --address 127.0.0.1 > "$out/serve.log" 2>&1 &
serve=$!
sleep 2
cap=$(capacity http://127.0.0.1:$port/classify)
echo "serve capacity (wrk -c16): $cap/s"
open_loop http://127.0.0.1:$port/classify $((cap * 2)) 20s serve-2x -f "$dog" -H "Content-Type: image/jpeg"
open_loop http://127.0.0.1:$port/classify $((cap * 7 / 10)) 20s serve-0.7x -f "$dog" -H "Content-Type: image/jpeg"
kill $serve; wait $serve || true

# Through the platform.
gport=18180
"$mlfaas" up --port $gport --address 127.0.0.1 > "$out/up.log" 2>&1 &
up=$!
sleep 2
url=http://127.0.0.1:$gport/function/classifier/classify
curl -s -o /dev/null -X POST --data-binary @"$dog" -H 'Content-Type: image/jpeg' $url
gcap=$(capacity $url)
echo "gateway capacity (wrk -c16): $gcap/s"
open_loop $url $((gcap * 7 / 10)) 20s up-0.7x -f "$dog" -H "Content-Type: image/jpeg"
open_loop $url $((gcap * 3 / 2)) 20s up-1.5x -f "$dog" -H "Content-Type: image/jpeg"
rep=$(pgrep -f "mlfaas serve" | head -1)
echo "RSS before 3x: gateway $(rss_kb $up) kB, replica $(rss_kb $rep) kB"
# Peak RSS while the load runs, sampled every second.
(peak_g=0; peak_r=0; for _ in $(seq 60); do g=$(rss_kb $up); r=$(rss_kb $rep); [ "$g" -gt "$peak_g" ] && peak_g=$g; [ "$r" -gt "$peak_r" ] && peak_r=$r; sleep 1; done; echo "RSS peak during 3x: gateway $peak_g kB, replica $peak_r kB") &
sampler=$!
open_loop $url $((gcap * 3)) 60s up-3x -f "$dog" -H "Content-Type: image/jpeg"
wait $sampler
echo "RSS after 3x: gateway $(rss_kb $up) kB, replica $(rss_kb $rep) kB"
# Back to normal: single requests right after the load stops.
for i in 1 2 3 4 5; do curl -s -o /dev/null -w "after-load request $i: %{http_code} in %{time_total}s\n" -X POST --data-binary @"$dog" -H 'Content-Type: image/jpeg' $url; done
sleep 3
echo "RSS 3 s later: gateway $(rss_kb $up) kB, replica $(rss_kb $rep) kB"
# The study's two scenarios at its load: 100/s for 60 s.
kcap=$("$mlfaas" bench http://127.0.0.1:$gport/function/classifier/predict --preset seed-knative -c 16 -d 10s | awk '/Requests\/sec/ {print int($2)}')
echo "seed-knative payload capacity (mlfaas bench --preset seed-knative -c16, closed loop): $kcap/s"
open_loop http://127.0.0.1:$gport/function/classifier/predict 100 60s seed-knative --preset seed-knative
open_loop http://127.0.0.1:$gport/function/classifier/ 100 60s seed-openfaas --preset seed-openfaas
kill $up; wait $up || true
