# Sourced by scripts/image.sh and the container tests: points podman at mlfaas's own settings and
# store (deploy/podman/). `mlfaas up --runtime podman` runs `podman` with the environment it was
# started with, so start it after sourcing this too. MLFAAS_PODMAN_NATIVE=1 keeps the host's own
# podman configuration instead (a workstation where crun and overlay work).
if [ "${MLFAAS_PODMAN_NATIVE:-0}" != 1 ]; then
  _mlfaas_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  export CONTAINERS_CONF="$_mlfaas_root/deploy/podman/containers.conf"
  export CONTAINERS_STORAGE_CONF="$_mlfaas_root/deploy/podman/storage.conf"
  unset _mlfaas_root
fi
