#!/usr/bin/env python3
"""Cold start through the mlfaas gateway: request at zero replicas -> response.

usage: bench/cold_start.py --function NAME --gateway URL [--runs 20] [--path /] [--file IMG]

For each run: scale the function to 0 (POST /system/scale-function), wait until no replica is
left, then time one request from the client's side. Prints each run and p50/p90/min/max, and the
gateway's own cold-start histogram (request at zero -> first replica ready).
"""
import argparse, http.client, json, statistics, time, urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("--function", required=True)
ap.add_argument("--gateway", default="http://127.0.0.1:8080")
ap.add_argument("--runs", type=int, default=20)
ap.add_argument("--path", default="/")
ap.add_argument("--file")
args = ap.parse_args()
u = urllib.parse.urlparse(args.gateway)
body = open(args.file, "rb").read() if args.file else None

def call(method, path, data=None, headers={}):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    c.request(method, path, data, headers)
    r = c.getresponse()
    out = r.read()
    c.close()
    return r.status, out

def status():
    return json.loads(call("GET", f"/system/function/{args.function}")[1])

times = []
for i in range(args.runs):
    s, out = call("POST", f"/system/scale-function/{args.function}", json.dumps({"replicas": 0}))
    assert s == 202, out
    while status()["replicaDetails"]:
        time.sleep(0.01)
    time.sleep(0.05)
    t0 = time.monotonic()
    if body is not None:
        s, out = call("POST", f"/function/{args.function}{args.path}", body, {"Content-Type": "image/jpeg"})
    else:
        s, out = call("GET", f"/function/{args.function}{args.path}")
    ms = (time.monotonic() - t0) * 1000
    assert s == 200, (s, out[:200])
    times.append(ms)
    print(f"run {i + 1}: {ms:.1f} ms")
times.sort()
print(f"cold start {args.function}: p50 {statistics.median(times):.1f} ms, "
      f"p90 {times[int(0.9 * (len(times) - 1))]:.1f} ms, min {times[0]:.1f} ms, max {times[-1]:.1f} ms ({len(times)} runs)")
st = status()
print(f"gateway: coldStarts {st['coldStarts']}, restarts {st['restarts']}")
