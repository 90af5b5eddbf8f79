#!/usr/bin/env bash
# Runs scripts/quickstart.sh on a free port and checks that the sample requests were answered
# with the right classes and that the service stopped cleanly.
set -euo pipefail
root="$1"
if [ ! -f "$root/../shared/models/mobilenetv2/model.onnx" ] && [ ! -f "$root/models/mobilenetv2/model.onnx" ]; then
  echo "SKIP: no pretrained model (../shared/models/mobilenetv2 or models/)"; exit 77
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$(PORT=$port "$root/scripts/quickstart.sh" 2>&1) || { echo "$out"; echo "quickstart failed"; exit 1; }
echo "$out"
for want in '"predicted_class":"malamute, malemute, Alaskan malamute"' '"label":"espresso"' \
            '"predicted_class":"bald eagle, American eagle, Haliaeetus leucocephalus"' \
            '"predicted_class":"tiger cat"' 'classifier' 'autoscaler:    kpa' \
            'gateway_function_invocation_total{function_name="classifier",code="200"} 3' 'stopped cleanly'; do
  grep -qF "$want" <<<"$out" || { echo "missing in output: $want"; exit 1; }
done
echo "quickstart OK"
