#!/usr/bin/env python3
"""`mlfaas up --runtime podman`: replicas are containers of the function's image.

Needs the image scripts/image.sh built (localhost/mlfaas:0.1.0, the ctest fixture container_image).
Checks, with real podman:
  1. a Knative Service and an OpenFaaS stack.yml function naming that image are deployed, scaled
     from zero by a request, and classify a golden photo through the container;
  2. each replica is a container labelled with the platform's pid, running as a non-root user;
  3. SIGTERM: the platform exits 0 and no container of it is left;
  4. kill -9 of the platform: its orphan guard removes its containers;
  5. a container left by a platform that is gone (owner pid dead) is removed when `up` starts;
  6. a Knative Service with an image and no command runs its image's CMD; the same file is refused
     with process replicas (it has nothing to run as a process);
  7. runAsNonRoot: allowed for the image's numeric non-root USER, refused at deploy for an image
     that runs as root or that podman does not have.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

IMAGE = os.environ.get("MLFAAS_IMAGE", "localhost/mlfaas:0.1.0")
BASE_IMAGE = "localhost/mlfaas-base:bookworm"  # scripts/image.sh's Debian base: no USER, runs as root

KNATIVE = f"""apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: classifier
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/min-scale: "0"
        autoscaling.knative.dev/initial-scale: "0"   # no replica until the first request
        autoscaling.knative.dev/max-scale: "1"
    spec:
      containerConcurrency: 8
      containers:
        - image: {IMAGE}
          command: ["mlfaas", "serve"]
          env:
            - name: MLFAAS_CPUS
              value: "1"
          readinessProbe:
            httpGet:
              path: /readyz
          resources:
            limits:
              memory: 512Mi
          securityContext:
            runAsUser: 10001
            runAsGroup: 10001
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
"""

# A plain Knative Service, as one writes it for a cluster: an image, no command (its CMD runs).
PLAIN = f"""apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: plain
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/initial-scale: "0"
    spec:
      containers:
        - image: {IMAGE}
          securityContext:
            runAsNonRoot: true   # the image's USER is 10001: allowed
"""

# runAsNonRoot on an image that runs as root (the base has no USER), and on one podman lacks.
def as_non_root(name, image, run_as_user=None):
    return f"""apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: {name}
spec:
  template:
    spec:
      containers:
        - image: {image}
          securityContext:
            runAsNonRoot: true
""" + (f"            runAsUser: {run_as_user}\n" if run_as_user is not None else "")

OPENFAAS = f"""version: 1.0
provider:
  name: openfaas
functions:
  of-classifier:
    image: {IMAGE}
    # Only the process runtime reads it (faas-cli ignores it): a container runs its image's CMD.
    command: ["mlfaas", "serve"]
    labels:
      com.openfaas.scale.min: "1"
      com.openfaas.scale.max: "1"
"""


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def podman(*args):
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=False)


def containers_of(owner):
    out = podman("ps", "--all", "--filter", f"label=io.mlfaas.owner={owner}", "--format", "{{.Names}}").stdout
    return [n for n in out.split() if n]


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.1)
    fail(f"timed out after {timeout} s waiting for {what}")


def http(method, url, body=None, headers=None, timeout=60):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Platform:
    def __init__(self, mlfaas, specs, log_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(
            [mlfaas, "up", "--runtime", "podman", "--specs", specs, "--ephemeral", "--nats", "none", "--no-auth",
             "--port", str(self.port), "--access-log", "off", "--stop-grace-ms", "15000"],
            stdout=self.log, stderr=subprocess.STDOUT)

        def healthy():
            if self.proc.poll() is not None:
                fail(f"mlfaas up exited with {self.proc.returncode}: {open(log_path).read()[-2000:]}")
            try:
                return http("GET", self.url + "/healthz", timeout=1)[0] == 200
            except OSError:
                return False
        wait_for(healthy, 30, "the gateway")


def classify_dog(url, photo):
    status, body = http("POST", url, open(photo, "rb").read(), {"Content-Type": "image/jpeg"}, timeout=120)
    if status != 200:
        fail(f"POST {url}: {status} {body[:300]!r}")
    top = json.loads(body)["predictions"][0]["label"]
    if not top.startswith("malamute"):
        fail(f"POST {url}: top-1 {top!r}, golden says malamute")
    return top


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlfaas", required=True)
    ap.add_argument("--source-dir", required=True)
    a = ap.parse_args()
    # The same podman settings scripts/image.sh built the image with (scripts/podman-env.sh).
    env = subprocess.run(["bash", "-c", 'source "$1" && env -0', "sh", os.path.join(a.source_dir, "scripts/podman-env.sh")],
                         capture_output=True, check=True).stdout
    os.environ.update(kv.split("=", 1) for kv in env.decode().split("\0") if "=" in kv)
    print(f"podman storage: {os.environ.get('MLFAAS_PODMAN_STORAGE', 'the host default')}")
    if podman("image", "exists", IMAGE).returncode != 0:
        fail(f"no image {IMAGE}: run scripts/image.sh first")
    photo = os.path.join(a.source_dir, ".cache/photos/dog.jpg")
    if not os.path.exists(photo):
        subprocess.run([os.path.join(a.source_dir, "scripts/fetch-test-photos.sh")], check=True)

    tmp = tempfile.mkdtemp(prefix="mlfaas-container-test-")
    specs = os.path.join(tmp, "specs")
    os.mkdir(specs)
    open(os.path.join(specs, "classifier.yaml"), "w").write(KNATIVE)
    open(os.path.join(specs, "stack.yml"), "w").write(OPENFAAS)
    open(os.path.join(specs, "plain.yaml"), "w").write(PLAIN)

    # 5 first: a leftover of a platform that is gone (pid 4194303 is above any pid_max default).
    stale = "mlfaas-4194303-classifier-1"
    podman("rm", "--force", "--time", "0", stale)
    r = podman("run", "-d", "--name", stale, "--label", "io.mlfaas.owner=4194303", "--network", "host",
               IMAGE, "sleep", "600")
    if r.returncode != 0:
        fail(f"podman run: {r.stderr}")

    # 1-3
    p = Platform(a.mlfaas, specs, os.path.join(tmp, "up1.log"))
    early = [n for n in containers_of(p.proc.pid) if n.endswith(tuple(f"-classifier-{i}" for i in range(9)))
             and "-of-classifier-" not in n]
    if early:
        fail(f"initial-scale 0, yet a classifier container before any request: {early}")
    t0 = time.time()
    top = classify_dog(p.url + "/function/classifier/", photo)
    print(f"knative spec: scaled from zero (a container started) and answered {top!r} in {time.time() - t0:.2f} s")
    classify_dog(p.url + "/function/of-classifier/", photo)
    print("openfaas spec: answered through its container (the image's CMD)")
    classify_dog(p.url + "/function/plain/", photo)
    print("knative spec with an image and no command: answered through its container (the image's CMD)")
    if podman("container", "exists", stale).returncode == 0:
        fail("the container of a platform that is gone was not removed at start")
    names = containers_of(p.proc.pid)
    if len(names) != 3:
        fail(f"expected 3 containers labelled io.mlfaas.owner={p.proc.pid}, got {names}")
    for n in names:
        uid = podman("exec", n, "id", "-u").stdout.strip()
        if uid in ("", "0"):
            fail(f"container {n} runs as uid {uid!r}")
    print(f"containers {names}: non-root")
    # The Knative container's limits and securityContext, as the kubelet would apply them.
    kn = next(n for n in names if "-classifier-" in n and "-of-classifier-" not in n)
    got = podman("inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.ReadonlyRootfs}} {{.Config.User}} "
                 "{{.HostConfig.SecurityOpt}} {{.HostConfig.CapDrop}}", kn).stdout.split(" ", 4)
    if got[:3] != ["536870912", "true", "10001:10001"] or "no-new-privileges" not in got[3]:
        fail(f"{kn}: memory, read-only root, user, security options: {got}")
    if "CAP_NET_RAW" not in got[4] and "CAP_CHOWN" not in got[4]:
        fail(f"{kn}: capabilities not dropped: {got[4]}")
    print(f"{kn}: memory limit 512Mi, read-only root, user 10001:10001, no-new-privileges, capabilities dropped")
    # runAsNonRoot, checked as the kubelet does, but at deploy: 400 naming the reason.
    for name, image, user, needle in [("rooted", BASE_IMAGE, None, "will run as root"),
                                      ("missing", "localhost/mlfaas-nope:0", None, "podman has no image"),
                                      ("uid-zero", IMAGE, 0, "runAsUser 0 breaks its runAsNonRoot")]:
        status, body = http("POST", p.url + "/system/functions", as_non_root(name, image, user).encode(),
                            {"Content-Type": "application/yaml"})
        if status != 400 or needle not in body.decode():
            fail(f"runAsNonRoot with {image}: {status} {body[:300]!r}")
    print("runAsNonRoot: allowed for the image's USER 10001; refused (400) for a root image, a missing one and runAsUser 0")
    p.proc.send_signal(signal.SIGTERM)
    if p.proc.wait(timeout=60) != 0:
        fail(f"mlfaas up exited {p.proc.returncode} after SIGTERM")
    left = containers_of(p.proc.pid)
    if left:
        fail(f"containers left after SIGTERM: {left}")
    print("SIGTERM: exit 0, no container left")

    # 4
    p = Platform(a.mlfaas, specs, os.path.join(tmp, "up2.log"))
    classify_dog(p.url + "/function/classifier/", photo)
    owner = p.proc.pid
    if not containers_of(owner):
        fail("no container after a request")
    p.proc.kill()  # SIGKILL to the platform only; its orphan guard lives on to clean up
    p.proc.wait()
    wait_for(lambda: not containers_of(owner), 30, f"the orphan guard to remove {containers_of(owner)}")
    print("kill -9: the orphan guard removed the platform's containers")

    # 6, the other half: process replicas cannot run an image-only spec, and say so.
    plain = os.path.join(tmp, "plain.yaml")
    open(plain, "w").write(PLAIN)
    r = subprocess.run([a.mlfaas, "up", "--specs", plain, "--ephemeral", "--nats", "none", "--no-auth", "--port",
                        str(free_port())], capture_output=True, text=True, timeout=30)
    if r.returncode != 2 or "command: is required to run the function as a process" not in r.stderr + r.stdout:
        fail(f"process replicas and an image-only spec: exit {r.returncode}, {(r.stderr + r.stdout)[-500:]}")
    print("process runtime: the image-only spec is refused, naming the field")
    print("PASS")


if __name__ == "__main__":
    main()
