#!/usr/bin/env python3
"""Offline checks of the Kubernetes manifests in deploy/kubernetes.

1. Every directory with a kustomization.yaml is built with `kubectl kustomize` by each kubectl
   found: the one on PATH (kubectl 1.32: kustomize v5) and Debian 12's kubernetes-client (kubectl
   1.20: kustomize v2.0.3, unpacked into .cache/kubectl by scripts/fetch-kubectl.sh). Each build
   must succeed, and all kubectls must produce the same objects.
2. Every object whose kind has a CRD in ../shared/k8s is validated against that CRD version's
   openAPIV3Schema (jsonschema Draft 4); built-in kinds need apiVersion, kind and metadata.name; any
   other kind is an error (so a misspelt kind cannot pass unchecked). Objects of namespaced kinds
   built by an overlay (a kustomization with `namespace:`) must carry a namespace.
3. Invariants: every container runs as non-root (uid 10001, the image's), read-only root
   filesystem, no privilege escalation, all capabilities dropped, and has readiness and liveness
   probes; containers running `mlfaas serve` probe readiness and liveness routes of serve, request
   as much CPU as their limit and set MLFAAS_CPUS to it. Resource files name the image only by the
   placeholder `mlfaas`; an overlay's output has no placeholder left, one tagged image (not
   `latest`), the one its `images:` names. Autoscaling targets fit the concurrency limits.
4. deploy/kubernetes/openfaas/stack.yml is checked against faas-cli's stack structs (parsed from
   ../shared/k8s/faas-cli-stack-schema.go: key names and types, unknown keys refused but the
   documented mlfaas extension `command`), faas-cli's own checks (provider.name openfaas, version
   1.0), com.openfaas.scale.* labels, and must agree with the Function the openfaas overlay builds.
5. `mlfaas up --specs` (MLFAAS_BIN) accepts the Knative Service file, stack.yml and the knative and
   knative-eventing overlays' output (the latter with a private nats-server): the platform comes up
   and lists the functions (and brokers, triggers, sources) with the files' settings, no warnings.

--negative-controls breaks copies of the manifests in known ways and checks that each is caught.

Exit 0: passed; 1: failed; 77: skipped (no kubectl, no python3-yaml/jsonschema), or passed with a
part skipped (Debian's kubectl not downloadable, no mlfaas binary, no nats-server), which is named.
"""
import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

try:
    import jsonschema
    import yaml
except ImportError as e:
    print(f"SKIP: {e} (apt install python3-yaml python3-jsonschema)")
    sys.exit(77)

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PLACEHOLDER = "mlfaas"  # the image name every resource file uses; overlays replace it
IMAGE_UID = 10001  # Containerfile: USER 10001:10001
READY_PATHS = {"/readyz", "/_/ready", "/v2/health/ready"}  # mlfaas serve's readiness routes
LIVE_PATHS = {"/healthz", "/_/health", "/v2/health/live"}  # ... and liveness routes
# Kinds without a CRD in ../shared/k8s that may appear: checked for apiVersion, kind, metadata.name.
BUILTIN = {
    ("v1", "Namespace"), ("v1", "Service"), ("v1", "ConfigMap"), ("v1", "Secret"),
    ("v1", "ServiceAccount"), ("v1", "Pod"), ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"), ("batch/v1", "Job"), ("batch/v1", "CronJob"),
    ("policy/v1", "PodDisruptionBudget"), ("networking.k8s.io/v1", "NetworkPolicy"),
    ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"), ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
}
CLUSTER_SCOPED_BUILTIN = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
# What `mlfaas up --specs` accepts besides OpenFaaS stack files (src/platform/specs.cpp).
UP_KINDS = {("serving.knative.dev/v1", "Service"), ("eventing.knative.dev/v1", "Broker"),
            ("eventing.knative.dev/v1", "Trigger"), ("sources.knative.dev/v1", "SinkBinding"),
            ("sources.knative.dev/v1", "PingSource")}
# stack.yml keys faas-cli ignores but mlfaas up reads (docs/api.md "Function specs"), by struct.
STACK_EXTENSIONS = {"Function": {"command"}}
DNS1035 = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def log(msg):
    print(msg, flush=True)


class Report:
    def __init__(self, quiet=False):
        self.errors = []
        self.skipped = []
        self.quiet = quiet

    def error(self, where, msg):
        self.errors.append(f"{where}: {msg}")
        if not self.quiet:
            log(f"FAIL {where}: {msg}")

    def skip(self, what):
        self.skipped.append(what)
        if not self.quiet:
            log(f"SKIP {what}")

    def note(self, msg):
        if not self.quiet:
            log(msg)


# ---------------------------------------------------------------- kubectl and kustomize

def find_kubectls(source_dir, rep, fetch=True):
    """[(label, path)]: the PATH kubectl and Debian's (fetched into .cache/kubectl)."""
    found = []
    k = shutil.which("kubectl")
    if k:
        found.append(k)
    if fetch:
        script = os.path.join(source_dir, "scripts", "fetch-kubectl.sh")
        r = subprocess.run([script], capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip():
            found.append(r.stdout.strip().splitlines()[-1])
        elif r.returncode == 77:
            rep.skip(f"Debian's kubectl (kustomize v2.0.3): {r.stderr.strip()}")
        else:
            rep.error("scripts/fetch-kubectl.sh", f"exit {r.returncode}: {r.stderr.strip()}")
    out, seen = [], set()
    for path in found:
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        out.append((kubectl_label(path), path))
    return out


def kubectl_label(path):
    r = subprocess.run([path, "version", "--client"], capture_output=True, text=True)
    text = r.stdout + r.stderr
    m = re.search(r'GitVersion:"(v[^"]+)"', text) or re.search(r"Client Version: (v\S+)", text)
    label = f"kubectl {m.group(1) if m else '?'}"
    k = re.search(r"Kustomize Version: (\S+)", text)
    if k:
        label += f" (kustomize {k.group(1)})"
    elif m and m.group(1).startswith("v1.20."):
        label += " (kustomize v2.0.3)"
    return label


def is_overlay(rel):
    """Directories under base/ are shared pieces; every other kustomization is applied as is."""
    return rel != "base" and not rel.startswith("base" + os.sep)


def kustomize_dirs(kroot):
    out = []
    for d, _, files in os.walk(kroot):
        if any(f in files for f in ("kustomization.yaml", "kustomization.yml", "Kustomization")):
            out.append(d)
    return sorted(out)


def read_kustomization(d):
    for f in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        p = os.path.join(d, f)
        if os.path.exists(p):
            with open(p) as fh:
                return yaml.load(fh, Loader=Loader) or {}
    return {}


def build(kubectl, d):
    r = subprocess.run([kubectl, "kustomize", d], capture_output=True, text=True)
    docs = []
    if r.returncode == 0:
        docs = [x for x in yaml.load_all(r.stdout, Loader=Loader) if x is not None]
    return r.returncode, docs, r.stdout, r.stderr


# ---------------------------------------------------------------- schemas

class Schemas:
    def __init__(self, k8s_dir):
        self.by_version = {}  # ("group/version", kind) -> (validator, scope, file)
        self.kinds = {}  # kind -> [apiVersion]
        for name in sorted(os.listdir(k8s_dir)):
            if "-crd-" not in name or not name.endswith(".yaml"):
                continue
            with open(os.path.join(k8s_dir, name)) as fh:
                crd = yaml.load(fh, Loader=Loader)
            if crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind, scope = crd["spec"]["group"], crd["spec"]["names"]["kind"], crd["spec"].get("scope", "Namespaced")
            for v in crd["spec"]["versions"]:
                schema = (v.get("schema") or {}).get("openAPIV3Schema")
                if not schema:
                    continue
                api = f"{group}/{v['name']}"
                self.by_version[(api, kind)] = (jsonschema.Draft4Validator(schema), scope, name)
                self.kinds.setdefault(kind, []).append(api)
        if not self.by_version:
            raise SystemExit(f"no CRD schemas in {k8s_dir}")


def check_object(obj, where, schemas, rep, want_namespace):
    if not isinstance(obj, dict):
        rep.error(where, "not a mapping")
        return
    api, kind = obj.get("apiVersion"), obj.get("kind")
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    name = meta.get("name")
    for field, v in (("apiVersion", api), ("kind", kind), ("metadata.name", name)):
        if not isinstance(v, str) or not v:
            rep.error(where, f"{field} missing or not a string")
    if not isinstance(api, str) or not isinstance(kind, str):
        return
    where = f"{where}: {kind} {name}"
    if isinstance(name, str):
        if (api, kind) == ("serving.knative.dev/v1", "Service") and not DNS1035.match(name):
            rep.error(where, f"metadata.name {name!r} is not a DNS-1035 label (Knative, mlfaas up)")
        elif not api.startswith("rbac.") and not DNS1123_SUBDOMAIN.match(name):
            rep.error(where, f"metadata.name {name!r} is not a DNS subdomain name")
    if (api, kind) in schemas.by_version:
        validator, scope, crd_file = schemas.by_version[(api, kind)]
        for err in sorted(validator.iter_errors(obj), key=lambda e: list(e.path)):
            path = ".".join(str(p) for p in err.path) or "(top)"
            rep.error(where, f"schema ({crd_file}) at {path}: {err.message}")
        namespaced = scope == "Namespaced"
    elif (api, kind) in BUILTIN:
        namespaced = kind not in CLUSTER_SCOPED_BUILTIN
    elif kind in schemas.kinds:
        rep.error(where, f"apiVersion {api} is not served by the {kind} CRD (it has {', '.join(schemas.kinds[kind])})")
        return
    else:
        rep.error(where, f"{api}/{kind} has no CRD in ../shared/k8s and is not a known built-in kind")
        return
    if want_namespace and namespaced and not meta.get("namespace"):
        rep.error(where, "no metadata.namespace (the overlay's `namespace:` did not reach it)")
    if not namespaced and meta.get("namespace"):
        rep.error(where, f"cluster-scoped but has metadata.namespace {meta.get('namespace')!r}")


# ---------------------------------------------------------------- invariants

def containers_of(node, path=""):
    """(path, container) for every item of a `containers`/`initContainers` list, at any depth (as
    kustomize's image transformer finds them)."""
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{path}.{k}" if path else k
            if k in ("containers", "initContainers") and isinstance(v, list):
                for i, c in enumerate(v):
                    if isinstance(c, dict):
                        yield f"{p}[{i}]", c
            else:
                yield from containers_of(v, p)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from containers_of(v, f"{path}[{i}]")


def cpu_cores(q):
    if q is None:
        return None
    s = str(q)
    try:
        return float(s[:-1]) / 1000 if s.endswith("m") else float(s)
    except ValueError:
        return None


def runs_serve(c):
    cmd = list(c.get("command") or []) + list(c.get("args") or [])
    return len(cmd) >= 2 and os.path.basename(str(cmd[0])) == "mlfaas" and cmd[1] == "serve"


def check_cpus_env(where, env_value, env_from, limits, requests, rep):
    """MLFAAS_CPUS = ceil(limits.cpu), requests.cpu = limits.cpu (workers = guaranteed cores)."""
    lim, req = cpu_cores((limits or {}).get("cpu")), cpu_cores((requests or {}).get("cpu"))
    if lim is None:
        rep.error(where, "no limits.cpu: serve sizes its workers from the CPU limit")
        return
    if req is not None and req != lim:
        rep.error(where, f"requests.cpu {req} != limits.cpu {lim}: a replica's workers need guaranteed cores")
    if env_from is not None:
        ref = (env_from or {}).get("resourceFieldRef") or {}
        if ref.get("resource") != "limits.cpu":
            rep.error(where, f"MLFAAS_CPUS valueFrom must be resourceFieldRef limits.cpu, is {env_from}")
    elif env_value is None:
        rep.error(where, "no MLFAAS_CPUS (set it to limits.cpu)")
    elif str(env_value) != str(math.ceil(lim)):
        rep.error(where, f"MLFAAS_CPUS {env_value!r} != limits.cpu {lim} rounded up")


def check_container(where, c, rep):
    sc = c.get("securityContext") or {}
    if sc.get("runAsNonRoot") is not True:
        rep.error(where, "securityContext.runAsNonRoot is not true")
    if sc.get("runAsUser") != IMAGE_UID:
        rep.error(where, f"securityContext.runAsUser is {sc.get('runAsUser')!r}, not the image's {IMAGE_UID}")
    if sc.get("readOnlyRootFilesystem") is not True:
        rep.error(where, "securityContext.readOnlyRootFilesystem is not true")
    if sc.get("allowPrivilegeEscalation") is not False:
        rep.error(where, "securityContext.allowPrivilegeEscalation is not false")
    if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
        rep.error(where, "securityContext.capabilities.drop lacks ALL")
    if sc.get("privileged"):
        rep.error(where, "privileged")
    for probe in ("readinessProbe", "livenessProbe"):
        if not isinstance(c.get(probe), dict):
            rep.error(where, f"no {probe}")
    if runs_serve(c):
        ready = ((c.get("readinessProbe") or {}).get("httpGet") or {}).get("path")
        live = ((c.get("livenessProbe") or {}).get("httpGet") or {}).get("path")
        if ready not in READY_PATHS:
            rep.error(where, f"readinessProbe path {ready!r} is not one of serve's readiness routes {sorted(READY_PATHS)}")
        if live not in LIVE_PATHS:
            rep.error(where, f"livenessProbe path {live!r} is not one of serve's liveness routes {sorted(LIVE_PATHS)}")
        env = {e.get("name"): e for e in c.get("env") or [] if isinstance(e, dict)}
        cpus = env.get("MLFAAS_CPUS") or {}
        res = c.get("resources") or {}
        check_cpus_env(where, cpus.get("value"), cpus.get("valueFrom"), res.get("limits"), res.get("requests"), rep)
    cmd = c.get("command")
    if cmd is not None and (not cmd or os.path.basename(str(cmd[0])) != "mlfaas"):
        rep.error(where, f"command {cmd} does not start with mlfaas (the image's binary)")


def images_in(obj):
    """(path, image) of every container image and of an OpenFaaS Function's spec.image."""
    out = [(f"{p}.image", c.get("image")) for p, c in containers_of(obj)]
    if obj.get("kind") == "Function" and str(obj.get("apiVersion", "")).startswith("openfaas.com/"):
        out.append(("spec.image", (obj.get("spec") or {}).get("image")))
    return out


def expected_image(kust):
    for e in kust.get("images") or []:
        if isinstance(e, dict) and e.get("name") == PLACEHOLDER:
            name = e.get("newName") or PLACEHOLDER
            if e.get("digest"):
                return f"{name}@{e['digest']}"
            if e.get("newTag"):
                return f"{name}:{e['newTag']}"
            return name
    return None


def tagged(image):
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and not last.endswith(":latest")


def scale_annotations(obj):
    ann = ((((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("annotations")) or {}
    return {k.split("/", 1)[1]: v for k, v in ann.items() if k.startswith("autoscaling.knative.dev/")}


def check_kind_specific(obj, where, rep):
    api, kind, spec = obj.get("apiVersion"), obj.get("kind"), obj.get("spec") or {}
    if (api, kind) == ("serving.knative.dev/v1", "Service"):
        ps = (spec.get("template") or {}).get("spec") or {}
        ann = scale_annotations(obj)
        cc = ps.get("containerConcurrency") or 0
        target = ann.get("target")
        if target is not None and cc and float(target) > cc:
            rep.error(where, f"autoscaling target {target} above containerConcurrency {cc}: never reached")
        lo, hi = ann.get("min-scale"), ann.get("max-scale")
        if lo is not None and hi is not None and int(hi) > 0 and int(lo) > int(hi):
            rep.error(where, f"min-scale {lo} above max-scale {hi}")
        if "timeoutSeconds" not in ps:
            rep.error(where, "no spec.template.spec.timeoutSeconds")
        cs = ps.get("containers") or []
        if len(cs) != 1:
            rep.error(where, f"{len(cs)} containers; mlfaas up (and Knative without multi-container) need one")
        for c in cs:
            if not c.get("command"):
                rep.error(where, "no command: mlfaas up runs the command, not the image")
    elif (api, kind) == ("serving.kserve.io/v1beta1", "InferenceService"):
        p = spec.get("predictor") or {}
        cc, target = p.get("containerConcurrency") or 0, p.get("scaleTarget")
        if target is not None and cc and target > cc:
            rep.error(where, f"predictor.scaleTarget {target} above containerConcurrency {cc}")
        if p.get("minReplicas") is not None and p.get("maxReplicas") and p["minReplicas"] > p["maxReplicas"]:
            rep.error(where, "predictor.minReplicas above maxReplicas")
        if not p.get("containers"):
            rep.error(where, "no predictor.containers (the custom V2 container)")
    elif kind == "Function" and str(api).startswith("openfaas.com/"):
        if spec.get("name") != (obj.get("metadata") or {}).get("name"):
            rep.error(where, "spec.name differs from metadata.name")
        if spec.get("readOnlyRootFilesystem") is not True:
            rep.error(where, "spec.readOnlyRootFilesystem is not true")
        check_openfaas_function(where, spec.get("labels"), spec.get("annotations"), spec.get("environment"),
                                spec.get("requests"), spec.get("limits"), rep)


def check_openfaas_function(where, labels, annotations, environment, requests, limits, rep):
    labels, annotations, environment = labels or {}, annotations or {}, environment or {}
    nums = {}
    for k in ("min", "max", "factor"):
        v = labels.get(f"com.openfaas.scale.{k}")
        if v is None:
            rep.error(where, f"no label com.openfaas.scale.{k}")
        elif not isinstance(v, str) or not v.isdigit():
            rep.error(where, f"label com.openfaas.scale.{k} {v!r} is not a quoted whole number")
        else:
            nums[k] = int(v)
    if "min" in nums and "max" in nums and not 1 <= nums["min"] <= nums["max"]:
        rep.error(where, f"com.openfaas.scale.min {nums['min']} / max {nums['max']}: need 1 <= min <= max")
    if "factor" in nums and not 0 <= nums["factor"] <= 100:
        rep.error(where, f"com.openfaas.scale.factor {nums['factor']} is not a percentage")
    if annotations.get("com.openfaas.health.http.path") not in LIVE_PATHS:
        rep.error(where, f"annotation com.openfaas.health.http.path is not one of {sorted(LIVE_PATHS)}")
    if annotations.get("com.openfaas.ready.http.path") not in READY_PATHS:
        rep.error(where, f"annotation com.openfaas.ready.http.path is not one of {sorted(READY_PATHS)}")
    for k, v in list(labels.items()) + list(annotations.items()) + list(environment.items()):
        if not isinstance(v, str):
            rep.error(where, f"{k}: {v!r} is not a string (quote it)")
    check_cpus_env(where, environment.get("MLFAAS_CPUS"), None, limits, requests, rep)


def source_images(d, rel, kust, rep):
    """Resource files (not patches) must name the image only by the placeholder."""
    for f in kust.get("resources") or []:
        p = os.path.join(d, f)
        if os.path.isdir(p):
            continue  # a base (kustomize v3+ style); checked as its own directory
        try:
            with open(p) as fh:
                docs = [x for x in yaml.load_all(fh, Loader=Loader) if isinstance(x, dict)]
        except OSError:
            continue  # kubectl reports the missing file
        for obj in docs:
            for path, image in images_in(obj):
                if image != PLACEHOLDER:
                    rep.error(f"{os.path.join(rel, f)}: {obj.get('kind')} {(obj.get('metadata') or {}).get('name')}",
                              f"{path} is {image!r}; resource files use the placeholder {PLACEHOLDER!r} "
                              f"and the overlay's `images:` picks repository and tag")


# ---------------------------------------------------------------- stack.yml

def parse_go_structs(path):
    """{struct: {yaml key: Go type}} from faas-cli's stack/schema.go."""
    with open(path) as fh:
        src = fh.read()
    structs = {}
    for m in re.finditer(r"^type (\w+) struct \{\n(.*?)^\}", src, re.S | re.M):
        fields = {}
        for line in m.group(2).splitlines():
            f = re.match(r'^\s*(\w+)\s+(\S+)\s+`yaml:"([^"]*)"`', line)
            if not f:
                continue
            key = f.group(3).split(",")[0]
            if key == "-":
                continue
            fields[key or f.group(1).lower()] = f.group(2)
        structs[m.group(1)] = fields
    return structs


def check_go_type(value, gotype, where, structs, rep, extensions):
    gotype = gotype.lstrip("*")
    if value is None:
        return
    if gotype == "string":
        if not isinstance(value, str):
            rep.error(where, f"{value!r} is not a string")
    elif gotype == "bool":
        if not isinstance(value, bool):
            rep.error(where, f"{value!r} is not true/false")
    elif gotype.startswith("[]"):
        if not isinstance(value, list):
            rep.error(where, "expected a list")
        else:
            for i, v in enumerate(value):
                check_go_type(v, gotype[2:], f"{where}[{i}]", structs, rep, extensions)
    elif gotype.startswith("map[string]"):
        if not isinstance(value, dict):
            rep.error(where, "expected a mapping")
        else:
            for k, v in value.items():
                if not isinstance(k, str):
                    rep.error(where, f"key {k!r} is not a string")
                check_go_type(v, gotype[len("map[string]"):], f"{where}.{k}", structs, rep, extensions)
    elif gotype in structs:
        if not isinstance(value, dict):
            rep.error(where, f"expected a mapping ({gotype})")
            return
        for k, v in value.items():
            if k in structs[gotype]:
                check_go_type(v, structs[gotype][k], f"{where}.{k}", structs, rep, extensions)
            elif k not in extensions.get(gotype, ()):
                rep.error(where, f"unknown key {k!r} (faas-cli's {gotype} has {', '.join(sorted(structs[gotype]))})")
    else:
        rep.error(where, f"cannot check Go type {gotype}")


def check_stack(path, where, structs, rep):
    for s in ("Services", "Function", "Provider", "FunctionResources"):
        if s not in structs:
            rep.error("faas-cli-stack-schema.go", f"struct {s} not found: the schema file changed")
            return None
    with open(path) as fh:
        doc = yaml.load(fh, Loader=Loader)
    if not isinstance(doc, dict):
        rep.error(where, "not a mapping")
        return None
    version = doc.get("version")
    if isinstance(version, (int, float)) and not isinstance(version, bool):
        doc = dict(doc, version=repr(float(version)))  # `version: 1.0` is the string "1.0" to Go's yaml
    check_go_type(doc, "Services", where, structs, rep, STACK_EXTENSIONS)
    if (doc.get("provider") or {}).get("name") != "openfaas":
        rep.error(where, "provider.name must be openfaas (faas-cli refuses anything else)")
    if doc.get("version") not in (None, "1.0"):
        rep.error(where, f"version {doc.get('version')!r}: faas-cli accepts only 1.0")
    fns = doc.get("functions")
    if not isinstance(fns, dict) or not fns:
        rep.error(where, "no functions")
        return None
    for name, fn in fns.items():
        w = f"{where}: function {name}"
        if not DNS1035.match(str(name)):
            rep.error(w, "the name must be a DNS-1035 label")
        if not isinstance(fn, dict):
            continue
        if not fn.get("image"):
            rep.error(w, "no image")
        elif not tagged(fn["image"]):
            rep.error(w, f"image {fn['image']!r} has no tag (or is latest)")
        if not fn.get("lang") and not fn.get("skip_build"):
            rep.error(w, "neither lang nor skip_build: faas-cli up would try to build it")
        if fn.get("readonly_root_filesystem") is not True:
            rep.error(w, "readonly_root_filesystem is not true")
        check_openfaas_function(w, fn.get("labels"), fn.get("annotations"), fn.get("environment"),
                                fn.get("requests"), fn.get("limits"), rep)
    return doc


def compare_stack_with_function(stack, where, functions, rep):
    """stack.yml and the openfaas overlay's Function objects describe the same functions."""
    by_name = {f["spec"].get("name"): f for f in functions if isinstance(f.get("spec"), dict)}
    for name, fn in (stack.get("functions") or {}).items():
        cr = by_name.get(name)
        if cr is None:
            rep.error(where, f"function {name} has no Function object in the openfaas overlay")
            continue
        spec = cr["spec"]
        pairs = [("image", fn.get("image"), spec.get("image")),
                 ("namespace", fn.get("namespace"), cr["metadata"].get("namespace")),
                 ("labels", fn.get("labels"), spec.get("labels")),
                 ("annotations", fn.get("annotations"), spec.get("annotations")),
                 ("environment", fn.get("environment"), spec.get("environment")),
                 ("requests", fn.get("requests"), spec.get("requests")),
                 ("limits", fn.get("limits"), spec.get("limits")),
                 ("readonly_root_filesystem", fn.get("readonly_root_filesystem"), spec.get("readOnlyRootFilesystem"))]
        for field, a, b in pairs:
            if a != b:
                rep.error(where, f"function {name}: {field} differs from the Function the openfaas overlay builds: {a!r} vs {b!r}")


# ---------------------------------------------------------------- mlfaas up --specs

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path, timeout=5):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return r.status, r.read()


def run_up(mlfaas, spec, scratch, nats, rep, label):
    """Starts mlfaas up with one spec file; returns {path: JSON} of its /system/* lists, or None."""
    paths = ["/system/functions"] + (["/system/brokers", "/system/triggers", "/system/sources"] if nats else [])
    for attempt in range(3):
        port = free_port()
        state = tempfile.mkdtemp(prefix="up-", dir=scratch)
        cmd = [mlfaas, "up", "--specs", spec, "--ephemeral", "--state-dir", os.path.join(state, "state"),
               "--address", "127.0.0.1", "--port", str(port), "--no-auth", "--access-log", "off",
               "--drain-grace-ms", "1000", "--stop-grace-ms", "3000"]
        if not nats:
            cmd += ["--nats", "none"]
        env = dict(os.environ, XDG_STATE_HOME=os.path.join(state, "xdg"))
        out_path = os.path.join(state, "up.log")
        with open(out_path, "wb") as out:
            # cwd: a scratch directory, so replicas find no model there and cost nothing
            p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=state)
            try:
                up = False
                deadline = time.time() + 30
                while time.time() < deadline and p.poll() is None:
                    try:
                        if http_get(port, "/healthz", 2)[0] == 200:
                            up = True
                            break
                    except (OSError, urllib.error.URLError):
                        pass
                    time.sleep(0.1)
                if up:
                    data = {}
                    for path in paths:
                        status, body = http_get(port, path)
                        data[path] = json.loads(body)
                    return data
            finally:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
                    try:
                        p.wait(20)
                    except subprocess.TimeoutExpired:
                        p.kill()
                        p.wait()
        with open(out_path, errors="replace") as fh:
            text = fh.read()
        if "in use" in text.lower() and attempt < 2:
            continue  # a parallel process took the free port
        rep.error(label, f"mlfaas up --specs {spec} did not come up (exit {p.returncode}):\n{text[-3000:]}")
        return None
    return None


def expected_functions(docs):
    """What /system/functions must show for the Knative Services and stack functions in docs."""
    out = []
    for d in docs:
        if not isinstance(d, dict):
            continue
        if (d.get("apiVersion"), d.get("kind")) == ("serving.knative.dev/v1", "Service"):
            ps = d["spec"]["template"]["spec"]
            lim = ((ps["containers"][0].get("resources") or {}).get("limits") or {}).get("cpu")
            out.append({"name": d["metadata"]["name"], "namespace": d["metadata"].get("namespace", "default"),
                        "format": "knative", "containerConcurrency": ps.get("containerConcurrency", 0),
                        "timeoutSeconds": ps.get("timeoutSeconds"), "cpuLimit": cpu_cores(lim)})
        elif isinstance(d.get("functions"), dict):
            for name, fn in d["functions"].items():
                env = fn.get("environment") or {}
                e = {"name": name, "format": "openfaas-stack", "cpuLimit": cpu_cores((fn.get("limits") or {}).get("cpu"))}
                if fn.get("namespace"):
                    e["namespace"] = fn["namespace"]
                if "max_inflight" in env:
                    e["containerConcurrency"] = int(env["max_inflight"])
                m = re.fullmatch(r"(\d+)s", str(env.get("exec_timeout", "")))
                if m:
                    e["timeoutSeconds"] = int(m.group(1))
                out.append(e)
    return out


def check_up(mlfaas, spec, docs, scratch, nats, rep, label):
    errors_before = len(rep.errors)
    data = run_up(mlfaas, spec, scratch, nats, rep, label)
    if data is None:
        return
    listed = {(f.get("name"), f.get("namespace")): f for f in data["/system/functions"]}
    want = expected_functions(docs)
    for e in want:
        f = next((f for (n, ns), f in listed.items() if n == e["name"] and ns == e.get("namespace", ns)), None)
        if f is None:
            rep.error(label, f"function {e['name']} (namespace {e.get('namespace')}) not listed by /system/functions: {sorted(listed)}")
            continue
        for k, v in e.items():
            if v is not None and f.get(k) != v:
                rep.error(label, f"function {e['name']}: {k} is {f.get(k)!r}, the spec says {v!r}")
        if f.get("warnings"):
            rep.error(label, f"function {e['name']}: mlfaas up warns: {f['warnings']}")
    if len(listed) != len(want):
        rep.error(label, f"{len(listed)} functions listed, {len(want)} in the spec")
    if nats:
        for kind, path, key in (("Broker", "/system/brokers", "name"), ("Trigger", "/system/triggers", "name"),
                                ("SinkBinding", "/system/sources", "name")):
            names = {x.get(key) for x in data[path] if kind != "SinkBinding" or x.get("kind") == "SinkBinding"}
            for d in docs:
                if isinstance(d, dict) and d.get("kind") == kind and d["metadata"]["name"] not in names:
                    rep.error(label, f"{kind} {d['metadata']['name']} not listed by {path}: {data[path]}")
        for d in docs:
            if isinstance(d, dict) and d.get("kind") == "Trigger":
                t = next((t for t in data["/system/triggers"] if t.get("name") == d["metadata"]["name"]), {})
                want_attrs = ((d["spec"].get("filter") or {}).get("attributes")) or {}
                if t and t.get("filterAttributes") != want_attrs:
                    rep.error(label, f"Trigger {t.get('name')}: filter {t.get('filterAttributes')} != {want_attrs}")
            if isinstance(d, dict) and d.get("kind") == "SinkBinding":
                subject = d["spec"]["subject"]["name"]
                f = next((f for (n, _), f in listed.items() if n == subject), {})
                if not (f.get("envVars") or {}).get("K_SINK"):
                    rep.error(label, f"SinkBinding {d['metadata']['name']}: function {subject} got no K_SINK")
    if len(rep.errors) == errors_before:
        rep.note(f"ok   {label}: accepted, {len(listed)} function(s)" + (", eventing objects listed" if nats else ""))


def up_docs(docs):
    """The objects of a built overlay that mlfaas up takes, or None when it has other kinds (but
    Namespace, which a single node does not need)."""
    keep = []
    for d in docs:
        k = (d.get("apiVersion"), d.get("kind"))
        if k in UP_KINDS:
            keep.append(d)
        elif k != ("v1", "Namespace"):
            return None
    return keep


# ---------------------------------------------------------------- the whole tree

def validate(kroot, k8s_dir, kubectls, mlfaas, scratch, rep, with_up=True):
    schemas = Schemas(k8s_dir)
    structs = parse_go_structs(os.path.join(k8s_dir, "faas-cli-stack-schema.go"))
    dirs = kustomize_dirs(kroot)
    if not dirs:
        rep.error(kroot, "no kustomization directories")
    built = {}
    for d in dirs:
        rel = os.path.relpath(d, kroot)
        errors_before = len(rep.errors)
        kust = read_kustomization(d)
        overlay = is_overlay(rel)
        if overlay and not kust.get("namespace"):
            rep.error(rel, "an overlay without `namespace:`")
        source_images(d, rel, kust, rep)
        outputs = []
        for label, kubectl in kubectls:
            rc, docs, _, err = build(kubectl, d)
            if rc != 0:
                err = "\n".join(l for l in err.splitlines() if not l.startswith("# Warning:")).strip()
                rep.error(rel, f"{label}: kubectl kustomize failed: {err[-1500:]}")
                continue
            outputs.append((label, docs))
        if not outputs:
            continue
        first_label, docs = outputs[0]
        for label, other in outputs[1:]:
            if other != docs:
                diff = next(((a.get("kind"), (a.get("metadata") or {}).get("name")) for a, b in zip(docs, other) if a != b),
                            f"{len(docs)} vs {len(other)} objects")
                rep.error(rel, f"{first_label} and {label} build different objects (first difference: {diff})")
        built[rel] = docs
        want_image = expected_image(kust)
        if kust.get("images") and want_image is None:
            rep.error(rel, f"`images:` has no entry for the placeholder {PLACEHOLDER!r}")
        seen_images = set()
        for i, obj in enumerate(docs):
            where = f"{rel} [{i}]"
            check_object(obj, where, schemas, rep, overlay)
            if not isinstance(obj, dict):
                continue
            where = f"{rel}: {obj.get('kind')} {(obj.get('metadata') or {}).get('name')}"
            try:
                for path, c in containers_of(obj):
                    check_container(f"{where} {path}", c, rep)
                check_kind_specific(obj, where, rep)
            except (TypeError, ValueError, AttributeError, KeyError, IndexError) as e:
                rep.error(where, f"a field has an unexpected type or value ({e!r})")
            for path, image in images_in(obj):
                seen_images.add(image)
                if not isinstance(image, str) or not image:
                    rep.error(where, f"{path}: no image")
                elif overlay:
                    if want_image and image != want_image:
                        rep.error(where, f"{path} is {image!r}, not {want_image!r} from the overlay's `images:`")
                    elif image == PLACEHOLDER or not tagged(image):
                        rep.error(where, f"{path} is {image!r}: the placeholder was not replaced by a tagged image")
                elif image != PLACEHOLDER:
                    rep.error(where, f"{path} is {image!r}; a base keeps the placeholder {PLACEHOLDER!r}")
        if overlay and len(seen_images) > 1:
            rep.error(rel, f"several images in one overlay: {sorted(map(str, seen_images))}")
        if len(rep.errors) == errors_before:
            rep.note(f"ok   {rel}: {len(docs)} objects, built by {', '.join(l for l, _ in outputs)}")

    readme = os.path.join(kroot, "README.md")
    if os.path.exists(readme):
        with open(readme) as fh:
            text = fh.read()
        for rel in built:
            if is_overlay(rel) and f"deploy/kubernetes/{rel}" not in text:
                rep.error("deploy/kubernetes/README.md", f"does not mention the overlay {rel}")
    else:
        rep.error(kroot, "no README.md")

    stack_path = os.path.join(kroot, "openfaas", "stack.yml")
    stack = None
    if os.path.exists(stack_path):
        stack = check_stack(stack_path, "openfaas/stack.yml", structs, rep)
        fns = [o for o in built.get("openfaas", []) if isinstance(o, dict) and o.get("kind") == "Function"]
        if stack and fns:
            compare_stack_with_function(stack, "openfaas/stack.yml", fns, rep)
        elif stack:
            rep.error("openfaas/stack.yml", "no Function objects in the openfaas overlay to compare with")
    else:
        rep.error(kroot, "no openfaas/stack.yml")

    if not with_up:
        return
    if not mlfaas:
        rep.skip("mlfaas up --specs checks: no mlfaas binary (MLFAAS_BIN or build/src/cli/mlfaas)")
        return
    runs = []
    ksvc = os.path.join(kroot, "base", "knative-classifier", "service.yaml")
    if os.path.exists(ksvc):
        with open(ksvc) as fh:
            runs.append(("base/knative-classifier/service.yaml", ksvc, [x for x in yaml.load_all(fh, Loader=Loader) if x]))
    else:
        rep.error(kroot, "no base/knative-classifier/service.yaml (the file mlfaas up --specs is documented with)")
    if stack:
        with open(stack_path) as fh:
            runs.append(("openfaas/stack.yml", stack_path, [yaml.load(fh, Loader=Loader)]))
    for rel in ("knative", "knative-eventing"):
        docs = up_docs(built.get(rel, []))
        if docs is None:
            rep.error(rel, "the overlay's output has kinds mlfaas up refuses (only Knative Service, Broker, "
                           "Trigger, SinkBinding, PingSource and Namespace belong in it)")
            continue
        if not docs:
            continue
        p = os.path.join(scratch, f"{rel}.yaml")
        with open(p, "w") as fh:
            yaml.safe_dump_all(docs, fh, sort_keys=False)
        runs.append((f"kubectl kustomize {rel} (without Namespace)", p, docs))
    have_nats = bool(shutil.which("nats-server"))
    for label, path, docs in runs:
        eventing = any(isinstance(d, dict) and d.get("apiVersion", "").startswith(("eventing.", "sources.")) for d in docs)
        if eventing and not have_nats:
            rep.skip(f"mlfaas up with {label}: eventing needs nats-server, not on PATH")
            continue
        check_up(mlfaas, path, docs, scratch, eventing, rep, f"mlfaas up --specs {label}")


# ---------------------------------------------------------------- negative controls

def mutate(path, old, new):
    with open(path) as fh:
        text = fh.read()
    if old not in text:
        raise AssertionError(f"negative control is stale: {old!r} not in {path}")
    with open(path, "w") as fh:
        fh.write(text.replace(old, new, 1))


CLASSIFIER = "base/knative-classifier/service.yaml"
CONTROLS = [
    # (what, file, old text, new text, expected in an error, needs)
    ("a misspelt kind", "knative-eventing/event-display.yaml", "kind: Service", "kind: Servce",
     "no CRD in ../shared/k8s", None),
    ("a wrong type (CRD schema)", CLASSIFIER, "containerConcurrency: 8", "containerConcurrency: eight",
     "containerConcurrency", None),
    ("a wrong type in a PodMonitor", "monitoring/podmonitor.yaml", "portNumber: 8080", "portNumber: http",
     "podMetricsEndpoints.0.portNumber", None),
    ("a missing readiness probe", "kserve/inferenceservice.yaml", "readinessProbe:", "startupProbe:",
     "no readinessProbe", None),
    ("probes swapped", CLASSIFIER, "path: /readyz", "path: /healthz", "readinessProbe path", None),
    ("root allowed", CLASSIFIER, "runAsNonRoot: true", "runAsNonRoot: false", "runAsNonRoot", None),
    ("a writable root filesystem", "knative-eventing/event-display.yaml", "readOnlyRootFilesystem: true",
     "readOnlyRootFilesystem: false", "readOnlyRootFilesystem", None),
    ("an image hard-coded in a resource file", "kserve/inferenceservice.yaml", "image: mlfaas",
     "image: docker.io/library/mlfaas:latest", "placeholder", None),
    ("MLFAAS_CPUS not the CPU limit", CLASSIFIER, 'value: "2"', 'value: "4"', "MLFAAS_CPUS", None),
    ("an overlay without namespace", "kserve/kustomization.yaml", "namespace: mlfaas", "", "no metadata.namespace", None),
    ("a missing resource file", "knative-eventing/kustomization.yaml", "- trigger.yaml", "- triger.yaml",
     "kubectl kustomize failed", None),
    ("a kustomize v5-only field", "knative/kustomization.yaml", "namespace: mlfaas",
     "namespace: mlfaas\nlabels:\n  - pairs: {app.kubernetes.io/part-of: mlfaas}", "kubectl kustomize failed", "v2"),
    ("stack.yml: another provider", "openfaas/stack.yml", "name: openfaas", "name: faas", "provider.name", None),
    ("stack.yml: an unknown key", "openfaas/stack.yml", "skip_build: true", "skipbuild: true", "unknown key 'skipbuild'", None),
    ("stack.yml and function.yaml disagree", "openfaas/stack.yml", 'com.openfaas.scale.max: "4"',
     'com.openfaas.scale.max: "5"', "differs from the Function", None),
    ("an unquoted label value", "openfaas/function.yaml", 'com.openfaas.scale.min: "1"', "com.openfaas.scale.min: 1",
     "quoted whole number", None),
    ("a field mlfaas up refuses (env valueFrom)", CLASSIFIER, 'value: "2"',
     "valueFrom: {resourceFieldRef: {resource: limits.cpu}}", "did not come up", "up"),
]


def negative_controls(kroot, k8s_dir, kubectls, mlfaas, scratch, rep):
    have_v2 = any("v1.20." in label for label, _ in kubectls)
    for what, rel, old, new, expect, needs in CONTROLS:
        if needs == "v2" and not have_v2:
            rep.skip(f"negative control '{what}': needs Debian's kubectl (kustomize v2.0.3)")
            continue
        if needs == "up" and not mlfaas:
            rep.skip(f"negative control '{what}': needs the mlfaas binary")
            continue
        copy = tempfile.mkdtemp(prefix="broken-", dir=scratch)
        root = os.path.join(copy, "kubernetes")
        shutil.copytree(kroot, root)
        mutate(os.path.join(root, rel), old, new)
        sub = Report(quiet=True)
        validate(root, k8s_dir, kubectls, mlfaas, copy, sub, with_up=needs == "up")
        hits = [e for e in sub.errors if expect in e]
        if hits:
            lines = [l.strip() for l in hits[0].replace(root + "/", "").splitlines() if l.strip()]
            detail = " | ".join(lines[:1] + [l for l in lines[1:] if "error" in l.lower()][-1:])
            rep.note(f"ok   caught {what} ({rel}): {detail[:400]}")
        else:
            rep.error(f"negative control '{what}'", f"{rel}: {old!r} -> {new!r} was not caught as {expect!r}; "
                                                    f"errors: {sub.errors[:5]}")
        shutil.rmtree(copy, ignore_errors=True)


# ---------------------------------------------------------------- main

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source-dir", default=os.path.normpath(os.path.join(here, "..", "..", "..")))
    ap.add_argument("--k8s-dir", help="CRDs and faas-cli schema (default: $MLFAAS_SHARED_K8S, else SOURCE/../shared/k8s)")
    ap.add_argument("--mlfaas", help="mlfaas binary (default: $MLFAAS_BIN, else SOURCE/build/src/cli/mlfaas)")
    ap.add_argument("--no-fetch", action="store_true", help="do not fetch Debian's kubectl (use only PATH's)")
    ap.add_argument("--negative-controls", action="store_true", help="check that broken copies of the manifests fail")
    ap.add_argument("--schema-only", nargs="+", metavar="FILE",
                    help="only validate these manifest files against the CRDs / built-in kinds (no invariants)")
    args = ap.parse_args()
    src = os.path.abspath(args.source_dir)
    kroot = os.path.join(src, "deploy", "kubernetes")
    k8s_dir = args.k8s_dir or os.environ.get("MLFAAS_SHARED_K8S") or os.path.join(src, "..", "shared", "k8s")
    if not os.path.isdir(k8s_dir):
        print(f"SKIP: no CRD directory {k8s_dir} (set MLFAAS_SHARED_K8S)")
        return 77
    rep = Report()

    if args.schema_only:
        schemas = Schemas(k8s_dir)
        for f in args.schema_only:
            with open(f) as fh:
                docs = [x for x in yaml.load_all(fh, Loader=Loader) if x is not None]
            before = len(rep.errors)
            for i, obj in enumerate(docs):
                check_object(obj, f"{f} [{i}]", schemas, rep, False)
            if len(rep.errors) == before:
                log(f"ok   {f}: {len(docs)} objects")
        return 1 if rep.errors else 0

    mlfaas = args.mlfaas or os.environ.get("MLFAAS_BIN") or os.path.join(src, "build", "src", "cli", "mlfaas")
    if not (os.path.isfile(mlfaas) and os.access(mlfaas, os.X_OK)):
        mlfaas = None
    kubectls = find_kubectls(src, rep, fetch=not args.no_fetch)
    if rep.errors:
        return 1
    if not kubectls:
        print("SKIP: no kubectl (neither on PATH nor Debian's kubernetes-client via scripts/fetch-kubectl.sh)")
        return 77
    log("kubectl: " + "; ".join(f"{label} = {path}" for label, path in kubectls))
    scratch = tempfile.mkdtemp(prefix="validate-manifests-")
    try:
        if args.negative_controls:
            negative_controls(kroot, k8s_dir, kubectls, mlfaas, scratch, rep)
        else:
            validate(kroot, k8s_dir, kubectls, mlfaas, scratch, rep)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if rep.errors:
        log(f"FAILED: {len(rep.errors)} problem(s)")
        return 1
    if rep.skipped:
        log("PASSED, but skipped: " + "; ".join(rep.skipped))
        return 77
    log("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
