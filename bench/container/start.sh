#!/usr/bin/env bash
# Start-to-ready of the classifier, as a process and as a podman container of the image, in one run
# (this machine is noisy: compare the ratio). Then the cold start through the gateway: the first
# request to a function scaled to zero, `mlfaas up` with replicas as processes vs as containers.
# usage: bench/container/start.sh [RUNS]   (needs scripts/image.sh to have built the image)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$root/scripts/podman-env.sh"
runs="${1:-5}"
tag="${MLFAAS_IMAGE:-localhost/mlfaas:0.1.0}"
photo="$root/.cache/photos/dog.jpg"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms_now() { date +%s%3N; }
wait_ready() { for _ in $(seq 1 3000); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.005; done; return 1; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; image $tag $(( $(podman image inspect --format '{{.Size}}' "$tag") / 1000000 )) MB"
proc=() ctr=() create=()
for i in $(seq 1 "$runs"); do
  port=$(free_port); t0=$(ms_now)
  "$mlfaas" serve --port "$port" --access-log off >/dev/null 2>&1 & pid=$!
  wait_ready "http://127.0.0.1:$port/readyz"; proc+=($(( $(ms_now) - t0 ))); kill -TERM $pid; wait $pid || true

  port=$(free_port); t0=$(ms_now)
  podman create --name mlfaas-bench-start --network host -e PORT="$port" -e MLFAAS_ACCESS_LOG=off "$tag" >/dev/null
  create+=($(( $(ms_now) - t0 )))
  podman start mlfaas-bench-start >/dev/null
  wait_ready "http://127.0.0.1:$port/readyz"; ctr+=($(( $(ms_now) - t0 )))
  podman rm -f -t 5 mlfaas-bench-start >/dev/null
done
p=$(printf '%s\n' "${proc[@]}" | median); c=$(printf '%s\n' "${ctr[@]}" | median); k=$(printf '%s\n' "${create[@]}" | median)
echo "start to /readyz, median of $runs: process ${p} ms (${proc[*]}); container ${c} ms (${ctr[*]}), of which podman create ${k} ms (${create[*]})"

# Cold start through the gateway: the built-in classifier spec (scale to zero), initial scale 0.
spec=$(mktemp --suffix .yaml)
sed 's|autoscaling.knative.dev/min-scale: "0".*|autoscaling.knative.dev/min-scale: "0"\n        autoscaling.knative.dev/initial-scale: "0"|' \
  "$root/functions/classifier/service.yaml" > "$spec"
for runtime in process podman; do
  cold=()
  for i in $(seq 1 "$runs"); do
    port=$(free_port)
    "$mlfaas" up --runtime "$runtime" --specs "$spec" --ephemeral --nats none --no-auth --port "$port" --access-log off >/dev/null 2>&1 & up=$!
    wait_ready "http://127.0.0.1:$port/healthz"
    ms=$(curl -sS -o /dev/null -w '%{time_total}' -H 'Content-Type: image/jpeg' --data-binary @"$photo" "http://127.0.0.1:$port/function/classifier/")
    cold+=($(python3 -c "print(round($ms*1000))"))
    kill -TERM $up; wait $up || true
  done
  echo "first request from zero through the gateway, --runtime $runtime, median of $runs: $(printf '%s\n' "${cold[@]}" | median) ms (${cold[*]})"
done
rm -f "$spec"
