#!/usr/bin/env python3
"""Cross-check of `mlfaas bench` against Debian's wrk, on the same endpoints with the same settings.

usage: bench/bench_vs_wrk.py [--build build] [--rounds 3] [--duration 10] [--connections 16]
                             [--scenarios ceiling,delay,classifier]

Scenarios (each: wrk -t1 -cC -dD --latency and mlfaas bench -t1 -cC -dD, interleaved per round):
  ceiling     nginx `return 200` on loopback (1 worker): the load generator's own ceiling
  delay       tests' bench_target_server answering after 10 ms: requests/s and p50 must agree
  classifier  `mlfaas serve` with dog.jpg as a raw POST /classify body (bench/wrk/post-file.lua)
Prints every round and the medians; exits non-zero if a binary is missing.
"""
import argparse, json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, http.client

root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ap = argparse.ArgumentParser()
ap.add_argument("--build", default=os.path.join(root, "build"))
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--duration", type=int, default=10)
ap.add_argument("--connections", type=int, default=16)
ap.add_argument("--scenarios", default="ceiling,delay,classifier")
args = ap.parse_args()
mlfaas = os.path.join(args.build, "src", "cli", "mlfaas")
target_server = os.path.join(args.build, "tests", "support", "bench_target_server")
dog = os.path.join(root, ".cache", "photos", "dog.jpg")
for exe in (mlfaas, shutil.which("wrk")):
    if not exe or not os.path.exists(exe):
        sys.exit(f"missing {exe or 'wrk'} (scripts/build.sh release; apt-get install wrk)")


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def wait_ok(port, path="/", method="GET"):
    for _ in range(3000):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request(method, path); r = c.getresponse(); r.read(); c.close()
            if r.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.01)
    sys.exit(f"nothing answered on port {port}")


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 60e3}[unit]


def run_wrk(url, extra):
    out = subprocess.run(["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency", *extra[0], url,
                          *extra[1]], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Socket errors: (.*)", out)
    return rps, p50, errors.group(1) if errors else ""


def run_mlfaas(url, extra):
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        subprocess.run([mlfaas, "bench", url, "-t", "1", "-c", str(args.connections), "-d", f"{args.duration}s",
                        "--json", f.name, *extra], capture_output=True, text=True, check=True)
        s = json.load(open(f.name))["summary"]
    failed = s["failures"]["total"]
    return s["requests_per_s"], s["latency_ms"]["p50"], f"{failed} failed" if failed else ""


def scenario(name, url, wrk_extra=([], []), bench_extra=()):
    print(f"\n## {name}: {url}  (-t1 -c{args.connections} -d{args.duration}s)")
    w, b = [], []
    for r in range(args.rounds):
        w.append(run_wrk(url, wrk_extra))
        b.append(run_mlfaas(url, list(bench_extra)))
        print(f"round {r + 1}: wrk {w[-1][0]:10.1f} req/s p50 {w[-1][1]:8.3f} ms {w[-1][2]}| "
              f"mlfaas bench {b[-1][0]:10.1f} req/s p50 {b[-1][1]:8.3f} ms {b[-1][2]}| "
              f"ratios {b[-1][0] / w[-1][0]:.3f} {b[-1][1] / w[-1][1]:.3f}")
    wr, wp = statistics.median(x[0] for x in w), statistics.median(x[1] for x in w)
    br, bp = statistics.median(x[0] for x in b), statistics.median(x[1] for x in b)
    # The machine is shared: a disturbance usually hits both runs of a round, so the median of the
    # per-round ratios is steadier than the ratio of the medians.
    rr = statistics.median(y[0] / x[0] for x, y in zip(w, b))
    pr = statistics.median(y[1] / x[1] for x, y in zip(w, b))
    print(f"median: wrk {wr:.1f} req/s p50 {wp:.3f} ms | mlfaas bench {br:.1f} req/s p50 {bp:.3f} ms | "
          f"median per-round ratio: req/s {rr:.3f}, p50 {pr:.3f}")


procs = []
tmp = tempfile.mkdtemp(prefix="bench-vs-wrk-")
try:
    wanted = args.scenarios.split(",")
    if "ceiling" in wanted:
        port = free_port()
        conf = os.path.join(tmp, "nginx.conf")
        os.makedirs(os.path.join(tmp, "tmp"), exist_ok=True)
        with open(conf, "w") as f:
            f.write(f"""worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path {tmp}/tmp; proxy_temp_path {tmp}/tmp; fastcgi_temp_path {tmp}/tmp;
  uwsgi_temp_path {tmp}/tmp; scgi_temp_path {tmp}/tmp;
  server {{ listen 127.0.0.1:{port}; location / {{ return 200 "ok\\n"; }} }}
}}
""")
        procs.append(subprocess.Popen(["nginx", "-p", tmp, "-e", f"{tmp}/error.log", "-c", conf]))
        wait_ok(port)
        scenario("ceiling (nginx return 200)", f"http://127.0.0.1:{port}/")
    if "delay" in wanted:
        port = free_port()
        procs.append(subprocess.Popen([target_server, str(port)], stdout=subprocess.DEVNULL))
        wait_ok(port)
        scenario("fixed 10 ms delay (bench_target_server)", f"http://127.0.0.1:{port}/?delay_ms=10")
    if "classifier" in wanted:
        port = free_port()
        procs.append(subprocess.Popen([mlfaas, "serve", "--port", str(port), "--address", "127.0.0.1"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_ok(port, "/readyz")
        scenario("classifier, dog.jpg raw", f"http://127.0.0.1:{port}/classify",
                 (["-s", os.path.join(root, "bench", "wrk", "post-file.lua")], ["--", dog]), ["--file", dog])
finally:
    for p in procs:
        p.terminate()
        p.wait()
    shutil.rmtree(tmp, ignore_errors=True)
