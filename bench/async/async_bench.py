#!/usr/bin/env python3
"""Async invocations and traffic splitting through `mlfaas up` (docs/benchmarks.md).

  async_bench.py latency GATEWAY FUNCTION RATE COUNT   open loop: COUNT calls at RATE/s to
      /async-function/FUNCTION with an X-Callback-Url on a local receiver; prints p50/p90/p99/max
      of enqueue (the 202) and of end to end (sent -> callback received), and lost calls.
  async_bench.py split GATEWAY FUNCTION COUNT         COUNT requests to /function/FUNCTION; the share
      each revision answered (X-Mlfaas-Revision).
  async_bench.py queue-kill GATEWAY FUNCTION RATE COUNT PIDFILE KILLS   as latency, while the queue's
      nats-server (its pid in PIDFILE) is SIGKILLed KILLS times, evenly spread: answers by status
      (202, 503 with Retry-After, anything else, connection errors) and accepted calls never called back.
"""
import http.client, http.server, json, os, signal, sys, threading, time, urllib.parse


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100.0 * len(s)))]


def kill_queue_server(pidfile):
    """SIGKILL the nats-server whose pid PIDFILE names, once a live one does (after an earlier kill
    the restarted server writes its pid there)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            pid = int(open(pidfile).read().strip())
            os.kill(pid, signal.SIGKILL)
            print("killed nats-server %d" % pid, file=sys.stderr)
            return
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def latency(gateway, function, rate, count, pidfile=None, kills=0):
    got = {}
    lock = threading.Lock()

    class Receiver(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            n = int(self.headers.get("Content-Length", 0))
            self.rfile.read(n)
            with lock:
                got.setdefault(self.headers.get("X-Call-Id"), time.monotonic())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    callback = "http://127.0.0.1:%d/cb" % srv.server_address[1]
    u = urllib.parse.urlparse(gateway)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    sent, enqueue = {}, []
    statuses = {}
    kill_at = {int(count * (k + 1) / (kills + 1)) for k in range(kills)}
    start = time.monotonic()
    for i in range(count):
        due = start + i / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        if i in kill_at:
            kill_queue_server(pidfile)
        t0 = time.monotonic()
        try:
            conn.request("POST", "/async-function/%s/" % function, body=b"x",
                         headers={"X-Callback-Url": callback, "Content-Type": "text/plain"})
            r = conn.getresponse()
            r.read()
        except OSError:
            statuses["connection error"] = statuses.get("connection error", 0) + 1
            conn = http.client.HTTPConnection(u.hostname, u.port)
            continue
        t1 = time.monotonic()
        key = "503 + Retry-After" if r.status == 503 and r.getheader("Retry-After") else str(r.status)
        statuses[key] = statuses.get(key, 0) + 1
        if r.status != 202:
            if not kills:
                print("enqueue answered", r.status, file=sys.stderr)
            continue
        sent[r.getheader("X-Call-Id")] = t0
        enqueue.append((t1 - t0) * 1000)
    offered = count / (time.monotonic() - start)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with lock:
            if all(k in got for k in sent):
                break
        time.sleep(0.05)
    with lock:
        e2e = [(got[k] - t) * 1000 for k, t in sent.items() if k in got]
    lost = len(sent) - len(e2e)
    print(json.dumps({
        "calls": count, "offered_per_s": round(offered, 1), "accepted": len(sent), "lost": lost,
        "answers": statuses, "kills": kills,
        "enqueue_ms": {p: round(pct(enqueue, p), 2) for p in (50, 90, 99)} | {"max": round(max(enqueue), 2)},
        "end_to_end_ms": {p: round(pct(e2e, p), 2) for p in (50, 90, 99)} | {"max": round(max(e2e), 2)},
    }))
    srv.shutdown()


def split(gateway, function, count):
    u = urllib.parse.urlparse(gateway)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    by = {}
    for _ in range(count):
        conn.request("GET", "/function/%s/" % function)
        r = conn.getresponse()
        r.read()
        key = r.getheader("X-Mlfaas-Revision") if r.status == 200 else "status %d" % r.status
        by[key] = by.get(key, 0) + 1
    print(json.dumps({"requests": count, "percent": {k: round(100.0 * v / count, 2) for k, v in sorted(by.items())}}))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "latency":
        latency(sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
    elif len(sys.argv) == 8 and sys.argv[1] == "queue-kill":
        latency(sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), sys.argv[6], int(sys.argv[7]))
    elif len(sys.argv) == 5 and sys.argv[1] == "split":
        split(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
