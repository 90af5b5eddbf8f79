#!/usr/bin/env bash
# Downloads the Debian packages that ship the golden test photos and unpacks only the photos into
# .cache/photos (git-ignored). Checks each against the sha256 in golden.json when it is available.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/.cache/photos"
golden="${MLFAAS_GOLDEN:-$here/../shared/models/mobilenetv2/golden.json}"
mkdir -p "$dest"

want=(dog eagle giraffe horses kite person scream)
have_all=1
for n in "${want[@]}"; do [ -f "$dest/$n.jpg" ] || have_all=0; done
for n in chelsea coffee astronaut motorcycle_left motorcycle_right; do [ -f "$dest/$n.png" ] || have_all=0; done
[ -f "$dest/rocket.jpg" ] || have_all=0

if [ "$have_all" -eq 0 ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download darknet python3-skimage >/dev/null)
  for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/root"; done
  for n in "${want[@]}"; do cp "$work/root/usr/share/darknet/data/$n.jpg" "$dest/"; done
  sk="$work/root/usr/lib/python3/dist-packages/skimage/data"
  for n in chelsea.png coffee.png astronaut.png motorcycle_left.png motorcycle_right.png rocket.jpg; do
    cp "$sk/$n" "$dest/"
  done
  echo "fetch-test-photos: unpacked $(ls "$dest" | wc -l) photos into $dest"
fi

if [ -f "$golden" ] && command -v python3 >/dev/null; then
  python3 - "$golden" "$dest" <<'PY'
import hashlib, json, os, sys
golden, dest = sys.argv[1], sys.argv[2]
g = json.load(open(golden))
imgs = g["images"]
bad = []
for img in imgs:
    name = os.path.basename(img["path"])
    want = img.get("sha256")
    p = os.path.join(dest, name)
    if want and os.path.exists(p) and hashlib.sha256(open(p, "rb").read()).hexdigest() != want:
        bad.append(name)
if bad:
    print("fetch-test-photos: sha256 mismatch (another package version?):", ", ".join(bad))
    sys.exit(1)
PY
fi
