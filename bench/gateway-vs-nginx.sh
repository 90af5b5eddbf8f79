#!/usr/bin/env bash
# Gateway overhead and throughput: the same upstream (one replica of the trivial hello function)
# called directly, through the mlfaas gateway, and through Debian's nginx as a reverse proxy
# (one worker, upstream keep-alive). wrk runs each case in turn, two rounds.
# usage: bench/gateway-vs-nginx.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-$here/../build}" && pwd)"
secs="${2:-10}"
work="$(mktemp -d)"
cleanup() { kill "${up_pid:-}" "${nginx_pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

gw_port=$(free_port)
cat >"$work/hello.yaml" <<YAML
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello}
spec:
  template:
    metadata:
      annotations: {mlfaas.dev/autoscaler: fixed, autoscaling.knative.dev/min-scale: "1"}
    spec:
      containers: [{image: example/hello, command: ["$build/functions/hello/mlfaas-hello"]}]
YAML
"$build/src/cli/mlfaas" up --address 127.0.0.1 --port "$gw_port" --specs "$work/hello.yaml" >"$work/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 100); do
  rep=$(curl -sf "http://127.0.0.1:$gw_port/system/function/hello" 2>/dev/null |
        python3 -c 'import json,sys; d=json.load(sys.stdin); r=[x for x in d["replicaDetails"] if x["state"]=="ready"]; print(r[0]["port"] if r else "")' || true)
  [ -n "$rep" ] && break
  sleep 0.1
done
[ -n "$rep" ] || { cat "$work/up.log"; echo "hello never became ready" >&2; exit 1; }

nginx_port=$(free_port)
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream hello { server 127.0.0.1:$rep; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / { proxy_pass http://hello; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
sleep 0.5

run() {  # name url connections
  local out rps p50
  out=$(wrk -t1 -c"$3" -d"${secs}s" --latency "$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  local non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-8s %-10s c=%-3s %12s req/s   p50 %8s   non-2xx %s\n' "$round" "$1" "$3" "$rps" "$p50" "${non2xx:-0}"
}
echo "upstream: hello replica on :$rep; gateway :$gw_port; nginx :$nginx_port"
for round in 1 2; do
  run direct "http://127.0.0.1:$rep/" 1
  run gateway "http://127.0.0.1:$gw_port/function/hello/" 1
  run nginx "http://127.0.0.1:$nginx_port/" 1
done
for round in 1 2; do
  run direct "http://127.0.0.1:$rep/" 16
  run gateway "http://127.0.0.1:$gw_port/function/hello/" 16
  run nginx "http://127.0.0.1:$nginx_port/" 16
done
