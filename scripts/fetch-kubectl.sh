#!/usr/bin/env bash
# Unpacks Debian's kubectl (package kubernetes-client: kubectl 1.20, built-in kustomize v2.0.3) into
# .cache/kubectl (git-ignored) without installing it, so that the manifests in deploy/kubernetes can
# be built with the oldest kustomize they support as well as with a current kubectl.
# Prints the binary's path. Exit 77 when the package cannot be downloaded (no apt source, offline).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/.cache/kubectl"
bin="$dest/root/usr/bin/kubectl"

if [ ! -x "$bin" ]; then
  mkdir -p "$dest"
  work="$(mktemp -d "$dest/tmp.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  if ! (cd "$work" && apt-get download kubernetes-client >/dev/null 2>&1); then
    echo "fetch-kubectl: apt-get download kubernetes-client failed (no Debian apt source or offline)" >&2
    exit 77
  fi
  dpkg -x "$work"/kubernetes-client_*.deb "$work/root"
  rm -rf "$dest/root"
  mv "$work/root" "$dest/root"
  echo "fetch-kubectl: unpacked kubectl $("$bin" version --client --short 2>/dev/null | sed "s/^Client Version: //") into $dest/root" >&2
fi
echo "$bin"
