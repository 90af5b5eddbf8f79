#!/usr/bin/env bash
# Installs the dependencies of mlfaas from Debian 12 packages: with --runtime only what building
# and running it needs (the quickstart), with --build only the toolchain and libraries (the
# Containerfile's build stage: no test photos), by default also every test and benchmark peer.
# Idempotent: packages already present are skipped, so running it again is cheap.
# Also fetches the test photos (Debian packages darknet and python3-skimage, unpacked, never installed)
# into the git-ignored cache .cache/photos and checks them against golden.json.
set -euo pipefail

runtime_only=0
build_only=0
case "${1:-}" in
  --runtime) runtime_only=1 ;;
  --build) runtime_only=1; build_only=1 ;;
  "") ;;
  *) echo "usage: $0 [--runtime|--build]" >&2; exit 2 ;;
esac

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates
  # libraries (the chosen stack; GoogleTest and Google Benchmark are needed to configure the build)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libdnnl-dev libonnx-dev libprotobuf-dev protobuf-compiler
  libturbojpeg0-dev libjpeg62-turbo-dev libpng-dev libwebp-dev libgif-dev zlib1g-dev libssl-dev
  libfmt-dev libyaml-cpp-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libnats-dev
)
if [ $build_only = 0 ]; then
  PACKAGES+=(
    # the durable queue `mlfaas up` runs for async invocations
    nats-server
    # what the quickstart itself calls
    curl jq
  )
fi
if [ $runtime_only = 0 ]; then
  PACKAGES+=(
    # sanitizers and fuzzing (clang-14's libFuzzer)
    libclang-rt-14-dev clang-14
    # real peers for tests and benchmarks
    wrk prometheus nginx-light python3
    # a real browser for the report page and web UI tests
    chromium chromium-driver python3-selenium
    # the container image (scripts/image.sh): a Debian 12 base made from packages, podman + runc
    mmdebstrap podman runc
    # manifest checks: Kubernetes objects against the CRDs' OpenAPI schemas
    python3-yaml python3-jsonschema
  )
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js + npm (only for the benchmark peer onnxruntime-node): Debian's packages unless some
# other Node.js is already on PATH (its npm would conflict with Debian's).
if [ $runtime_only = 0 ] && ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian's prometheus/nginx/nats packages start system services; the project starts its own copies.
  for svc in prometheus nginx nats-server; do
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
else
  echo "install-deps: all ${#PACKAGES[@]} packages present"
fi

[ $build_only = 1 ] && exit 0
# Test photos: downloaded as .deb files and unpacked into the cache (not installed).
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/fetch-test-photos.sh"
