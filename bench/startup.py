#!/usr/bin/env python3
"""Process start -> ready for `mlfaas serve`, and its memory.

usage: bench/startup.py [--runs 10] [--binary build/src/cli/mlfaas] [-- extra serve args]
Spawns the server, polls GET /readyz every 1 ms until 200 (time from spawn), sends 100 requests
(dog.jpg), and reads VmRSS / VmHWM from /proc. Prints a summary line per run and the medians.
"""
import argparse, http.client, os, socket, statistics, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--runs", type=int, default=10)
ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", "build", "src", "cli", "mlfaas"))
ap.add_argument("--image", default=os.path.join(os.path.dirname(__file__), "..", ".cache", "photos", "dog.jpg"))
ap.add_argument("extra", nargs="*")
args = ap.parse_args()
body = open(args.image, "rb").read()

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def mem_kb(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0

ready_ms, rss_ready, rss_after, hwm = [], [], [], []
for run in range(args.runs):
    port = free_port()
    t0 = time.monotonic()
    p = subprocess.Popen([args.binary, "serve", "--port", str(port), "--address", "127.0.0.1", *args.extra],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/readyz"); r = c.getresponse(); r.read(); c.close()
            if r.status == 200:
                break
        except OSError:
            pass
        if p.poll() is not None:
            sys.exit("server exited during startup")
        time.sleep(0.001)
    ready_ms.append((time.monotonic() - t0) * 1000)
    rss_ready.append(mem_kb(p.pid, "VmRSS") / 1024)
    c = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(100):
        c.request("POST", "/classify", body, {"Content-Type": "image/jpeg"}); r = c.getresponse(); r.read()
        assert r.status == 200
    rss_after.append(mem_kb(p.pid, "VmRSS") / 1024)
    hwm.append(mem_kb(p.pid, "VmHWM") / 1024)
    p.terminate(); p.wait()
    print(f"run {run+1}: ready {ready_ms[-1]:.1f} ms, RSS ready {rss_ready[-1]:.1f} MB, "
          f"after 100 requests {rss_after[-1]:.1f} MB, peak {hwm[-1]:.1f} MB")
print(f"median: start->ready {statistics.median(ready_ms):.1f} ms (min {min(ready_ms):.1f}), "
      f"RSS ready {statistics.median(rss_ready):.1f} MB, after 100 requests {statistics.median(rss_after):.1f} MB, "
      f"peak {statistics.median(hwm):.1f} MB")
