#!/usr/bin/env python3
"""Checks the Grafana dashboard deploy/grafana/mlfaas-dashboard.json without a Grafana or a Prometheus.

  check_dashboard.py [DASHBOARD]                 check it (exit 0 ok, 1 broken, 77 promtool missing)
  check_dashboard.py [DASHBOARD] --list          one JSON line per query: {"panel", "refId", "expr"}
  check_dashboard.py [DASHBOARD] --list --substitute
                                                 the same with the dashboard variables replaced as a
                                                 test against a live Prometheus needs them

The checks: the file is JSON; it imports cleanly (schemaVersion, the DS_PROMETHEUS input, the
`function` and `revision` variables); every panel but a row has targets, and every target an
`expr`, a `refId` unique in its panel and the datasource uid ${DS_PROMETHEUS}; an expr uses only the
variables $function, $revision and $__rate_interval, matches $function/$revision with =~ (their
"All" value is the regex .*) and takes every range as [$__rate_interval]; and every expr, with the
variables substituted ($function, $revision -> .*, $__rate_interval -> 30s), parses: they are
written as recording rules into a temporary file that `promtool check rules` reads.

Without promtool the structural checks still run; the parse check is skipped (exit 77).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

DS_UID = "${DS_PROMETHEUS}"
VARIABLES = {"function": ".*", "revision": ".*", "__rate_interval": "30s"}
DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlfaas-dashboard.json")


def substitute(expr):
    """The expr as a live Prometheus would run it with every variable at "All" and a 30 s rate window."""
    def repl(m):
        name = m.group(1) or m.group(2)
        return VARIABLES.get(name, m.group(0))
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", repl, expr)


def walk_panels(panels):
    """Every panel, the ones inside collapsed rows included."""
    for p in panels:
        yield p
        if p.get("type") == "row":
            yield from walk_panels(p.get("panels") or [])


def strip_strings(expr):
    """The expr with the contents of its string literals removed (so brackets in a regex don't count)."""
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)


def check_expr(expr, where, errors):
    for m in re.finditer(r"\$\{?(\w+)\}?", expr):
        if m.group(1) not in VARIABLES:
            errors.append(f"{where}: unknown variable ${m.group(1)} (known: {', '.join(VARIABLES)})")
    for m in re.finditer(r'(\w+)\s*(=|!=)\s*"[^"]*\$\{?(function|revision)\b', expr):
        errors.append(f"{where}: {m.group(1)}{m.group(2)}\"...${m.group(3)}\": match dashboard variables with =~ "
                      f"(multi-value and All are regexes)")
    for m in re.finditer(r"\[([^\]]*)\]", strip_strings(expr)):
        if m.group(1).strip() != "$__rate_interval":
            errors.append(f"{where}: range [{m.group(1)}]: use [$__rate_interval]")
    left = substitute(expr)
    if "$" in strip_strings(left):
        errors.append(f"{where}: a variable is left after substitution: {left}")


def check_datasource(ds, where, errors):
    if not isinstance(ds, dict) or ds.get("uid") != DS_UID:
        errors.append(f"{where}: datasource must be {{\"type\": \"prometheus\", \"uid\": \"{DS_UID}\"}}, got {ds!r}")
    elif ds.get("type") != "prometheus":
        errors.append(f"{where}: datasource type must be prometheus, got {ds.get('type')!r}")


def collect(dash, errors):
    """Checks the structure; returns [(panel title, refId, expr)]."""
    if not isinstance(dash, dict):
        errors.append("the dashboard is not a JSON object")
        return []
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 36:
        errors.append(f"schemaVersion must be an integer >= 36 (Grafana 9), got {dash.get('schemaVersion')!r}")
    inputs = {i.get("name"): i for i in dash.get("__inputs") or [] if isinstance(i, dict)}
    ds_input = inputs.get("DS_PROMETHEUS")
    if not ds_input or ds_input.get("type") != "datasource" or ds_input.get("pluginId") != "prometheus":
        errors.append("__inputs must declare DS_PROMETHEUS (type datasource, pluginId prometheus)")
    if dash.get("id") is not None:
        errors.append("id must be null in a dashboard meant for import")

    variables = {v.get("name"): v for v in (dash.get("templating") or {}).get("list") or [] if isinstance(v, dict)}
    for name in ("function", "revision"):
        v = variables.get(name)
        if not v:
            errors.append(f"templating: variable {name!r} is missing")
            continue
        if not (v.get("multi") and v.get("includeAll")):
            errors.append(f"templating: variable {name!r} must be multi and includeAll")
        check_datasource(v.get("datasource"), f"templating: variable {name!r}", errors)
    fn = variables.get("function") or {}
    query = fn.get("query")
    query = query.get("query") if isinstance(query, dict) else query
    if fn and query != "label_values(gateway_function_invocation_total, function_name)":
        errors.append(f"templating: variable 'function' must query label_values(gateway_function_invocation_total, "
                      f"function_name), got {query!r}")

    out, ids = [], set()
    panels = dash.get("panels")
    if not isinstance(panels, list) or not panels:
        errors.append("the dashboard has no panels")
        return out
    for p in walk_panels(panels):
        title = p.get("title") or ""
        where = f"panel {title!r} (id {p.get('id')})"
        if p.get("id") in ids:
            errors.append(f"{where}: duplicate panel id")
        ids.add(p.get("id"))
        if not isinstance(p.get("gridPos"), dict):
            errors.append(f"{where}: no gridPos")
        if p.get("type") == "row":
            continue
        if not title:
            errors.append(f"{where}: no title")
        check_datasource(p.get("datasource"), where, errors)
        targets = p.get("targets")
        if not isinstance(targets, list) or not targets:
            errors.append(f"{where}: no targets")
            continue
        ref_ids = set()
        for i, t in enumerate(targets):
            twhere = f"{where} target {i}"
            ref = t.get("refId")
            if not isinstance(ref, str) or not ref:
                errors.append(f"{twhere}: no refId")
            elif ref in ref_ids:
                errors.append(f"{twhere}: duplicate refId {ref}")
            ref_ids.add(ref)
            twhere = f"{where} refId {ref}"
            check_datasource(t.get("datasource"), twhere, errors)
            expr = t.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                errors.append(f"{twhere}: no expr")
                continue
            check_expr(expr, twhere, errors)
            out.append((title, ref, expr))
    return out


def parse_with_promtool(promtool, queries, errors):
    """Every expr, substituted, as a recording rule in a temporary rule file: promtool parses them all."""
    def run(items):
        rules = {"groups": [{"name": "dashboard", "rules": [
            {"record": f"dashboard_expr_{i}", "expr": substitute(expr)} for i, (_, _, expr) in items]}]}
        with tempfile.TemporaryDirectory(prefix="check-dashboard-") as d:
            path = os.path.join(d, "dashboard-exprs.yml")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(rules, f, indent=1)  # JSON is YAML
            r = subprocess.run([promtool, "check", "rules", path], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            return r.returncode, r.stdout

    items = list(enumerate(queries))
    code, output = run(items)
    if code == 0:
        return
    # Name the culprits: one expr at a time.
    named = False
    for item in items:
        c, o = run([item])
        if c != 0:
            title, ref, expr = item[1]
            errors.append(f"panel {title!r} refId {ref}: promtool cannot parse {substitute(expr)!r}:\n{o.strip()}")
            named = True
    if not named:
        errors.append(f"promtool check rules failed:\n{output.strip()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dashboard", nargs="?", default=DEFAULT)
    ap.add_argument("--list", action="store_true", help='print {"panel", "refId", "expr"} JSON lines and exit')
    ap.add_argument("--substitute", action="store_true",
                    help="with --list: $function/$revision -> .*, $__rate_interval -> 30s")
    ap.add_argument("--promtool", default=os.environ.get("PROMTOOL") or shutil.which("promtool"))
    args = ap.parse_args()

    try:
        with open(args.dashboard, encoding="utf-8") as f:
            dash = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{args.dashboard}: {e}", file=sys.stderr)
        return 1
    errors = []
    queries = collect(dash, errors)

    if args.list:
        for title, ref, expr in queries:
            print(json.dumps({"panel": title, "refId": ref, "expr": substitute(expr) if args.substitute else expr},
                             ensure_ascii=False))
        for e in errors:
            print(f"{args.dashboard}: {e}", file=sys.stderr)
        return 1 if errors else 0

    skipped = False
    if not args.promtool or not os.access(args.promtool, os.X_OK):
        skipped = True
    elif queries:
        parse_with_promtool(args.promtool, queries, errors)
    for e in errors:
        print(f"{args.dashboard}: {e}", file=sys.stderr)
    if errors:
        print(f"{args.dashboard}: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    panels = sum(1 for p in walk_panels(dash["panels"]) if p.get("type") != "row")
    if skipped:
        print(f"{args.dashboard}: structure ok ({panels} panels, {len(queries)} queries); "
              f"promtool not found, expressions not parsed (skipped)")
        return 77
    print(f"{args.dashboard}: ok ({panels} panels, {len(queries)} queries parsed by {args.promtool})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
