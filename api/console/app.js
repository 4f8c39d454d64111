// sluice's web console: a page over the worker's own REST API (Kafka
// Connect's, plus /sluice/metrics/history). Every value the worker sends is
// data, never markup: it reaches the page through textContent and DOM
// calls only.

const REFRESH_MS = 2000;
const VALIDATE_DELAY_MS = 300;
const base = new URL('../', location.href); // the REST API's root
const SVG = 'http://www.w3.org/2000/svg';

const state = {
  connectors: {},   // name -> {status, info}; info (the configuration) of the selected one only
  info: null,       // {name, info}: the selected connector's, read with each refresh
  history: null,    // the worker's metrics history, kept here (see mergeHistory)
  historyAt: 0,     // when it was last asked for
  rows: new Map(),  // name -> {tr, sig, csig}: the table's rows, rebuilt only when they change
  visible: new Set(), // the names of the rows in or near the window: their charts are kept drawn
  selected: null,   // the connector shown in the details panel
  openTraces: new Set(),
  plugins: null,
  busy: false,
};

// ---- DOM helpers ------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const $ = (sel, root = document) => root.querySelector(sel);

// fill replaces node's children, skipping the absent ones (replaceChildren
// would print null as text).
function fill(node, ...kids) {
  node.replaceChildren(...kids.flat().filter(k => k !== null && k !== undefined && k !== false));
}

function badge(st) {
  const s = String(st || 'UNKNOWN');
  return el('span', { class: 'badge st-' + s.toLowerCase().replace(/[^a-z]/g, ''), text: s });
}

function fmtRate(v) {
  if (!Number.isFinite(v)) return '–';
  if (v >= 1e6) return (v / 1e6).toFixed(1) + 'M';
  if (v >= 1e4) return (v / 1e3).toFixed(0) + 'k';
  if (v >= 1e3) return (v / 1e3).toFixed(1) + 'k';
  if (v >= 10) return v.toFixed(0);
  return v.toFixed(1);
}

let bannerTimer = null;

// banner shows a message above the table; an information goes after a
// few seconds, an error stays until the next message.
function banner(msg, kind) {
  const b = $('#banner');
  b.textContent = msg;
  b.className = 'banner ' + (kind || 'info');
  b.hidden = !msg;
  clearTimeout(bannerTimer);
  if (msg && !kind?.includes('error')) bannerTimer = setTimeout(() => { b.hidden = true; }, 6000);
}

// ---- the REST API -----------------------------------------------------------

class APIError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const opts = { method, headers: { 'Accept': 'application/json', 'X-Sluice-Console': '1' } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const resp = await fetch(new URL(path, base), opts);
  const text = await resp.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (!resp.ok) {
    const msg = data && typeof data === 'object' && data.message ? data.message : (typeof data === 'string' && data ? data : resp.statusText);
    throw new APIError(resp.status, `${resp.status}: ${msg}`);
  }
  return data;
}

const enc = encodeURIComponent;

// ---- charts -----------------------------------------------------------------

// sparkline draws values (oldest first) as a small SVG line with an area.
function sparkline(values, cls, title) {
  const w = 120, h = 28, pad = 2;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('width', w);
  svg.setAttribute('height', h);
  svg.setAttribute('class', 'spark ' + (cls || ''));
  if (title) {
    const t = document.createElementNS(SVG, 'title');
    t.textContent = title;
    svg.append(t);
  }
  if (!values.length) {
    const l = document.createElementNS(SVG, 'line');
    l.setAttribute('x1', 0); l.setAttribute('x2', w);
    l.setAttribute('y1', h - pad); l.setAttribute('y2', h - pad);
    l.setAttribute('class', 'none');
    svg.append(l);
    return svg;
  }
  const area = document.createElementNS(SVG, 'polygon');
  area.setAttribute('class', 'area');
  const pl = document.createElementNS(SVG, 'polyline');
  pl.setAttribute('class', 'line');
  svg.append(area, pl);
  plot(svg, values);
  return svg;
}

// plot sets the points of a sparkline's line and area to values.
function plot(svg, values) {
  const w = 120, h = 28, pad = 2;
  const top = Math.max(...values, 1e-9);
  const step = values.length > 1 ? (w - 2 * pad) / (values.length - 1) : 0;
  const pts = values.map((v, i) => [pad + i * step, h - pad - (v / top) * (h - 2 * pad)]);
  const line = pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
  svg.querySelector('polygon').setAttribute('points', `${pad},${h - pad} ${line} ${pts[pts.length - 1][0].toFixed(1)},${h - pad}`);
  svg.querySelector('polyline').setAttribute('points', line);
}

// chart is a sparkline with the latest value beside it.
function chart(values, cls, label, unit) {
  const c = el('span', { class: 'chart' }, sparkline(values, cls, label), el('span', { class: 'rate' }));
  setChartText(c, values, unit);
  return c;
}

function setChartText(c, values, unit) {
  const last = values.length ? values[values.length - 1] : NaN;
  const top = values.length ? Math.max(...values) : NaN;
  const num = (v) => Number.isFinite(v) ? String(v) : '';
  c.dataset.last = num(last);
  c.dataset.max = num(top);
  c.lastChild.textContent = fmtRate(last) + (unit || '');
}

// redraw updates chart c (made by chart) to values, in place when it has
// a line to move, anew when it had none.
function redraw(c, values, cls, label, unit) {
  const svg = c.firstChild;
  if (!values.length || !svg.querySelector('polyline')) {
    c.replaceWith(chart(values, cls, label, unit));
    return;
  }
  plot(svg, values);
  setChartText(c, values, unit);
}

function tasksHistory(name) {
  return state.history?.byConnector.get(name) || [];
}

// mergeHistory adds an answer of GET /sluice/metrics/history?since=… to
// the history kept here: each task's new samples appended to its own ring
// (at most max_samples), the tasks the worker no longer lists dropped. A
// worker that changed (another id, interval or ring size) starts afresh;
// so does one that has tasks but sent no new sample several times in a
// row (its clock went back: nothing is later than the newest kept).
function mergeHistory(old, ans) {
  if (!ans) return old;
  const fresh = !old || old.worker_id !== ans.worker_id || old.interval_ms !== ans.interval_ms || old.max_samples !== ans.max_samples;
  const h = fresh ? { worker_id: ans.worker_id, interval_ms: ans.interval_ms, max_samples: ans.max_samples, newest: 0, tasks: new Map(), stale: 0 } : old;
  const got = (ans.tasks || []).some(t => t.samples.length);
  h.stale = got || !(ans.tasks || []).length ? 0 : h.stale + 1;
  if (h.stale >= 5) {
    // Asked for everything at the next refresh.
    h.newest = 0;
    h.stale = 0;
  }
  const tasks = new Map();
  for (const t of ans.tasks || []) {
    const key = t.connector + '\u0000' + t.task;
    const kept = h.tasks.get(key);
    const samples = kept ? kept.samples : [];
    for (const s of t.samples) {
      // A sample not newer than the last kept (a clock that went back)
      // starts the ring afresh.
      if (samples.length && s.time <= samples[samples.length - 1].time) samples.length = 0;
      samples.push(s);
      h.newest = Math.max(h.newest, s.time);
    }
    if (samples.length > h.max_samples) samples.splice(0, samples.length - h.max_samples);
    tasks.set(key, { connector: t.connector, task: t.task, type: t.type, samples });
  }
  h.tasks = tasks;
  h.byConnector = new Map();
  for (const t of tasks.values()) {
    if (!h.byConnector.has(t.connector)) h.byConnector.set(t.connector, []);
    h.byConnector.get(t.connector).push(t);
  }
  return h;
}

// connectorRates sums the out rates of a connector's tasks per sample time.
function connectorRates(name) {
  const byTime = new Map();
  for (const t of tasksHistory(name)) {
    for (const s of t.samples) byTime.set(s.time, (byTime.get(s.time) || 0) + s.out_per_sec);
  }
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1]);
}

// ---- the connectors table ---------------------------------------------------

// rowSig is what a connector's row shows but its chart: a row is rebuilt
// only when it changed; chartSig is what its chart shows, redrawn in place
// when only that changed.
function rowSig(name) {
  const { status } = state.connectors[name];
  return JSON.stringify([name === state.selected, status?.type, status?.connector?.state, status?.connector?.worker_id,
    (status?.tasks || []).map(t => [t.id, t.state, t.worker_id])]);
}

function chartSig(name) {
  return tasksHistory(name).map(t => t.samples.length ? t.samples[t.samples.length - 1].time : 0).join();
}

function buildRow(name) {
  const { status, info } = state.connectors[name];
  const tasks = (status?.tasks || []).map(t => el('span', { class: 'task-chip', title: `task ${t.id} on ${t.worker_id}` },
    el('span', { class: 'tid', text: String(t.id) }), badge(t.state)));
  return el('tr', {
    class: name === state.selected ? 'selected' : '',
    dataset: { name },
    onclick: () => select(name),
  },
  el('td', { class: 'name' }, el('a', { href: '#', text: name, title: name, onclick: (ev) => ev.preventDefault() })),
  el('td', { text: status?.type || info?.type || '' }),
  el('td', { class: 'state' }, badge(status?.connector?.state)),
  el('td', { class: 'tasks' }, tasks.length ? tasks : el('span', { class: 'muted', text: 'none' })),
  el('td', { class: 'mono worker', text: status?.connector?.worker_id || '' }),
  el('td', { class: 'throughput' }, chart(connectorRates(name), 'out', 'records out per second', '/s')));
}

// drawChart redraws the chart of a kept row when its samples changed.
function drawChart(name, row) {
  const csig = chartSig(name);
  if (row.csig === csig) return;
  row.csig = csig;
  redraw($('td.throughput .chart', row.tr), connectorRates(name), 'out', 'records out per second', '/s');
}

// onScreen tracks the rows in or near the window: only their charts are
// redrawn as samples come; a row scrolled to has its chart brought up to
// date then.
const onScreen = new IntersectionObserver((entries) => {
  for (const e of entries) {
    const name = e.target.dataset.name;
    if (!e.isIntersecting) {
      state.visible.delete(name);
      continue;
    }
    state.visible.add(name);
    const row = state.rows.get(name);
    if (row?.tr === e.target) drawChart(name, row);
  }
}, { rootMargin: '300px 0px' });

// renderTable brings the table up to date, sorted by name: the rows whose
// connector changed are rebuilt, the others kept as they are (their charts
// redrawn in place, when in view), and the rows are moved only when the
// list of names changed.
function renderTable() {
  const body = $('#connectors tbody');
  const names = Object.keys(state.connectors).sort();
  $('#count').textContent = `(${names.length})`;
  $('#empty').hidden = names.length > 0;
  const rows = new Map();
  let moved = names.length !== state.rows.size;
  for (const name of names) {
    const sig = rowSig(name);
    const old = state.rows.get(name);
    if (!old) moved = true;
    if (old && old.sig === sig) {
      if (state.visible.has(name)) drawChart(name, old);
      rows.set(name, old);
      continue;
    }
    const tr = buildRow(name);
    if (old) {
      onScreen.unobserve(old.tr);
      old.tr.replaceWith(tr);
    }
    onScreen.observe(tr);
    rows.set(name, { tr, sig, csig: chartSig(name) });
  }
  for (const [name, old] of state.rows) {
    if (!rows.has(name)) {
      onScreen.unobserve(old.tr);
      state.visible.delete(name);
    }
  }
  if (!moved) {
    const kids = body.children;
    moved = kids.length !== names.length || names.some((n, i) => kids[i] !== rows.get(n).tr);
  }
  if (moved) body.replaceChildren(...names.map(n => rows.get(n).tr));
  state.rows = rows;
}

// ---- the details panel ------------------------------------------------------

function select(name) {
  state.selected = name;
  state.openTraces.clear();
  const d = $('#details');
  d.hidden = false;
  fill(d,
    el('div', { id: 'd-head' }),
    el('div', { id: 'd-tasks' }),
    el('div', { id: 'd-offsets' }),
    el('div', { id: 'd-config' }));
  renderTable();
  renderDetails();
  loadInfo(name);
  loadOffsets();
  d.scrollIntoView({ block: 'nearest' });
}

// loadInfo reads a connector's configuration (GET /connectors/{name}):
// the list is asked for the connectors' status only, which keeps it small
// with thousands of connectors.
async function loadInfo(name) {
  let info;
  try {
    info = await api('GET', `connectors/${enc(name)}`);
  } catch {
    return null; // gone, or the worker is away: the refresh says so
  }
  state.info = { name, info };
  if (state.connectors[name]) state.connectors[name].info = info;
  if (state.selected === name) renderDetails();
  return info;
}

function closeDetails() {
  state.selected = null;
  $('#details').hidden = true;
  renderTable();
}

async function action(label, fn) {
  try {
    await fn();
    banner(label, 'info');
  } catch (e) {
    banner(e.message, 'error');
  }
  await refresh();
}

function renderDetails() {
  const name = state.selected;
  if (!name) return;
  const c = state.connectors[name];
  if (!c) {
    closeDetails();
    return;
  }
  const st = c.status?.connector?.state;
  const restartTasks = el('input', { type: 'checkbox', id: 'd-restart-tasks' });
  const restartFailed = el('input', { type: 'checkbox', id: 'd-restart-failed' });
  const path = `connectors/${enc(name)}`;
  fill($('#d-head'),
    el('div', { class: 'd-title' },
      el('h2', {}, el('span', { id: 'd-name', text: name }), ' ', badge(st)),
      el('button', { type: 'button', class: 'close', title: 'Close', onclick: closeDetails, text: '×' })),
    el('p', { class: 'muted' }, `${c.status?.type || c.info?.type || ''} connector · ${c.info?.config?.['connector.class'] || ''} · on worker `,
      el('span', { class: 'mono', text: c.status?.connector?.worker_id || '?' })),
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'd-pause', disabled: st === 'PAUSED', onclick: () => action(`Pausing ${name}.`, () => api('PUT', `${path}/pause`)), text: 'Pause' }),
      el('button', { type: 'button', id: 'd-resume', disabled: st === 'RUNNING', onclick: () => action(`Resuming ${name}.`, () => api('PUT', `${path}/resume`)), text: 'Resume' }),
      el('span', { class: 'restart' },
        el('button', {
          type: 'button', id: 'd-restart',
          onclick: () => action(`Restarting ${name}.`, () => api('POST', `${path}/restart?includeTasks=${restartTasks.checked}&onlyFailed=${restartFailed.checked}`)),
          text: 'Restart',
        }),
        el('label', {}, restartTasks, ' with tasks'),
        el('label', {}, restartFailed, ' only failed')),
      el('button', { type: 'button', id: 'd-stop', disabled: st === 'STOPPED', onclick: () => action(`Stopping ${name}.`, () => api('PUT', `${path}/stop`)), text: 'Stop' }),
      el('button', { type: 'button', id: 'd-edit', onclick: () => openEditor(name), text: 'Edit configuration' }),
      el('button', {
        type: 'button', id: 'd-delete', class: 'danger',
        onclick: () => {
          if (confirm(`Delete connector ${name}? Its configuration is removed; its offsets stay.`)) {
            action(`Deleted ${name}.`, async () => { await api('DELETE', path); closeDetails(); });
          }
        },
        text: 'Delete',
      })),
    c.status?.connector?.trace ? el('details', { class: 'trace' }, el('summary', { text: 'Connector failure trace' }), el('pre', { text: c.status.connector.trace })) : null);
  renderTasks(name, c);
  renderConfig(c);
}

function renderTasks(name, c) {
  const self = state.history?.worker_id;
  const hist = new Map(tasksHistory(name).map(t => [t.task, t]));
  const sink = (c.status?.type || c.info?.type) === 'sink';
  const rows = (c.status?.tasks || []).map(t => {
    const h = hist.get(t.id);
    const s = h ? h.samples : [];
    let charts;
    if (h) {
      charts = [
        el('td', {}, chart(s.map(x => x.in_per_sec), 'in', sink ? 'records read from Kafka per second' : 'records polled per second', '/s')),
        el('td', {}, chart(s.map(x => x.out_per_sec), 'out', sink ? 'records sent to the connector per second' : 'records written to Kafka per second', '/s')),
        el('td', {}, sink ? chart(s.map(x => x.lag_sum), 'lag', 'consumer lag, summed over partitions (max ' + fmtRate(s.length ? s[s.length - 1].lag_max : NaN) + ')', '') : el('span', { class: 'muted', text: '–' })),
        el('td', { class: 'num', text: String(s.reduce((n, x) => n + x.errors, 0)) }),
      ];
    } else {
      const where = t.worker_id && t.worker_id !== self ? `runs on ${t.worker_id}: open that worker's console for its charts` : 'no samples yet';
      charts = [el('td', { colspan: 4, class: 'muted', text: where })];
    }
    const trace = t.trace ? el('details', {
      class: 'trace', open: state.openTraces.has(t.id),
      ontoggle: (ev) => { if (ev.target.open) state.openTraces.add(t.id); else state.openTraces.delete(t.id); },
    }, el('summary', { text: 'Failure trace' }), el('pre', { text: t.trace })) : null;
    return [
      el('tr', { dataset: { task: String(t.id) } },
        el('td', { class: 'num', text: String(t.id) }),
        el('td', {}, badge(t.state)),
        el('td', { class: 'mono', text: t.worker_id || '' }),
        ...charts,
        el('td', {}, el('button', {
          type: 'button', class: 'small',
          onclick: () => action(`Restarting task ${t.id} of ${name}.`, () => api('POST', `connectors/${enc(name)}/tasks/${t.id}/restart`)),
          text: 'Restart',
        }))),
      trace ? el('tr', { class: 'trace-row' }, el('td', { colspan: 9 }, trace)) : null,
    ];
  });
  const span = state.history ? state.history.interval_ms * state.history.max_samples / 1000 : 600;
  const last = span >= 120 ? `${Math.round(span / 60)} minutes` : `${Math.round(span)} seconds`;
  fill($('#d-tasks'),
    el('h3', {}, 'Tasks ', el('span', { class: 'muted', text: `(charts: the last ${last} on this worker)` })),
    rows.length ? el('table', { class: 'grid tasks-table' },
      el('thead', {}, el('tr', {},
        ...['Task', 'State', 'Worker', sink ? 'Read/s' : 'Polled/s', sink ? 'Sent/s' : 'Written/s', 'Lag', 'Errors', ''].map(h => el('th', { text: h })))),
      el('tbody', {}, rows.flat())) : el('p', { class: 'muted', text: 'No tasks.' }));
}

function renderConfig(c) {
  const cfg = c.info?.config || {};
  const key = JSON.stringify(cfg);
  const box = $('#d-config');
  if (box.dataset.cfg === key) return;
  box.dataset.cfg = key;
  fill(box,
    el('h3', { text: 'Configuration' }),
    el('table', { class: 'grid kv' }, el('tbody', {}, Object.keys(cfg).sort().map(k =>
      el('tr', {}, el('td', { class: 'mono', text: k }), el('td', { class: 'mono wrap', text: cfg[k] }))))));
}

async function loadOffsets() {
  const name = state.selected;
  if (!name) return;
  const box = $('#d-offsets');
  let data;
  try {
    data = await api('GET', `connectors/${enc(name)}/offsets`);
  } catch (e) {
    fill(box, el('h3', { text: 'Offsets' }), el('p', { class: 'error-box', text: e.message }));
    return;
  }
  if (state.selected !== name) return;
  const offsets = data?.offsets || [];
  const stopped = state.connectors[name]?.status?.connector?.state === 'STOPPED';
  const editor = el('textarea', { id: 'd-offsets-edit', rows: Math.min(12, 3 + offsets.length * 4), spellcheck: 'false' });
  editor.value = JSON.stringify({ offsets }, null, 2);
  const path = `connectors/${enc(name)}`;
  fill(box,
    el('h3', {}, 'Offsets ', el('button', { type: 'button', class: 'small', onclick: loadOffsets, text: 'Reload' })),
    offsets.length ? el('table', { class: 'grid kv' },
      el('thead', {}, el('tr', {}, el('th', { text: 'Partition' }), el('th', { text: 'Offset' }))),
      el('tbody', {}, offsets.map(o => el('tr', {},
        el('td', { class: 'mono wrap', text: JSON.stringify(o.partition) }),
        el('td', { class: 'mono wrap', text: JSON.stringify(o.offset) })))))
      : el('p', { class: 'muted', text: 'No offsets committed.' }),
    el('p', { class: stopped ? 'muted' : 'note-warn' },
      'Offsets can be altered or reset only while the connector is STOPPED' + (stopped ? '.' : ': stop it first. '),
      stopped ? null : el('button', { type: 'button', class: 'small', onclick: () => action(`Stopping ${name}.`, () => api('PUT', `${path}/stop`)).then(loadOffsets), text: 'Stop connector' })),
    el('details', { class: 'offsets-edit' },
      el('summary', { text: 'Edit offsets (PATCH) or reset them (DELETE)' }),
      editor,
      el('div', { class: 'actions' },
        el('button', {
          type: 'button', disabled: !stopped,
          onclick: () => {
            let body;
            try { body = JSON.parse(editor.value); } catch (e) { banner('The offsets are not valid JSON: ' + e.message, 'error'); return; }
            action(`Altered the offsets of ${name}.`, () => api('PATCH', `${path}/offsets`, body)).then(loadOffsets);
          },
          text: 'Apply',
        }),
        el('button', {
          type: 'button', class: 'danger', disabled: !stopped,
          onclick: () => {
            if (confirm(`Reset every offset of ${name}?`)) action(`Reset the offsets of ${name}.`, () => api('DELETE', `${path}/offsets`)).then(loadOffsets);
          },
          text: 'Reset all',
        }))));
}

// ---- the create/edit form ---------------------------------------------------

const editor = {
  mode: 'create',
  timer: null,
  seq: 0,
  prefill: false,
};

async function loadPlugins() {
  if (state.plugins) return state.plugins;
  const list = await api('GET', 'connector-plugins');
  state.plugins = list.slice().sort((a, b) => a.class.localeCompare(b.class));
  const sel = $('#ed-class');
  sel.replaceChildren(el('option', { value: '', text: 'Choose a plugin…' }),
    ...state.plugins.map(p => el('option', { value: p.class, text: `${p.class.split('.').pop()} (${p.type}${p.version ? ' ' + p.version : ''})` })));
  return state.plugins;
}

function addRow(key, value) {
  const k = el('input', { class: 'k', placeholder: 'key', 'aria-label': 'key' });
  const v = el('input', { class: 'v', placeholder: 'value', 'aria-label': 'value' });
  k.value = key || '';
  v.value = value || '';
  const tr = el('tr', { dataset: { key: k.value } },
    el('td', {}, k), el('td', {}, v), el('td', { class: 'err' }),
    el('td', {}, el('button', { type: 'button', class: 'small', title: 'Remove', text: '×', onclick: () => { tr.remove(); scheduleValidate(); } })));
  k.addEventListener('input', () => { tr.dataset.key = k.value.trim(); scheduleValidate(); });
  v.addEventListener('input', scheduleValidate);
  $('#ed-rows tbody').append(tr);
  return tr;
}

function collect() {
  const cfg = {};
  for (const tr of $('#ed-rows tbody').children) {
    const k = $('.k', tr).value.trim();
    if (k) cfg[k] = $('.v', tr).value;
  }
  const name = $('#ed-name').value.trim();
  if (name) cfg.name = name;
  const cls = $('#ed-class').value;
  if (cls) cfg['connector.class'] = cls;
  return cfg;
}

async function openEditor(name) {
  banner('');
  const ed = $('#editor');
  ed.hidden = false;
  $('#ed-error').hidden = true;
  $('#ed-other').hidden = true;
  $('#ed-rows tbody').replaceChildren();
  $('#ed-status').textContent = '';
  for (const f of ed.querySelectorAll('.field .err')) f.textContent = '';
  try {
    await loadPlugins();
  } catch (e) {
    $('#ed-error').textContent = 'Cannot list the plugins: ' + e.message;
    $('#ed-error').hidden = false;
  }
  const nameInput = $('#ed-name');
  if (name) {
    editor.mode = 'edit';
    $('#editor-title').textContent = `Edit ${name}`;
    $('#ed-submit').textContent = 'Save';
    // The configuration as it is now.
    const cfg = (await loadInfo(name))?.config || state.connectors[name]?.info?.config || {};
    nameInput.value = name;
    nameInput.readOnly = true;
    $('#ed-class').value = cfg['connector.class'] || '';
    for (const k of Object.keys(cfg).sort()) {
      if (k !== 'name' && k !== 'connector.class') addRow(k, cfg[k]);
    }
    editor.prefill = false;
    scheduleValidate();
  } else {
    editor.mode = 'create';
    $('#editor-title').textContent = 'New connector';
    $('#ed-submit').textContent = 'Create';
    nameInput.value = '';
    nameInput.readOnly = false;
    $('#ed-class').value = '';
    addRow('tasks.max', '1');
  }
  ed.scrollIntoView({ block: 'nearest' });
  (name ? $('#ed-rows input.v') : nameInput)?.focus();
}

function scheduleValidate() {
  clearTimeout(editor.timer);
  $('#ed-status').textContent = 'Validating…';
  editor.timer = setTimeout(validate, VALIDATE_DELAY_MS);
}

async function validate() {
  const cls = $('#ed-class').value;
  if (!cls) {
    $('#ed-status').textContent = 'Choose a plugin to validate the configuration.';
    return;
  }
  const seq = ++editor.seq;
  let res;
  try {
    res = await api('PUT', `connector-plugins/${enc(cls)}/config/validate`, collect());
  } catch (e) {
    if (seq === editor.seq) $('#ed-status').textContent = 'Cannot validate: ' + e.message;
    return;
  }
  if (seq !== editor.seq) return; // an older answer
  const errors = new Map();
  const required = [];
  for (const c of res.configs || []) {
    const key = c.value?.name || c.definition?.name;
    if (!key) continue;
    if (c.value?.errors?.length) errors.set(key, c.value.errors);
    if (c.definition?.required) required.push(key);
  }
  const rows = new Map();
  for (const tr of $('#ed-rows tbody').children) rows.set(tr.dataset.key, tr);
  if (editor.prefill) {
    // A new plugin: a row for each key it requires, to fill in.
    editor.prefill = false;
    for (const key of new Set([...required, ...errors.keys()])) {
      if (key !== 'name' && key !== 'connector.class' && !rows.has(key)) rows.set(key, addRow(key, ''));
    }
  }
  // Each of a key's errors on a line of its own, beside the key.
  const show = (box, errs) => fill(box, errs.map(e => el('div', { text: e })));
  for (const [key, tr] of rows) {
    const errs = errors.get(key) || [];
    show($('.err', tr), errs);
    tr.classList.toggle('invalid', errs.length > 0);
  }
  for (const f of document.querySelectorAll('#editor .field')) {
    const errs = errors.get(f.dataset.key) || [];
    show($('.err', f), errs);
    f.classList.toggle('invalid', errs.length > 0);
  }
  const others = [...errors.keys()].filter(k => !rows.has(k) && k !== 'name' && k !== 'connector.class');
  const list = $('#ed-other ul');
  fill(list, ...others.map(k => el('li', { dataset: { key: k } },
    el('span', { class: 'mono', text: k }), ': ', errors.get(k).join(' '), ' ',
    el('button', { type: 'button', class: 'small', text: 'Add', onclick: () => { addRow(k, '').querySelector('.v').focus(); scheduleValidate(); } }))));
  $('#ed-other').hidden = others.length === 0;
  const n = res.error_count || 0;
  $('#ed-status').textContent = n ? `${n} error${n > 1 ? 's' : ''}` : 'Valid';
  $('#ed-status').className = n ? 'bad' : 'good';
}

async function submit(ev) {
  ev.preventDefault();
  const cfg = collect();
  const name = $('#ed-name').value.trim();
  const box = $('#ed-error');
  box.hidden = true;
  try {
    if (editor.mode === 'edit') {
      await api('PUT', `connectors/${enc(name)}/config`, cfg);
    } else {
      await api('POST', 'connectors', { name, config: cfg });
    }
  } catch (e) {
    box.textContent = e.message;
    box.hidden = false;
    return;
  }
  $('#editor').hidden = true;
  banner(editor.mode === 'edit' ? `Saved ${name}.` : `Created ${name}.`, 'info');
  await refresh();
  select(name);
}

// ---- refresh ----------------------------------------------------------------

async function refresh() {
  if (state.busy) return;
  state.busy = true;
  try {
    // The history changes once a sampling interval: asked no more often.
    const due = !state.history || Date.now() - state.historyAt >= Math.max(state.history.interval_ms, REFRESH_MS);
    const sel = state.selected;
    const [conns, hist, info] = await Promise.all([
      api('GET', 'connectors?expand=status'),
      // Only the samples since the newest kept here.
      due ? api('GET', 'sluice/metrics/history' + (state.history?.newest ? `?since=${state.history.newest}` : '')).catch(() => null) : null,
      sel ? api('GET', `connectors/${enc(sel)}`).catch(() => null) : null,
    ]);
    state.connectors = conns || {};
    if (info) state.info = { name: sel, info };
    if (state.info && state.connectors[state.info.name]) state.connectors[state.info.name].info = state.info.info;
    if (due) {
      state.historyAt = Date.now();
      state.history = mergeHistory(state.history, hist);
    }
    $('#self-id').textContent = state.history?.worker_id || 'unknown';
    const t0 = performance.now();
    renderTable();
    renderDetails();
    // Read by the browser tests (and the browser's performance panel).
    performance.measure('sluice-render', { start: t0 });
    $('#updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
    if ($('#banner').classList.contains('offline')) banner('');
  } catch (e) {
    banner('Cannot reach the worker: ' + e.message, 'error offline');
  } finally {
    state.busy = false;
  }
}

async function loadWorker() {
  try {
    const info = await api('GET', '');
    fill($('#worker'),
      el('span', { text: 'version ' + (info.version || '?') }),
      info.commit ? el('span', { class: 'mono', text: 'commit ' + String(info.commit).slice(0, 12) }) : null,
      info.kafka_cluster_id ? el('span', { text: 'cluster ' + info.kafka_cluster_id }) : null);
  } catch (e) {
    $('#worker').textContent = e.message;
  }
}

function init() {
  $('#new-connector').addEventListener('click', () => openEditor(null));
  $('#ed-add').addEventListener('click', () => { addRow('', '').querySelector('.k').focus(); });
  $('#ed-cancel').addEventListener('click', () => { $('#editor').hidden = true; });
  $('#ed-class').addEventListener('change', () => { editor.prefill = editor.mode === 'create'; scheduleValidate(); });
  $('#ed-name').addEventListener('input', scheduleValidate);
  $('#editor-form').addEventListener('submit', submit);
  loadWorker();
  loop();
}

// loop refreshes every REFRESH_MS, or less often when a refresh takes
// long (thousands of connectors, a slow link): at most a fifth of the
// time is spent refreshing.
async function loop() {
  const t0 = performance.now();
  await refresh();
  setTimeout(loop, Math.max(REFRESH_MS, 5 * (performance.now() - t0)));
}

init();
