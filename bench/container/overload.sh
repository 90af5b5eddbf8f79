#!/usr/bin/env bash
# `mlfaas up --runtime podman` under load, callers who give up after 2 s (open loop):
#   1. capacity: closed loop, 8 connections, 15 s (dog.jpg through the gateway);
#   2. 2x that rate, open loop, 20 s: goodput, 503s, latency of the refusals;
#   3. the same 1x rate while the replica's container is killed (podman kill) 5 s in;
#   4. /system/* without credentials.
# usage: bench/container/overload.sh   (needs scripts/image.sh to have built the image)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$root/scripts/podman-env.sh"
photo="$root/.cache/photos/dog.jpg"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
gw="http://127.0.0.1:$port"
state=$(mktemp -d)
"$mlfaas" up --runtime podman --port "$port" --state-dir "$state" --basic-auth-password-file <(echo secret) \
  --nats none --access-log off >"$state/up.log" 2>&1 & up=$!
trap 'kill -TERM $up; wait $up || true; rm -rf "$state"' EXIT
for _ in $(seq 1 300); do curl -sf "$gw/healthz" >/dev/null && break; sleep 0.05; done
url="$gw/function/classifier/classify"
bench() { "$mlfaas" bench "$url" -f "$photo" -H 'Content-Type: image/jpeg' --timeout 2s "$@"; }
cpu_line
echo "== 1. capacity (closed loop, 8 connections)"
bench -c 8 -d 15s --json "$state/cap.json" | grep -E "Requests/sec|Latency|Non-2xx|timeout" || true
cap=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(round(d['summary']['requests_per_s']))" "$state/cap.json")
echo "== 2. open loop at 2x capacity: $((cap * 2))/s, 20 s"
bench -R $((cap * 2)) -c 1000 -d 20s
echo "== 3. open loop at capacity ${cap}/s, 20 s; the container is killed 5 s in"
(sleep 5; podman kill --signal KILL $(podman ps --filter "label=io.mlfaas.owner=$up" --format '{{.Names}}') >/dev/null) &
bench -R "$cap" -c 1000 -d 20s
grep -E "exited|restart|ready in" "$state/up.log" | grep -v '^{' | tail -4 || true
echo "== 4. /system/functions without credentials, with wrong ones, with the password"
for auth in "" "-u admin:wrong" "-u admin:secret"; do
  echo "curl $auth: $(curl -s -o /dev/null -w '%{http_code}' $auth "$gw/system/functions")"
done
