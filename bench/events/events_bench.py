#!/usr/bin/env python3
"""Broker delivery latency through `mlfaas up` (docs/benchmarks.md).

  events_bench.py latency GATEWAY RATE COUNT
      Starts a receiver, creates (through the API) a trigger on broker default/default delivering to
      it, sends COUNT events at RATE/s (open loop, binary mode) and prints p50/p90/p99/max of
      ingress (the 202) and of delivery (sent -> received by the subscriber), and lost events.
"""
import http.client, http.server, json, sys, threading, time, urllib.parse


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100.0 * len(s)))] if s else float("nan")


def main(gateway, rate, count):
    got, lock = {}, threading.Lock()

    class Receiver(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                got.setdefault(self.headers.get("ce-id"), time.monotonic())
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    u = urllib.parse.urlparse(gateway)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    trigger = ("apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: bench\nspec:\n  broker: default\n"
               "  subscriber:\n    uri: http://127.0.0.1:%d/\n" % srv.server_address[1])
    conn.request("PUT", "/system/functions", body=trigger, headers={"Content-Type": "application/yaml"})
    r = conn.getresponse()
    r.read()
    assert r.status == 202, r.status
    time.sleep(0.5)
    sent, ingress = {}, []
    start = time.monotonic()
    for i in range(count):
        due = start + i / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        eid = "bench-%d-%d" % (int(start), i)
        t0 = time.monotonic()
        conn.request("POST", "/default/default", body=b'{"n":1}',
                     headers={"ce-specversion": "1.0", "ce-id": eid, "ce-type": "bench", "ce-source": "bench",
                              "Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        t1 = time.monotonic()
        if r.status != 202:
            print("ingress answered", r.status, file=sys.stderr)
            continue
        sent[eid] = t0
        ingress.append((t1 - t0) * 1000)
    offered = count / (time.monotonic() - start)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with lock:
            if all(k in got for k in sent):
                break
        time.sleep(0.05)
    with lock:
        lat = [(got[k] - t) * 1000 for k, t in sent.items() if k in got]
    print(json.dumps({
        "events": count, "offered_per_s": round(offered, 1), "accepted": len(sent), "lost": len(sent) - len(lat),
        "ingress_ms": {p: round(pct(ingress, p), 2) for p in (50, 90, 99)} | {"max": round(max(ingress), 2)},
        "delivery_ms": {p: round(pct(lat, p), 2) for p in (50, 90, 99)} | {"max": round(max(lat), 2)},
    }))
    conn.request("DELETE", "/system/eventing/Trigger/default/bench")
    conn.getresponse().read()
    srv.shutdown()


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "latency":
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
