# Sourced by scripts/image.sh, the container tests and bench/container: points podman at mlfaas's
# own settings and store (deploy/podman/). `mlfaas up --runtime podman` runs `podman` with the
# environment it was started with, so start it after sourcing this too.
#   runtime: runc (crun fails on these hosts' hybrid cgroups); no default ulimits (refused in
#            some sandboxes);
#   storage: overlay where the kernel mounts it here (a container shares the image's layers),
#            else vfs (full copies, slow to start); MLFAAS_PODMAN_STORAGE=overlay|vfs forces one.
# MLFAAS_PODMAN_NATIVE=1 keeps the host's own podman configuration instead.
if [ "${MLFAAS_PODMAN_NATIVE:-0}" != 1 ]; then
  _mlfaas_podman="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/deploy/podman"
  export CONTAINERS_CONF="$_mlfaas_podman/containers.conf"
  if [ -z "${MLFAAS_PODMAN_STORAGE:-}" ]; then
    # podman checks that overlay mounts when it opens the store (e.g. not over an overlay /var/lib).
    if CONTAINERS_STORAGE_CONF="$_mlfaas_podman/storage-overlay.conf" podman info >/dev/null 2>&1; then
      MLFAAS_PODMAN_STORAGE=overlay
    else
      MLFAAS_PODMAN_STORAGE=vfs
    fi
  fi
  export MLFAAS_PODMAN_STORAGE
  export CONTAINERS_STORAGE_CONF="$_mlfaas_podman/storage-$MLFAAS_PODMAN_STORAGE.conf"
  unset _mlfaas_podman
fi
