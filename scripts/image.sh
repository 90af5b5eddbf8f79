#!/usr/bin/env bash
# Builds the mlfaas container image with podman and checks it: /readyz, golden answers, the study's
# two request forms, a non-root user and a clean SIGTERM drain; prints the image size and the
# container's start-to-ready time.
#
# usage: scripts/image.sh [build|check|all] [--prebuilt BINARY] [--tag TAG] [--model DIR]
#   build      make the image (the default target compiles inside the build stage, ~minutes;
#              --prebuilt BINARY packs a binary already built on this Debian 12 host instead)
#   check      run the checks against an existing image
#   all        both (default)
# No registry answers on our machines, so the base is a Debian 12 root filesystem that mmdebstrap
# makes from Debian's packages (localhost/mlfaas-base:bookworm, made once, then reused).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=podman-env.sh
source "$root/scripts/podman-env.sh"

action=all
case "${1:-}" in build|check|all) action=$1; shift ;; esac
tag="${MLFAAS_IMAGE:-localhost/mlfaas:0.1.0}"
prebuilt=""
model="${MLFAAS_MODEL_DIR:-$root/../shared/models/mobilenetv2}"
while [ $# -gt 0 ]; do
  case "$1" in
    --prebuilt) prebuilt="$2"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    *) echo "usage: $0 [build|check|all] [--prebuilt BINARY] [--tag TAG] [--model DIR]" >&2; exit 2 ;;
  esac
done
base=localhost/mlfaas-base:bookworm
mirror="${MLFAAS_DEBIAN_MIRROR:-http://deb.debian.org}"

fail() { echo "image: $*" >&2; exit 1; }
ms_now() { date +%s%3N; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

make_base() {
  podman image exists "$base" && return 0
  echo "== base image: Debian 12 from Debian's packages (mmdebstrap --variant=apt)"
  local tar
  tar="$(mktemp -d)/rootfs.tar"
  # Like debian:bookworm-slim: no manuals, docs (but copyrights) or translations.
  mmdebstrap --quiet --variant=apt --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    bookworm "$tar" "deb $mirror/debian bookworm main" "deb $mirror/debian bookworm-updates main" \
    "deb $mirror/debian-security bookworm-security main"
  podman import --quiet --change 'CMD ["/bin/bash"]' "$tar" "$base" >/dev/null
  rm -rf "$(dirname "$tar")"
}

build() {
  [ -f "$model/model.onnx" ] && [ -f "$model/labels.txt" ] ||
    fail "no model.onnx + labels.txt in $model (--model DIR, or \`mlfaas model pull\`)"
  make_base
  # Only what the model loader reads (the shared directory also holds golden files and tools).
  local modeldir
  modeldir="$(mktemp -d)"
  for f in model.onnx labels.txt synsets.txt manifest.yaml manifest.yml manifest.json; do
    [ -f "$model/$f" ] && cp "$model/$f" "$modeldir/"
  done
  local args=(--isolation chroot --network host --build-arg "BASE=$base"
              --build-context "model=$modeldir" -t "$tag" -f "$root/Containerfile")
  if [ -n "$prebuilt" ]; then
    [ -x "$prebuilt" ] || fail "--prebuilt $prebuilt is not an executable"
    local bindir
    bindir="$(mktemp -d)"
    cp "$prebuilt" "$bindir/mlfaas"
    args+=(--target prebuilt --build-context "binary=$bindir")
    echo "== image $tag (runtime + the binary $prebuilt)"
  else
    echo "== image $tag (multi-stage: compile in the build stage, then the runtime)"
  fi
  echo "   podman storage: ${MLFAAS_PODMAN_STORAGE:-the host default} (scripts/podman-env.sh)"
  local t0
  t0=$(ms_now)
  podman build --quiet "${args[@]}" "$root" >/dev/null
  rm -rf "$modeldir"
  [ -n "$prebuilt" ] && rm -rf "$bindir"
  podman image prune -f >/dev/null 2>&1 || true  # the replaced image's layers (vfs stores full copies)
  echo "built in $(( $(ms_now) - t0 )) ms"
}

# Runs the image with host networking on a free port; echoes "CONTAINER_ID START_TO_READY_MS".
start_container() {  # NAME [podman run options...]
  local name=$1 port=$2 t0 cid
  shift 2
  podman rm -f "$name" >/dev/null 2>&1 || true
  t0=$(ms_now)
  cid=$(podman run -d --name "$name" --network host -e "PORT=$port" "$@" "$tag")
  for _ in $(seq 1 1500); do
    if curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
      echo "$cid $(( $(ms_now) - t0 ))"
      return 0
    fi
    [ "$(podman inspect --format '{{.State.Running}}' "$cid")" = true ] ||
      { podman logs "$cid" >&2; fail "the container exited before it was ready"; }
    sleep 0.01
  done
  podman logs "$cid" >&2
  fail "not ready after 15 s"
}

check() {
  podman image exists "$tag" || fail "no image $tag (run: $0 build)"
  local photos="$root/.cache/photos" port name=mlfaas-image-check-$$
  [ -f "$photos/dog.jpg" ] || "$root/scripts/fetch-test-photos.sh" >/dev/null
  port=$(free_port)
  read -r cid ready_ms < <(start_container "$name" "$port") || true
  [ -n "${ready_ms:-}" ] || fail "the container did not become ready"
  trap 'podman rm -f '"$name"' >/dev/null 2>&1 || true' EXIT
  local url="http://127.0.0.1:$port"
  echo "== ready in $ready_ms ms (podman run to /readyz 200)"

  local uid
  uid=$(podman exec "$cid" id -u)
  [ "$uid" != 0 ] || fail "the container runs as root"
  echo "== runs as uid $uid ($(podman exec "$cid" id -un))"

  echo "== golden answers (../shared/models/mobilenetv2/golden.json) through the container"
  local answers
  answers="$(mktemp -d)"
  for photo in dog.jpg coffee.png eagle.jpg; do
    local type=image/jpeg
    [ "${photo##*.}" = png ] && type=image/png
    curl -sS -f -X POST -H "Content-Type: $type" --data-binary @"$photos/$photo" "$url/classify?top_k=5" >"$answers/${photo%.*}.json" ||
      fail "$photo: the classifier did not answer 200"
  done
  python3 - "$root/../shared/models/mobilenetv2/golden.json" "$answers" <<'PY' || fail "golden answers differ"
import json, os, sys
golden = {g["id"]: g for g in json.load(open(sys.argv[1]))["images"]}
for name in sorted(os.listdir(sys.argv[2])):
    got = json.load(open(os.path.join(sys.argv[2], name)))["predictions"]
    want = golden[name[:-5]]["top5"]
    for g, w in zip(got, want):
        assert g["index"] == w["index"] and abs(g["confidence"] - w["probability"]) < 1e-3, (name, g, w)
    print(f"  {name[:-5]}: {got[0]['label']} {got[0]['confidence']:.4f} (golden top-5 matches)")
PY
  rm -rf "$answers"

  echo "== the study's two clients"
  local code
  code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: image/jpeg' \
    --data-binary @"$root/../shared/seed-study/openfaas-download.jpg" "$url/")
  [ "$code" = 200 ] || fail "raw image/jpeg on / answered $code"
  code=$(curl -sS -o /dev/null -w '%{http_code}' -F "file=@$root/../shared/seed-study/knative-image.png;type=image/png" "$url/predict")
  [ "$code" = 200 ] || fail "multipart file on /predict answered $code"
  echo "  raw JPEG on / and multipart PNG on /predict: 200"

  echo "== SIGTERM drain: 4 slow uploads in flight, then podman kill --signal TERM"
  local out
  out="$(mktemp -d)"
  for i in 1 2 3 4; do
    # 1.6 MB at 800 KB/s: each request is still uploading when the signal arrives.
    curl -sS -o /dev/null -w '%{http_code}' --limit-rate 800k \
      -F "file=@$root/../shared/seed-study/knative-image.png;type=image/png" "$url/predict" >"$out/$i" 2>&1 &
  done
  sleep 0.5
  podman kill --signal TERM "$cid" >/dev/null
  wait
  local exit_code
  exit_code=$(podman wait "$cid")
  for i in 1 2 3 4; do
    [ "$(cat "$out/$i")" = 200 ] || fail "request $i during the drain: $(cat "$out/$i")"
  done
  [ "$exit_code" = 0 ] || { podman logs "$cid" | tail -5 >&2; fail "exit code $exit_code after SIGTERM"; }
  echo "  all 4 in-flight requests answered 200; exit code 0"
  rm -rf "$out"

  local size
  size=$(podman image inspect --format '{{.Size}}' "$tag")
  echo "== image $tag: $(( size / 1000000 )) MB; start-to-ready $ready_ms ms"
}

case "$action" in
  build) build ;;
  check) check ;;
  all) build; check ;;
esac
