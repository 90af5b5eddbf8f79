#!/usr/bin/env bash
# The quickstart without any model (as on a machine without ../shared): it must fail loudly, with
# the reason and what to do, within seconds, and exit non-zero.
set -uo pipefail
root="$1"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start=$(date +%s)
out=$(PORT=$port MLFAAS_MODEL_DIR=/nonexistent/model "$root/scripts/quickstart.sh" 2>&1)
code=$?
took=$(( $(date +%s) - start ))
echo "$out" | tail -5
[ $code -ne 0 ] || { echo "quickstart exited 0 without a model"; exit 1; }
grep -qF "no model to serve" <<<"$out" || { echo "no clear message"; exit 1; }
grep -qF "model pull" <<<"$out" || { echo "the message does not say how to get a model"; exit 1; }
[ $took -lt 120 ] || { echo "took $took s"; exit 1; }
echo "quickstart without a model: failed loudly in $took s (exit $code)"
