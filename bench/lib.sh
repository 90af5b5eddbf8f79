# Shared by the bench scripts (sourced after `set -euo pipefail`): where things are, and how each
# report names the CPU it ran on (this machine changes: AMD EPYC some days, Intel Xeon others).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mlfaas="$root/build/src/cli/mlfaas"
hello="$root/build/functions/hello/mlfaas-hello"
cpu_line() { echo "CPU: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $(nproc) cores"; }
# wait_url URL [TRIES]: until URL answers 2xx, every 100 ms (default 100 tries); 1 if it never does.
wait_url() { for _ in $(seq "${2:-100}"); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }
