#!/usr/bin/env python3
"""The gateway's web UI (/ui) in Debian's headless Chromium, driven by Selenium.

Starts `mlfaas up` (admin password from a file) with the trivial function `hello` (two revisions,
50/50 traffic, a `canary` tag) and the classifier on the shared pretrained model, sends requests
while the page is open, and checks what the page shows: the functions table, a function's
revisions and traffic, charts that have drawn, logs, the 401 message, and the try-it panel's top-5
for the golden dog photo (its first label one of golden.json's top-5 for that photo) and its error
display. Screenshots go to --out-dir.

Exit 0: passed; 1: failed; 77: skipped (no browser or Selenium), or passed without the classifier
part (no shared model or test photos), which ctest shows as skipped.
"""
import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

SKIP = 77


def skip(message):
    print(f"SKIP: {message}", flush=True)
    sys.exit(SKIP)


try:
    from selenium import webdriver
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:
    skip("python3-selenium is not installed (apt-get install python3-selenium chromium-driver chromium)")


def log(message):
    print(f"[ui_test {time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_until(what, fn, timeout=30.0, interval=0.25):
    """Polls fn() until it returns something truthy; fails with `what` and the last value."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = fn()
            if last:
                return last
        except (StaleElementReferenceException, NoSuchElementException, ValueError, urllib.error.URLError,
                ConnectionError) as e:
            last = e  # the table is rebuilt every poll, a cell may still read '-', the gateway may be starting
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")
        time.sleep(interval)


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gateway:
    def __init__(self, port, password):
        self.base = f"http://127.0.0.1:{port}"
        self.auth = "Basic " + base64.b64encode(f"admin:{password}".encode()).decode()

    def call(self, method, path, body=None, headers=None, timeout=60):
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=dict(headers or {}))
        if path.startswith("/system/"):
            req.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def status(self, name):
        code, body = self.call("GET", f"/system/function/{name}")
        check(code == 200, f"/system/function/{name}: {code} {body[:300]!r}")
        return json.loads(body)


def knative_service(name, command, annotations=(), env=(), extra=""):
    ann = "".join(f'        {k}: "{v}"\n' for k, v in annotations)
    env_yaml = "".join(f"            - name: {k}\n              value: \"{v}\"\n" for k, v in env)
    return ("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: " + name + "\n"
            "spec:\n  template:\n    metadata:\n      annotations:\n" + (ann or "        {}\n") +
            "    spec:\n      containers:\n        - image: example/" + name + "\n"
            "          command: " + json.dumps(command) + "\n" +
            (("          env:\n" + env_yaml) if env else "") + extra)


CLASSIFIER_EXTRA = """          resources:
            requests:
              cpu: "1"
            limits:
              cpu: "1"
          readinessProbe:
            httpGet:
              path: /readyz
"""

HELLO_TRAFFIC = """  traffic:
    - revisionName: hello-00001
      percent: 50
    - latestRevision: true
      percent: 50
      tag: canary
"""

# Pixels of the plot area (below the legend) with a saturated colour: the series' lines and dots.
COLOURED_PIXELS_JS = """
const c = document.getElementById(arguments[0]);
const d = c.getContext('2d').getImageData(0, Math.round(24 * (window.devicePixelRatio || 1)), c.width,
                                          c.height - Math.round(24 * (window.devicePixelRatio || 1))).data;
let n = 0;
for (let i = 0; i < d.length; i += 4)
  if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) n++;
return n;
"""


def full_page_screenshot(driver, path):
    """The whole page down to the end of its content, also beyond the window."""
    w, h = driver.execute_script(
        "return [document.documentElement.scrollWidth,"
        "        Math.ceil(document.querySelector('main').getBoundingClientRect().bottom + window.scrollY)]")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}})
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


class Load(threading.Thread):
    """Invokes the functions in the background so the charts have something to show."""

    def __init__(self, gw, dog_jpg):
        super().__init__(daemon=True)
        self.gw, self.dog = gw, dog_jpg
        self.stop = threading.Event()
        self.counts = {}

    def run(self):
        i = 0
        while not self.stop.is_set():
            try:
                code, _ = self.gw.call("GET", f"/function/hello/?sleep_ms={i % 20}", timeout=10)
                self.counts[code] = self.counts.get(code, 0) + 1
                if self.dog and i % 5 == 0:
                    code, _ = self.gw.call("POST", "/function/classifier/classify", self.dog,
                                           {"Content-Type": "image/jpeg"}, timeout=30)
                    self.counts[code] = self.counts.get(code, 0) + 1
            except OSError:
                pass
            i += 1
            self.stop.wait(0.15)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlfaas", required=True)
    ap.add_argument("--hello", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args()
    args.mlfaas, args.hello, args.source_dir = map(os.path.abspath, (args.mlfaas, args.hello, args.source_dir))

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    chromedriver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not os.access(chromium, os.X_OK) or not os.access(chromedriver, os.X_OK):
        skip(f"no headless browser: need {chromium} and {chromedriver} (apt-get install chromium chromium-driver)")
    for exe in (args.mlfaas, args.hello):
        check(os.access(exe, os.X_OK), f"{exe} is not built")

    model_dir = os.environ.get("MLFAAS_SHARED_MODEL_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(args.source_dir)), "shared", "models", "mobilenetv2")
    dog = os.path.join(args.source_dir, ".cache", "photos", "dog.jpg")
    missing = []
    if not os.path.exists(os.path.join(model_dir, "model.onnx")):
        missing.append(f"no shared pretrained model ({model_dir})")
    if not os.path.exists(dog):
        missing.append(f"no test photos ({dog}; run scripts/fetch-test-photos.sh)")
    with_classifier = not missing
    if missing:
        log("SKIP the classifier and the try-it upload checks: " + " and ".join(missing))

    os.makedirs(args.out_dir, exist_ok=True)
    for old in ("ui-functions.png", "ui-hello.png", "ui-detail.png", "failure.png"):
        if os.path.exists(os.path.join(args.out_dir, old)):
            os.remove(os.path.join(args.out_dir, old))
    scratch = tempfile.mkdtemp(prefix="ui-test-", dir=args.out_dir)
    password = secrets.token_urlsafe(18)
    password_file = os.path.join(scratch, "basic-auth-password")
    with open(password_file, "w") as f:
        f.write(password)
    os.chmod(password_file, 0o600)
    specs = os.path.join(scratch, "specs")
    os.makedirs(specs)
    hello_annotations = [("autoscaling.knative.dev/target", "10")]
    with open(os.path.join(specs, "hello.yaml"), "w") as f:
        f.write(knative_service("hello", [args.hello], hello_annotations))
    if with_classifier:
        with open(os.path.join(specs, "classifier.yaml"), "w") as f:
            f.write(knative_service("classifier", [args.mlfaas, "serve", "--model", model_dir],
                                    [("autoscaling.knative.dev/min-scale", "1"), ("autoscaling.knative.dev/max-scale", "1")],
                                    extra=CLASSIFIER_EXTRA))

    port = free_port()
    gw = Gateway(port, password)
    platform_log = open(os.path.join(args.out_dir, "mlfaas-up.log"), "wb")
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(scratch, "xdg-state"))
    platform = subprocess.Popen(
        [args.mlfaas, "up", "--address", "127.0.0.1", "--port", str(port), "--specs", specs,
         "--state-dir", os.path.join(scratch, "state"), "--basic-auth-password-file", password_file,
         "--nats", "none", "--stop-grace-ms", "3000"],
        stdout=platform_log, stderr=subprocess.STDOUT, env=env)
    driver = None
    load = None
    try:
        wait_until("the gateway's /healthz", lambda: gw.call("GET", "/healthz", timeout=2)[0] == 200, 30)
        code, _ = gw.call("GET", "/ui/")
        check(code == 401, f"/ui/ without credentials answered {code}, not 401")

        # hello gets a second revision; traffic 50/50, the new one tagged canary.
        spec2 = knative_service("hello", [args.hello], hello_annotations, env=[("GREETING", "v2")]) + HELLO_TRAFFIC
        code, body = gw.call("PUT", "/system/functions", spec2.encode(), {"Content-Type": "application/yaml"})
        check(code == 202, f"PUT /system/functions: {code} {body[:300]!r}")
        for _ in range(10):
            gw.call("GET", "/function/hello/")
        wait_until("hello's two revisions", lambda: len(gw.status("hello").get("revisions", [])) == 2, 30)
        dog_bytes = None
        if with_classifier:
            wait_until("a ready classifier replica", lambda: gw.status("classifier")["readyReplicas"] >= 1, 120)
            with open(dog, "rb") as f:
                dog_bytes = f.read()
        load = Load(gw, dog_bytes)
        load.start()

        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--window-size=1440,1000", f"--user-data-dir={os.path.join(scratch, 'chromium')}"):
            options.add_argument(a)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)

        # The credentials in the URL stand for the browser's login prompt: the browser keeps them for
        # the origin and sends them with the page's own requests, as after a login.
        driver.get(f"http://admin:{password}@127.0.0.1:{port}/ui")
        url = urllib.parse.urlsplit(driver.current_url)
        check(url.path == "/ui/" and url.port == port, f"/ui did not redirect to /ui/: {driver.current_url}")
        check(driver.title == "mlfaas", f"title {driver.title!r}")
        css_ok = driver.execute_script(
            "return getComputedStyle(document.querySelector('header')).display === 'flex'")
        check(css_ok, "style.css did not apply")

        # The functions table.
        expected = {"hello", "classifier"} if with_classifier else {"hello"}
        rows = lambda: {r.get_attribute("data-name") for r in driver.find_elements(By.CSS_SELECTOR, "[data-test=function-row]")}
        wait_until(f"rows for {sorted(expected)} in the functions table", lambda: rows() == expected, 20)

        def cell(name, test):
            return driver.find_element(By.CSS_SELECTOR, f"[data-test=function-row][data-name={name}] [data-test={test}]").text

        wait_until("hello's requests/s above 0", lambda: float(cell("hello", "rps")) > 0, 20)
        wait_until("hello's invocations", lambda: int(cell("hello", "invocations")) >= 10, 20)
        traffic_text = driver.find_element(By.CSS_SELECTOR, "[data-test=function-row][data-name=hello] td.traffic").text
        check("hello-00001 50%" in traffic_text and "(canary)" in traffic_text, f"hello's traffic: {traffic_text!r}")
        time.sleep(4)  # two more polls: the rates of every function filled in
        full_page_screenshot(driver, os.path.join(args.out_dir, "ui-functions.png"))
        log("functions table ok")

        # hello's detail view, by its link.
        def click(selector):
            wait_until(f"a click on {selector}", lambda: driver.find_element(By.CSS_SELECTOR, selector).click() or True, 10)

        click("[data-test=function-row][data-name=hello] [data-test=function-link]")
        wait_until("hello's detail view", lambda: driver.find_element(By.ID, "detail-view").is_displayed()
                   and driver.find_element(By.ID, "detail-name").text == "hello", 10)
        check(not driver.find_element(By.ID, "functions-view").is_displayed(), "the table is still shown")
        check(driver.current_url.endswith("#/function/hello"), driver.current_url)

        def revisions():
            return {r.get_attribute("data-name"): r.find_element(By.CSS_SELECTOR, "[data-test=revision-percent]").text
                    for r in driver.find_elements(By.CSS_SELECTOR, "[data-test=revision-row]")}
        wait_until("hello's revisions at 50% each",
                   lambda: revisions() == {"hello-00001": "50%", "hello-00002": "50%"}, 15)
        rev_text = driver.find_element(By.ID, "revisions-table").text
        check("canary" in rev_text and "latest" in rev_text, f"revisions table: {rev_text!r}")
        traffic_rows = driver.find_elements(By.CSS_SELECTOR, "[data-test=traffic-row]")
        check(len(traffic_rows) == 2, f"{len(traffic_rows)} traffic rows")
        traffic = driver.find_element(By.ID, "traffic-table").text
        check("canary-hello.default" in traffic and "@latest" in traffic, f"traffic table: {traffic!r}")

        for chart in ("chart-replicas", "chart-rps", "chart-latency"):
            wait_until(f"{chart} drawn from 3 polls",
                       lambda: int(driver.find_element(By.ID, chart).get_attribute("data-points") or 0) >= 3, 20)
            pixels = driver.execute_script(COLOURED_PIXELS_JS, chart)
            check(pixels > 30, f"{chart}: only {pixels} coloured pixels in the plot")
        status = gw.status("hello")
        cold = driver.find_element(By.CSS_SELECTOR, "#detail-cold-starts .value").text
        check(cold.isdigit() and int(cold) <= status["coldStarts"], f"cold starts shown {cold!r}, API {status['coldStarts']}")
        check(driver.find_element(By.CSS_SELECTOR, "#detail-restarts .value").text.isdigit(), "restarts")
        conditions = driver.find_element(By.ID, "conditions").text
        check("Ready: True" in conditions, f"conditions: {conditions!r}")
        check(len(driver.find_elements(By.CSS_SELECTOR, "[data-test=replica-row]")) >= 1, "no replica rows")
        wait_until("hello's logs", lambda: "hello: listening on" in driver.find_element(By.ID, "logs").text, 15)
        full_page_screenshot(driver, os.path.join(args.out_dir, "ui-hello.png"))
        log("hello's detail view ok")

        # Try-it error display: the trivial function answers text, a non-image to the classifier is a 4xx.
        txt = os.path.join(scratch, "not-an-image.txt")
        with open(txt, "w") as f:
            f.write("this is not an image\n")
        driver.find_element(By.ID, "tryit-path").clear()
        driver.find_element(By.ID, "tryit-path").send_keys("/")
        driver.find_element(By.ID, "tryit-file").send_keys(txt)
        driver.find_element(By.ID, "tryit-submit").click()
        wait_until("hello's answer in the try-it panel",
                   lambda: "hello from hello-0000" in driver.find_element(By.ID, "tryit-body").text, 15)
        check(driver.find_element(By.ID, "tryit-status").text.startswith("200"), "try-it status")

        # Back to the table, then the classifier by clicking its row.
        click("#home-link")
        wait_until("the functions table again", lambda: driver.find_element(By.ID, "functions-view").is_displayed(), 10)
        if with_classifier:
            click("[data-test=function-row][data-name=classifier] td.num")
            wait_until("the classifier's detail view",
                       lambda: driver.find_element(By.ID, "detail-name").text == "classifier", 10)
            driver.find_element(By.ID, "tryit-path").clear()
            driver.find_element(By.ID, "tryit-path").send_keys("/classify")
            driver.find_element(By.ID, "tryit-file").send_keys(txt)
            driver.find_element(By.ID, "tryit-submit").click()
            wait_until("the classifier's error for a text file",
                       lambda: '"error"' in driver.find_element(By.ID, "tryit-body").text, 30)
            err_status = driver.find_element(By.ID, "tryit-status").text
            check(err_status[:1] == "4", f"try-it status for a text file: {err_status!r}")
            check("error" in driver.find_element(By.ID, "tryit-body").get_attribute("class"), "error not styled")

            driver.find_element(By.ID, "tryit-file").send_keys(os.path.abspath(dog))
            driver.find_element(By.ID, "tryit-submit").click()
            preds = wait_until("the top-5 for dog.jpg",
                               lambda: driver.find_elements(By.CSS_SELECTOR, "[data-test=prediction]"), 60)
            check(len(preds) == 5, f"{len(preds)} predictions shown")
            labels = [p.find_element(By.CSS_SELECTOR, "[data-test=prediction-label]").text for p in preds]
            confs = [p.find_element(By.CSS_SELECTOR, "[data-test=prediction-confidence]").text for p in preds]
            with open(os.path.join(model_dir, "golden.json")) as f:
                golden = json.load(f)
            expected_dog = [t["label"] for t in next(i for i in golden["images"] if i["id"] == "dog")["top5"]]
            check(labels[0] in expected_dog, f"first label {labels[0]!r} is not one of golden.json's {expected_dog}")
            check(all(c.endswith("%") for c in confs), f"confidences {confs}")
            values = [float(c[:-1]) for c in confs]
            check(values == sorted(values, reverse=True) and 0 < values[0] <= 100, f"confidences {confs}")
            check(driver.find_element(By.ID, "tryit-status").text.startswith("200"), "try-it status")
            check(driver.execute_script("const i = document.getElementById('tryit-preview');"
                                        "return i.complete && i.naturalWidth > 0"), "no preview of the upload")
            log(f"try-it ok: {list(zip(labels, confs))}")
            time.sleep(4)  # a couple of polls so the charts show the classifier's traffic
            full_page_screenshot(driver, os.path.join(args.out_dir, "ui-detail.png"))
        else:
            click("[data-test=function-row][data-name=hello] td.num")
            wait_until("hello's detail view", lambda: driver.find_element(By.ID, "detail-name").text == "hello", 10)
            full_page_screenshot(driver, os.path.join(args.out_dir, "ui-detail.png"))

        # A 401 (what fetch() gets once the user cancels the browser's login prompt, e.g. after the
        # password changed) is explained on the page. Headless Chromium would wait on that prompt for
        # ever, so the page's fetch answers the 401 itself here.
        driver.execute_script("""
          const real = window.fetch;
          window.fetch = (url, options) => String(url).includes('/system/')
              ? Promise.resolve(new Response('{"error":"unauthorized"}', {status: 401}))
              : real(url, options);""")
        wait_until("the 401 message", lambda: driver.find_element(By.ID, "error").is_displayed()
                   and "Not authorized" in driver.find_element(By.ID, "error").text, 15)
        log("401 message ok")
        # The 401s and the try-it 4xx above are logged as failed loads; anything else is a bug.
        browser_errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
                          and "the server responded with a status of 4" not in e["message"]]
        check(not browser_errors, f"errors in the browser console: {browser_errors}")
    except (AssertionError, WebDriverException) as e:
        log(f"FAILED: {e}")
        if driver:
            try:
                driver.save_screenshot(os.path.join(args.out_dir, "failure.png"))
                for entry in driver.get_log("browser"):
                    log(f"browser console: {entry}")
            except WebDriverException:
                pass
        platform_log.flush()
        with open(platform_log.name, "rb") as f:
            log("mlfaas up output (last 4 KB):\n" + f.read()[-4096:].decode(errors="replace"))
        return 1
    finally:
        if load:
            load.stop.set()
            load.join(10)
            log(f"background load: status counts {load.counts}")
        if driver:
            driver.quit()
        platform.send_signal(signal.SIGTERM)
        try:
            platform.wait(30)
        except subprocess.TimeoutExpired:
            platform.kill()
            platform.wait()
        platform_log.close()
        shutil.rmtree(scratch, ignore_errors=True)
    log(f"screenshots in {args.out_dir}")
    if not with_classifier:
        skip("the page works; the classifier and try-it upload checks did not run: " + " and ".join(missing))
    log("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
