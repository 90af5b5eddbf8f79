#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install dependencies, build, start the classifier
# function, and answer sample requests in all three input forms. Leaves nothing running unless
# --keep is given.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
keep=0
[ "${1:-}" = "--keep" ] && keep=1
port="${PORT:-8080}"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" release
mlfaas="$root/build/src/cli/mlfaas"
photos="$root/.cache/photos"
log="$root/.cache/quickstart-serve.log"

echo "== starting: mlfaas serve --port $port"
"$mlfaas" serve --port "$port" >"$log" 2>&1 &
pid=$!
trap '[ $keep = 1 ] || kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  kill -0 $pid 2>/dev/null || { cat "$log"; echo "mlfaas serve exited" >&2; exit 1; }
  sleep 0.05
done
cat "$log"

echo "== raw JPEG body (the study's OpenFaaS client): POST / with Content-Type: image/jpeg"
curl -sS -X POST --data-binary @"$photos/dog.jpg" -H 'Content-Type: image/jpeg' "http://127.0.0.1:$port/" | jq -c '{predicted_class, confidence, timings_ms}'
echo "== multipart field 'file' (the study's Knative client): POST /predict"
curl -sS -F "file=@$photos/coffee.png" "http://127.0.0.1:$port/predict?top_k=3" | jq -c '[.predictions[] | {"label": .label, confidence}]'
echo "== JSON base64, two images: POST /classify"
printf '{"images":["%s","%s"]}' "$(base64 -w0 "$photos/eagle.jpg")" "$(base64 -w0 "$photos/chelsea.png")" |
  curl -sS -X POST -H 'Content-Type: application/json' --data-binary @- "http://127.0.0.1:$port/classify?top_k=1" |
  jq -c '[.[] | {predicted_class, confidence}]'
echo "== health, readiness, metrics"
curl -sS "http://127.0.0.1:$port/readyz"; echo
curl -sS "http://127.0.0.1:$port/metrics" | grep -E '^mlfaas_inference_(count|exec_count)_total|^mlfaas_http_requests_total.*POST'
if [ $keep = 1 ]; then
  echo "== still running on port $port (pid $pid); stop it with: kill $pid"
else
  kill -TERM $pid && wait $pid && echo "== stopped cleanly (SIGTERM, exit 0)"
fi
