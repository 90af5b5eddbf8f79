'use strict';
// The mlfaas web UI. Every 2 s it polls the gateway it was loaded from: GET /system/functions and
// /metrics for the table and the charts (requests/s and latency come from the deltas of the
// OpenFaaS counters and histogram between two polls), and for the function on screen
// /system/function/NAME and /system/logs. The browser sends the admin's basic-auth credentials
// with these same-origin requests once it has them. No framework, no build step: the gateway
// serves this file as it is (src/platform/ui/).

const POLL_MS = 2000;
const HISTORY = 150;  // samples kept per function: 5 minutes
const COLORS = {desired: '#9aa5b1', ready: '#1f7a4d', rps: '#2563eb', errors: '#dc2626', p50: '#7c3aed', p99: '#d97706'};

const state = {
  functions: [],        // the last /system/functions answer
  history: new Map(),   // name -> [{t, desired, ready, rps, errors, p50, p99}]
  prevMetrics: null,    // {t, byName} of the previous poll
  selected: null,       // the function shown in the detail view, or null for the table
};

const $ = (id) => document.getElementById(id);

// el('td', {class: 'num', 'data-test': 'x'}, 'text', childNode): children are text or nodes, never HTML.
function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c != null) e.append(c instanceof Node ? c : String(c));
  return e;
}

// ---- talking to the gateway ----

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// location.origin, not a relative URL: a page opened with user:pass@ in its URL would otherwise
// resolve URLs with credentials in them, which fetch() refuses.
async function request(path, options = {}) {
  const res = await fetch(location.origin + path, {cache: 'no-store', credentials: 'same-origin', ...options});
  if (res.status === 401) {
    throw new HttpError(401, 'Not authorized: the UI needs the admin\'s credentials (user admin, the password in ' +
        '~/.local/state/mlfaas/basic-auth-password). Reload the page to log in.');
  }
  if (!res.ok) {
    const text = await res.text();
    let message = text;
    try { message = JSON.parse(text).error || text; } catch (_) { /* not JSON */ }
    throw new HttpError(res.status, `${path}: ${res.status} ${message}`);
  }
  return res;
}
const getJson = async (path) => (await request(path)).json();
const getText = async (path) => (await request(path)).text();

// ---- Prometheus text: invocations and the latency histogram per function ----

function parseLabels(text) {
  const labels = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]] = m[2].replace(/\\(.)/g, '$1');
  return labels;
}

// name -> {total, errors, buckets: Map(le -> cumulative count)}, summed over status codes.
function parseMetrics(text) {
  const byName = new Map();
  const entry = (name) => {
    if (!byName.has(name)) byName.set(name, {total: 0, errors: 0, buckets: new Map()});
    return byName.get(name);
  };
  for (const line of text.split('\n')) {
    const m = /^(gateway_function_invocation_total|gateway_functions_seconds_bucket)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = parseLabels(m[2]);
    const value = Number(m[3]);
    if (!labels.function_name || !Number.isFinite(value)) continue;
    const e = entry(labels.function_name);
    if (m[1] === 'gateway_function_invocation_total') {
      e.total += value;
      if (Number(labels.code) >= 400) e.errors += value;
    } else {
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      e.buckets.set(le, (e.buckets.get(le) || 0) + value);
    }
  }
  return byName;
}

// Prometheus's histogram_quantile: linear interpolation inside the bucket holding the rank.
// `buckets` is [[le, cumulative count]] sorted by le, ending with +Inf.
function quantile(q, buckets) {
  const total = buckets.length ? buckets[buckets.length - 1][1] : 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0, below = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return lower;
      return lower + (le - lower) * (rank - below) / (count - below);
    }
    lower = le;
    below = count;
  }
  return null;
}

// One sample per function per poll; rates need the previous poll, so the first has none.
function record(functions, metrics, now) {
  const prev = state.prevMetrics;
  const dt = prev ? (now - prev.t) / 1000 : 0;
  for (const f of functions) {
    const s = {t: now, desired: f.desiredReplicas, ready: f.readyReplicas, rps: null, errors: null, p50: null, p99: null};
    const cur = metrics.get(f.name);
    const old = (prev && prev.byName.get(f.name)) || {total: 0, errors: 0, buckets: new Map()};
    if (dt > 0 && !cur) {
      s.rps = 0;
      s.errors = 0;
    } else if (dt > 0 && cur.total >= old.total) {  // (smaller: the gateway restarted)
      s.rps = (cur.total - old.total) / dt;
      s.errors = (cur.errors - old.errors) / dt;
      const deltas = [...cur.buckets].map(([le, c]) => [le, c - (old.buckets.get(le) || 0)]).sort((a, b) => a[0] - b[0]);
      s.p50 = quantile(0.5, deltas);
      s.p99 = quantile(0.99, deltas);
    }
    if (!state.history.has(f.name)) state.history.set(f.name, []);
    const h = state.history.get(f.name);
    h.push(s);
    if (h.length > HISTORY) h.splice(0, h.length - HISTORY);
  }
  state.prevMetrics = {t: now, byName: metrics};
}

// ---- formatting ----

const fmtRate = (v) => v == null ? '-' : v === 0 ? '0' : v < 10 ? v.toFixed(1) : String(Math.round(v));
const fmtSeconds = (v) => v == null ? '-' : v === 0 ? '0' : v < 0.01 ? `${(v * 1000).toFixed(1)} ms`
    : v < 1 ? `${Math.round(v * 1000)} ms` : `${v.toFixed(2)} s`;
const fmtCount = (v) => Number.isInteger(v) ? String(v) : v.toFixed(1);
const fmtTime = (t) => new Date(t).toLocaleTimeString([], {hour12: false});
const latest = (name) => (state.history.get(name) || []).at(-1) || {};

function readyCondition(f) {
  const c = (f.conditions || []).find((x) => x.type === 'Ready') || {};
  if (c.status === 'True') return {text: 'Ready', cls: 'ok'};
  if (c.status === 'False') return {text: c.reason || 'Failed', cls: 'bad', title: c.message};
  if (c.reason === 'NoTraffic' || c.reason === 'Unreachable') return {text: 'Scaled to zero', cls: 'idle', title: c.reason};
  return {text: c.reason || 'Unknown', cls: 'warn', title: c.message};
}

const trafficSummary = (f) => (f.traffic || [])
    .map((t) => `${t.revisionName || '@latest'} ${t.percent}%${t.tag ? ` (${t.tag})` : ''}`).join(', ');

// ---- charts: lines on a <canvas>, newest sample at the right edge ----

// The smallest 1, 2, 2.5 or 5 times a power of ten that is >= v.
function niceCeil(v) {
  const step = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= v) return m * step;
  return 10 * step;
}

function drawChart(canvas, samples, series, format, minMax = 1) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const pad = {l: 52, r: 10, t: 22, b: 18};
  const pw = w - pad.l - pad.r, ph = h - pad.t - pad.b;
  const now = samples.length ? samples[samples.length - 1].t : Date.now();
  const span = Math.min(Math.max(now - (samples.length ? samples[0].t : now), 60000), HISTORY * POLL_MS);
  let max = 0;
  for (const s of samples) for (const ser of series) if (s[ser.key] != null) max = Math.max(max, s[ser.key]);
  max = 4 * niceCeil(Math.max(max, minMax) / 4);  // four grid steps of a round size

  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#e5e7eb';
  ctx.fillStyle = '#6b7280';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let i = 0; i <= 4; i++) {
    const y = pad.t + ph - (ph * i) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.l, y);
    ctx.lineTo(pad.l + pw, y);
    ctx.stroke();
    ctx.fillText(format((max * i) / 4), pad.l - 6, y);
  }
  ctx.textBaseline = 'alphabetic';
  ctx.fillText('now', pad.l + pw, h - 4);
  ctx.textAlign = 'left';
  ctx.fillText(`-${Math.round(span / 1000)} s`, pad.l, h - 4);

  let points = 0;
  const xOf = (t) => pad.l + pw - ((now - t) / span) * pw;
  const yOf = (v) => pad.t + ph - (v / max) * ph;
  for (const ser of series) {
    ctx.strokeStyle = ctx.fillStyle = ser.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let pen = false;
    for (const s of samples) {
      const v = s[ser.key];
      if (v == null || xOf(s.t) < pad.l) { pen = false; continue; }
      pen ? ctx.lineTo(xOf(s.t), yOf(v)) : ctx.moveTo(xOf(s.t), yOf(v));
      pen = true;
      points++;
    }
    ctx.stroke();
    for (const s of samples) {  // dots, so a lone sample between gaps shows too
      if (s[ser.key] != null && xOf(s.t) >= pad.l) ctx.fillRect(xOf(s.t) - 1.5, yOf(s[ser.key]) - 1.5, 3, 3);
    }
  }
  // Legend with the latest values.
  let x = pad.l;
  const last = samples.at(-1) || {};
  for (const ser of series) {
    const text = `${ser.label} ${last[ser.key] == null ? '-' : format(last[ser.key])}`;
    ctx.fillStyle = ser.color;
    ctx.fillRect(x, 6, 10, 10);
    ctx.fillStyle = '#374151';
    ctx.fillText(text, x + 14, 15);
    x += 24 + ctx.measureText(text).width;
  }
  canvas.dataset.points = String(points);
}

function drawCharts(name) {
  const h = state.history.get(name) || [];
  drawChart($('chart-replicas'), h, [{key: 'desired', label: 'desired', color: COLORS.desired},
                                     {key: 'ready', label: 'ready', color: COLORS.ready}], fmtCount, 4);
  drawChart($('chart-rps'), h, [{key: 'rps', label: 'req/s', color: COLORS.rps},
                                {key: 'errors', label: 'errors/s', color: COLORS.errors}], fmtRate, 4);
  drawChart($('chart-latency'), h, [{key: 'p50', label: 'p50', color: COLORS.p50},
                                    {key: 'p99', label: 'p99', color: COLORS.p99}], fmtSeconds, 0.001);
}

// ---- views ----

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message || '';
}

function renderFunctions() {
  const tbody = $('functions-table').tBodies[0];
  tbody.replaceChildren(...state.functions.map((f) => {
    const s = latest(f.name), c = readyCondition(f);
    const replicas = `${f.readyReplicas}/${f.desiredReplicas}` + (f.pendingReplicas ? ` (+${f.pendingReplicas} pending)` : '');
    const row = el('tr', {'data-test': 'function-row', 'data-name': f.name, class: 'clickable'},
        el('td', {}, el('a', {href: `#/function/${encodeURIComponent(f.name)}`, 'data-test': 'function-link'}, f.name)),
        el('td', {}, f.namespace),
        el('td', {}, el('span', {class: `pill ${c.cls}`, title: c.title || ''}, c.text)),
        el('td', {}, f.latestReadyRevisionName || f.revision),
        el('td', {class: 'traffic'}, trafficSummary(f)),
        el('td', {class: 'num'}, replicas),
        el('td', {class: 'num'}, f.queueDepth),
        el('td', {class: 'num'}, f.inFlight),
        el('td', {class: 'num', 'data-test': 'rps'}, fmtRate(s.rps)),
        el('td', {class: 'num'}, fmtSeconds(s.p99)),
        el('td', {class: 'num', 'data-test': 'invocations'}, f.invocationCount),
        el('td', {class: 'num'}, f.coldStarts),
        el('td', {class: 'num'}, f.restarts));
    row.addEventListener('click', (e) => { if (e.target.tagName !== 'A') location.hash = `#/function/${encodeURIComponent(f.name)}`; });
    return row;
  }));
  $('no-functions').hidden = state.functions.length > 0;
}

function card(key, label, value) {
  return el('div', {class: 'card', 'data-test': `card-${key}`, id: `detail-${key}`},
      el('div', {class: 'value'}, value), el('div', {class: 'label'}, label));
}

function renderDetail(f) {
  $('detail-name').textContent = f.name;
  const c = readyCondition(f);
  $('detail-ready').className = `pill ${c.cls}`;
  $('detail-ready').textContent = c.text;
  const s = latest(f.name);
  $('detail-cards').replaceChildren(
      card('replicas', 'ready / desired', `${f.readyReplicas} / ${f.desiredReplicas}`),
      card('pending', 'starting / pending', `${f.startingReplicas ?? 0} / ${f.pendingReplicas ?? 0}`),
      card('queue', 'queued / in flight', `${f.queueDepth} / ${f.inFlight}`),
      card('rps', 'requests/s', fmtRate(s.rps)),
      card('p99', 'latency p99', fmtSeconds(s.p99)),
      card('invocations', 'invocations', f.invocationCount),
      card('cold-starts', 'cold starts', f.coldStarts),
      card('restarts', 'restarts', f.restarts));
  const a = f.autoscaler || {};
  $('detail-autoscaler').textContent = `Autoscaler ${a.policy || '-'}: wants ${a.desired ?? '-'}` +
      `${a.inPanic ? ' (panic mode)' : ''}${a.reason ? ` - ${a.reason}` : ''}. ` +
      `Concurrency ${f.containerConcurrency || 'unlimited'}, timeout ${f.timeoutSeconds ?? '-'} s, CPU request ${f.cpuRequest || 'none'}.`;

  $('revisions-table').tBodies[0].replaceChildren(...(f.revisions || []).map((r) => {
    const ready = (r.conditions || []).find((x) => x.type === 'Ready') || {};
    const latestMark = r.name === f.latestCreatedRevisionName ? el('span', {class: 'badge'}, 'latest') : null;
    return el('tr', {'data-test': 'revision-row', 'data-name': r.name},
        el('td', {}, r.name, ' ', latestMark),
        el('td', {class: 'num'}, r.generation),
        el('td', {class: 'num', 'data-test': 'revision-percent'}, `${r.percent}%`),
        el('td', {}, (r.tags || []).join(', ')),
        el('td', {title: ready.message || ''}, ready.status === 'True' ? 'yes' : r.ready ? `no (${ready.reason || 'idle'})` : 'not yet'),
        el('td', {class: 'num'}, `${r.readyReplicas}/${r.desiredReplicas}`),
        el('td', {class: 'num'}, r.invocationCount),
        el('td', {class: 'num'}, r.coldStarts ?? '-'));
  }));

  $('traffic-table').tBodies[0].replaceChildren(...(f.traffic || []).map((t) => {
    const bar = el('span', {class: 'fill'});
    bar.style.width = `${t.percent}%`;
    return el('tr', {'data-test': 'traffic-row', 'data-revision': t.revisionName || ''},
        el('td', {}, t.latestRevision ? '@latest' : 'revision'),
        el('td', {}, t.revisionName || '(none ready)'),
        el('td', {class: 'num'}, el('span', {class: 'bar'}, bar), ` ${t.percent}%`),
        el('td', {}, t.tag || ''),
        el('td', {}, t.host || ''));
  }));
  const ro = f.rollout;
  $('rollout').hidden = !ro;
  if (ro) $('rollout').textContent = `Rolling out from ${ro.from} to ${ro.to}: ${Math.round(ro.progress * 100)}% of ${ro.durationSeconds} s`;

  $('replicas-table').tBodies[0].replaceChildren(...(f.replicaDetails || []).map((r) => el('tr', {'data-test': 'replica-row'},
      el('td', {}, r.id), el('td', {}, r.revision), el('td', {}, r.state), el('td', {class: 'num'}, r.pid),
      el('td', {class: 'num'}, r.inFlight), el('td', {class: 'num'}, `${Math.round(r.uptimeSeconds)} s`))));

  const items = (f.conditions || []).map((x) => el('li', {'data-test': 'condition'},
      el('b', {}, `${x.type}: ${x.status}`), x.reason ? ` ${x.reason}` : '', x.message ? ` - ${x.message}` : ''));
  if (f.pendingReason) items.push(el('li', {class: 'warn'}, f.pendingReason));
  for (const w of f.warnings || []) items.push(el('li', {class: 'warn'}, typeof w === 'string' ? w : JSON.stringify(w)));
  $('conditions').replaceChildren(...items);
  drawCharts(f.name);
}

function renderLogs(ndjson) {
  const box = $('logs');
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  const lines = ndjson.split('\n').filter(Boolean).map((l) => {
    try {
      const m = JSON.parse(l);
      return `${fmtTime(m.timestamp * 1000)} ${m.instance.padEnd(12)} ${m.text}`;
    } catch (_) { return l; }
  });
  box.textContent = lines.length ? lines.join('\n') : '(no output yet)';
  box.dataset.lines = String(lines.length);
  if (atBottom) box.scrollTop = box.scrollHeight;
}

async function refreshDetail() {
  const name = state.selected;
  if (!name) return;
  const q = encodeURIComponent(name);
  const [f, logs] = await Promise.all([getJson(`/system/function/${q}`), getText(`/system/logs?name=${q}&tail=50`)]);
  if (state.selected !== name) return;  // navigated away meanwhile
  renderDetail(f);
  renderLogs(logs);
}

async function poll() {
  try {
    const [functions, metrics] = await Promise.all([getJson('/system/functions'), getText('/metrics')]);
    state.functions = functions;
    record(functions, parseMetrics(metrics), Date.now());
    renderFunctions();
    await refreshDetail();
    showError(null);
    $('poll-status').textContent = `updated ${fmtTime(Date.now())}`;
  } catch (e) {
    showError(e.message);
    $('poll-status').textContent = 'not updated';
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

// #/ is the table, #/function/NAME a function.
function route() {
  const m = /^#\/function\/(.+)$/.exec(location.hash);
  state.selected = m ? decodeURIComponent(m[1]) : null;
  $('functions-view').hidden = !!state.selected;
  $('detail-view').hidden = !state.selected;
  $('breadcrumb').replaceChildren(...(state.selected ? [el('a', {href: '#/'}, 'Functions'), ' / ', state.selected] : []));
  if (state.selected) {
    $('logs').textContent = '';
    $('tryit-result').hidden = true;
    refreshDetail().catch((e) => showError(e.message));
  }
}

// ---- try it: POST an image to the function, show the top-5 ----

function showPredictions(predictions) {
  $('tryit-predictions').replaceChildren(...predictions.slice(0, 5).map((p) => {
    const fill = el('span', {class: 'fill'});
    fill.style.width = `${(p.confidence * 100).toFixed(1)}%`;
    return el('li', {'data-test': 'prediction'},
        el('span', {class: 'label', 'data-test': 'prediction-label', title: p.label}, p.label),
        el('span', {class: 'bar'}, fill),
        el('span', {class: 'conf', 'data-test': 'prediction-confidence'}, `${(p.confidence * 100).toFixed(1)}%`));
  }));
}

async function tryIt(event) {
  event.preventDefault();
  const file = $('tryit-file').files[0];
  const name = state.selected;
  $('tryit-result').hidden = false;
  $('tryit-predictions').replaceChildren();
  $('tryit-body').hidden = true;
  $('tryit-body').classList.remove('error');
  const preview = $('tryit-preview');
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.hidden = !file;
  if (file) preview.src = URL.createObjectURL(file);
  if (!file) {
    $('tryit-status').textContent = 'Choose an image first.';
    return;
  }
  let path = $('tryit-path').value.trim() || '/';
  if (!path.startsWith('/')) path = `/${path}`;
  $('tryit-status').textContent = `Sending ${file.name} (${file.size} bytes)...`;
  $('tryit-submit').disabled = true;
  const started = performance.now();
  try {
    const res = await fetch(`${location.origin}/function/${encodeURIComponent(name)}${path}`, {
      method: 'POST', body: file, headers: {'Content-Type': file.type || 'application/octet-stream'}});
    const text = await res.text();
    const ms = Math.round(performance.now() - started);
    const rev = res.headers.get('X-Mlfaas-Revision');
    $('tryit-status').textContent = `${res.status} ${res.statusText} in ${ms} ms${rev ? `, revision ${rev}` : ''}`;
    let body = null;
    try { body = JSON.parse(text); } catch (_) { /* not JSON */ }
    const one = Array.isArray(body) ? body[0] : body;
    if (res.ok && one && Array.isArray(one.predictions)) {
      showPredictions(one.predictions);
    } else {
      $('tryit-body').hidden = false;
      $('tryit-body').classList.toggle('error', !res.ok);
      $('tryit-body').textContent = body ? JSON.stringify(body, null, 2) : text;
    }
  } catch (e) {
    $('tryit-status').textContent = `Failed: ${e.message}`;
  } finally {
    $('tryit-submit').disabled = false;
  }
}

window.addEventListener('hashchange', route);
document.addEventListener('DOMContentLoaded', () => {
  $('tryit').addEventListener('submit', tryIt);
  route();
  poll();
});
