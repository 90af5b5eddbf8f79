#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install dependencies, build, start the platform
# (`mlfaas up`: gateway + the classifier function, scaled to zero when idle), and answer sample
# requests in the study's input forms. Stops everything at the end unless --keep is given.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
keep=0
[ "${1:-}" = "--keep" ] && keep=1
port="${PORT:-8080}"
gw="http://127.0.0.1:$port"

fail() { echo "quickstart: $*" >&2; exit 1; }

"$root/scripts/install-deps.sh" --runtime
"$root/scripts/build.sh" release mlfaas   # only what the main job runs; the tests build the rest
mlfaas="$root/build/src/cli/mlfaas"
photos="$root/.cache/photos"
log="$root/.cache/quickstart-up.log"

# The model first: without one every replica would exit at once. None found and none named:
# download MobileNetV2 from the ONNX model zoo (its SHA-256 is pinned); offline, that fails fast.
if ! inspect=$("$mlfaas" model inspect 2>&1 >/dev/null); then
  if [ -n "${MLFAAS_MODEL_DIR:-}" ]; then
    fail "no model to serve: $inspect
  Unset MLFAAS_MODEL_DIR to have the quickstart fetch one with \`mlfaas model pull\` (needs internet),
  or point it at a directory with model.onnx and labels.txt (see docs/models.md)."
  fi
  echo "== no model found; downloading MobileNetV2 from the ONNX model zoo: mlfaas model pull"
  pulled=$("$mlfaas" model pull 2>&1) || fail "no model to serve, and the download failed:
$pulled
  Without internet: point MLFAAS_MODEL_DIR (or --model) at a directory with model.onnx and
  labels.txt (see docs/models.md)."
  inspect=$("$mlfaas" model inspect 2>&1 >/dev/null) || fail "the downloaded model does not load: $inspect"
fi

echo "== starting the platform: mlfaas up --port $port"
"$mlfaas" up --port "$port" >"$log" 2>&1 &
pid=$!
trap '[ $keep = 1 ] || kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  curl -sf "$gw/healthz" >/dev/null && break
  kill -0 $pid 2>/dev/null || { cat "$log"; echo "mlfaas up exited" >&2; exit 1; }
  sleep 0.05
done
"$mlfaas" ls --gateway "$gw"

# Each answer is checked: the expected class must be among the answer's predictions (top-k), or
# the quickstart fails with the server's answer.
check() {  # NAME JQ_FILTER EXPECTED_LABEL ANSWER
  local got
  got=$(jq -c "$2" <<<"$4" 2>/dev/null) || fail "$1: not a JSON answer: $4"
  echo "$got"
  jq -e --arg l "$3" '[(if type == "array" then .[] else . end) | .predictions[].label] | index($l) != null' \
    <<<"$4" >/dev/null || fail "$1: expected '$3' among the predictions: $4"
}
echo "== raw JPEG body (the study's OpenFaaS client): POST /function/classifier/"
answer=$(curl -sS -X POST --data-binary @"$photos/dog.jpg" -H 'Content-Type: image/jpeg' "$gw/function/classifier/")
check "dog.jpg" '{predicted_class, confidence, timings_ms}' 'malamute, malemute, Alaskan malamute' "$answer"
echo "== multipart field 'file' (the study's Knative client), routed by Host like Knative: POST /predict"
answer=$(curl -sS -F "file=@$photos/coffee.png" -H 'Host: classifier.default.example.com' "$gw/predict?top_k=3")
check "coffee.png" '[.predictions[] | {"label": .label, confidence}]' 'espresso' "$answer"
echo "== JSON base64, two images: mlfaas invoke"
printf '{"images":["%s","%s"]}' "$(base64 -w0 "$photos/eagle.jpg")" "$(base64 -w0 "$photos/chelsea.png")" >"$root/.cache/two-images.json"
answer=$("$mlfaas" invoke classifier --gateway "$gw" --path '/classify?top_k=5' -f "$root/.cache/two-images.json") ||
  fail "mlfaas invoke failed: $answer"
check "eagle.jpg + chelsea.png" '[.[] | {predicted_class, confidence}]' 'tiger cat' "$answer"
check "eagle.jpg" '.predicted_class' 'bald eagle, American eagle, Haliaeetus leucocephalus' "$(jq -c '.[0]' <<<"$answer")" >/dev/null
echo "== the function, its replicas and the autoscaler's last decision"
"$mlfaas" describe classifier --gateway "$gw"
curl -sS "$gw/metrics" | grep -E '^gateway_function_invocation_total|^mlfaas_function_cold_starts_total'
if [ $keep = 1 ]; then
  echo "== still running: gateway $gw (pid $pid); stop it with: kill $pid"
else
  kill -TERM $pid && wait $pid && echo "== stopped cleanly (SIGTERM: replicas drained, exit 0)"
fi
