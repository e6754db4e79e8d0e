// erythro teach: the page. One run (A) or two (A and B, compare mode), each
// a session on the server running the real model; frames arrive by
// server-sent events after every simulated day and are drawn at most once
// per animation frame.
"use strict";

const COLORS = { A: "#c0392b", B: "#2563eb", healthy: "#9a9a9a" };
const COURSES = [
  ["hb_g_dl", "Hemoglobin", "g/dL"],
  ["mcv_fl", "MCV", "fL"],
  ["rdw_cv_pct", "RDW-CV", "%"],
  ["ferritin_ug_l", "Ferritin", "ug/L"],
  ["tsat_pct", "Transferrin saturation", "%"],
  ["mean_divisions", "Divisions per lineage", ""],
];
const runs = { A: null, B: null };
let meta = null;
let compare = false;
let dirty = false;
const charts = {};

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

async function api(path, body, method) {
  const opts = { method: method || (body === undefined ? "GET" : "POST"), headers: {} };
  if (body !== undefined) {
    opts.headers["content-type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new Error((data && data.error) || r.statusText);
  return data;
}

function say(message) { $("message").textContent = message || ""; }

// ---- runs -----------------------------------------------------------------

async function createRun(key, preset, seed) {
  const old = runs[key];
  if (old) { old.source.close(); api(`/api/sessions/${old.id}`, undefined, "DELETE").catch(() => {}); }
  const state = await api("/api/sessions", { preset, seed });
  const run = { key, id: state.session, state, history: state.history, lineage: state.lineage, drawnLineage: -1, source: null };
  runs[key] = run;
  connect(run);
  dirty = true;
  return run;
}

function connect(run) {
  const source = new EventSource(`/api/sessions/${run.id}/stream`);
  source.addEventListener("frame", (e) => applyFrame(run, JSON.parse(e.data)));
  source.addEventListener("lagged", () => refetch(run));
  run.source = source;
}

async function refetch(run) {
  const state = await api(`/api/sessions/${run.id}`);
  run.state = state;
  run.history = state.history;
  run.lineage = state.lineage;
  run.drawnLineage = -1;
  dirty = true;
}

function applyFrame(run, f) {
  if (runs[run.key] !== run || f.seq <= run.state.seq) return;
  if (f.epoch !== run.state.epoch) { refetch(run); return; }
  for (const p of f.history) run.history.push(p);
  if (f.lineage) run.lineage = f.lineage;
  f.healthy_histogram = run.state.healthy_histogram;
  run.state = f;
  dirty = true;
}

function activeRuns() { return compare && runs.B ? [runs.A, runs.B] : [runs.A]; }
function target() {
  const t = document.querySelector('input[name="target"]:checked').value;
  return compare && t === "B" && runs.B ? runs.B : runs.A;
}

// One run plays on the server. Two (compare mode) play in lockstep from
// here: each tick steps both by a day and waits for both, so the curves
// stay on the same days whichever run is slower to compute.
let together = false;

async function command(body) {
  try {
    if (compare && runs.B && body.action === "play") { playTogether(); return; }
    if (body.action === "pause" || body.action === "reset") together = false;
    for (const run of activeRuns()) await api(`/api/sessions/${run.id}/command`, body);
  } catch (e) { say(e.message); }
}

async function playTogether() {
  if (together) return;
  together = true;
  dirty = true;
  while (together && compare && runs.B) {
    const started = performance.now();
    try {
      await Promise.all(activeRuns().map((r) => api(`/api/sessions/${r.id}/command`, { action: "step", days: 1 })));
    } catch (e) { say(e.message); break; }
    const wait = 1000 / Number($("speed").value) - (performance.now() - started);
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
  }
  together = false;
  dirty = true;
}

// ---- controls -------------------------------------------------------------

function buildSliders() {
  for (const l of meta.limits) {
    const box = $(l.restarts ? "sliders-marrow" : "sliders-live");
    const div = document.createElement("div");
    div.className = "slider";
    div.innerHTML = `<label>${esc(l.label)} <span class="value" id="v-${l.field}"></span>
      <input type="range" data-field="${l.field}" min="${l.low}" max="${l.high}" step="${l.step}"></label>`;
    box.appendChild(div);
    const input = div.querySelector("input");
    input.addEventListener("input", () => { $(`v-${l.field}`).textContent = `${input.value} ${l.unit}`; });
    input.addEventListener("change", () => sendControls({ [l.field]: Number(input.value) }));
  }
}

async function sendControls(patch) {
  const run = target();
  try {
    const reply = await api(`/api/sessions/${run.id}/controls`, patch);
    say(reply.message);
  } catch (e) { say(e.message); dirty = true; }
}

function showControls() {
  const run = target();
  if (!run) return;
  const c = run.state.controls;
  for (const l of meta.limits) {
    const input = document.querySelector(`input[data-field="${l.field}"]`);
    if (document.activeElement !== input) input.value = c[l.field];
    $(`v-${l.field}`).textContent = `${Number(input.value)} ${l.unit}`;
  }
  if (document.activeElement !== $("rule")) $("rule").value = c.division_rule;
}

// ---- drawing --------------------------------------------------------------

function fmt(v) {
  if (!isFinite(v)) return "-";
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function drawMonitors() {
  const rs = activeRuns();
  const first = rs[0].state.monitors;
  $("monitors").innerHTML = first.map((m, i) => {
    const cells = rs.map((r) => {
      const x = r.state.monitors[i];
      const tag = rs.length > 1 ? `<span class="tag ${r.key.toLowerCase()}">${r.key}</span> ` : "";
      return `<div class="v">${tag}${fmt(x.value)} <small>${esc(x.unit)}</small><span class="flag ${x.flag}">${x.flag}</span></div>`;
    }).join("");
    const worst = rs.map((r) => r.state.monitors[i].flag).find((f) => f) || "";
    return `<div class="monitor ${worst}" data-field="${m.field}"><div class="name">${esc(m.label)}</div>${cells}
      <div class="range">reference ${fmt(m.low)}-${fmt(m.high)}</div></div>`;
  }).join("");
}

function chartWidth(el) { return Math.max(240, el.clientWidth - 16); }

function makeHist() {
  const el = $("hist");
  const series = [{}, { label: "healthy", stroke: COLORS.healthy, fill: "rgba(150,150,150,0.25)", width: 1 },
    { label: "A", stroke: COLORS.A, width: 2 }, { label: "B", stroke: COLORS.B, width: 2, show: false }];
  charts.hist = new uPlot({ width: chartWidth(el), height: 220, series,
    scales: { x: { time: false } },
    axes: [{ label: "volume, fL" }, { label: "% of cells", size: 50 }] }, [[], [], [], []], el);
}

function drawHist() {
  const a = runs.A.state;
  const xs = a.histogram.map((_, i) => a.histogram_lower_fl + i + 0.5);
  const pct = (h) => (h ? h.map((v) => v * 100) : xs.map(() => null));
  const b = compare && runs.B ? runs.B.state.histogram : null;
  charts.hist.setSeries(3, { show: !!b });
  charts.hist.setData([xs, pct(a.healthy_histogram), pct(a.histogram), pct(b)]);
}

function makeCourses() {
  const row = $("timecourses");
  for (const [field, label, unit] of COURSES) {
    const fig = document.createElement("figure");
    fig.className = "card";
    fig.innerHTML = `<figcaption>${esc(label)}${unit ? ", " + esc(unit) : ""}</figcaption><div id="tc-${field}"></div>`;
    row.appendChild(fig);
    const el = fig.querySelector("div");
    charts[field] = new uPlot({ width: chartWidth(el), height: 150, legend: { show: false },
      scales: { x: { time: false } },
      series: [{}, { stroke: COLORS.A, width: 2, spanGaps: true }, { stroke: COLORS.B, width: 2, spanGaps: true, show: false }],
      axes: [{ label: "day" }, { size: 50 }] }, [[], [], []], el);
  }
}

function drawCourses() {
  const rs = activeRuns();
  const n = Math.max(...rs.map((r) => r.history.length));
  const days = [];
  for (let i = 0; i < n; i++) days.push(i);
  for (const [field] of COURSES) {
    const col = (r) => days.map((d) => (r && r.history[d] ? r.history[d][field] : null));
    const b = rs.length > 1 ? rs[1] : null;
    charts[field].setSeries(2, { show: !!b });
    charts[field].setData([days, col(rs[0]), col(b)]);
  }
}

// Shade of a hemoglobin concentration (g/dL): white (none) to dark red.
function shade(chc) {
  const t = Math.max(0, Math.min(1, chc / 34));
  const lerp = (a, b) => Math.round(a + (b - a) * t);
  return `rgb(${lerp(255, 122)},${lerp(250, 16)},${lerp(245, 32)})`;
}

// The lineage tree as SVG: node k divides into 2k and 2k+1; time runs down;
// circle area is the cell's volume, its fill its hemoglobin concentration.
function treeSvg(rec, color) {
  const W = 560, H = 330, top = 40, bottom = 30;
  const cells = new Map(rec.cells.map((c) => [c.node, c]));
  const tMax = Math.max(...rec.cells.map((c) => c.end_h), 1);
  const y = (h) => top + (h / tMax) * (H - top - bottom);
  const x = (node) => {
    const d = Math.floor(Math.log2(node));
    const i = node - 2 ** d;
    return 20 + ((i + 0.5) / 2 ** d) * (W - 40);
  };
  const r = (v) => Math.max(1.5, 2.2 * Math.sqrt(v / 20));
  let lines = "", dots = "";
  for (const c of rec.cells) {
    const px = c.node > 1 && cells.has(c.node >> 1) ? x(c.node >> 1) : x(c.node);
    const py = c.node > 1 && cells.has(c.node >> 1) ? y(cells.get(c.node >> 1).end_h) : y(c.born_h);
    lines += `<path d="M${px.toFixed(1)},${py.toFixed(1)} L${x(c.node).toFixed(1)},${y(c.end_h).toFixed(1)}" stroke="#bbb" fill="none"/>`;
    const cx = x(c.node).toFixed(1), cy = y(c.end_h).toFixed(1);
    const chc = c.end_volume_fl > 0 ? (100 * c.end_hb_pg) / c.end_volume_fl : 0;
    if (c.fate === "died") {
      dots += `<text x="${cx}" y="${cy}" text-anchor="middle" dominant-baseline="middle" fill="#555" font-size="12">&#215;</text>`;
    } else {
      dots += `<circle cx="${cx}" cy="${cy}" r="${r(c.end_volume_fl).toFixed(1)}" fill="${shade(chc)}" stroke="#555" stroke-width="0.6"><title>${c.fate}, ${c.divisions} divisions, ${c.end_volume_fl.toFixed(0)} fL, ${chc.toFixed(1)} g/dL</title></circle>`;
    }
  }
  const retics = rec.cells.filter((c) => c.fate === "released");
  const mean = (f) => retics.reduce((s, c) => s + f(c), 0) / Math.max(1, retics.length);
  const divs = mean((c) => c.divisions);
  const vol = mean((c) => c.end_volume_fl);
  const died = rec.cells.filter((c) => c.fate === "died").length;
  const extra = divs > 4.5 ? `<tspan fill="#c0392b" font-weight="bold"> an extra division</tspan>` : "";
  return `<svg viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg" role="img">
    <text x="8" y="16" font-size="13" font-weight="600" fill="${color}">${esc(rec.label)}: entered day ${rec.entry_day.toFixed(1)}, TSAT ${rec.tsat_pct.toFixed(0)}%</text>
    <text x="8" y="32" font-size="12">${retics.length} reticulocytes, ${divs.toFixed(1)} divisions each, ${vol.toFixed(0)} fL${died ? `, ${died} died` : ""};${extra}</text>
    ${lines}${dots}
    <text x="8" y="${H - 8}" font-size="11" fill="#666">time runs down (${(tMax / 24).toFixed(1)} days); circle area: volume; shade: hemoglobin concentration</text>
  </svg>`;
}

function drawTrees() {
  for (const key of ["A", "B"]) {
    const el = $(`tree-${key.toLowerCase()}`);
    const run = runs[key];
    const show = key === "A" || (compare && run);
    el.hidden = !show;
    if (!show || !run) continue;
    const seq = run.lineage ? run.state.lineage_seq : 0;
    if (seq === run.drawnLineage && run.state.epoch === run.drawnEpoch) continue;
    run.drawnLineage = seq;
    run.drawnEpoch = run.state.epoch;
    el.innerHTML = run.lineage
      ? treeSvg(run.lineage, COLORS[key])
      : `<p class="note">Run ${key}: following the lineages that entered on day ${run.state.day.toFixed(0)} or later; a tree appears once all their cells have left the marrow (about a week of simulated time).</p>`;
  }
}

function drawStatus() {
  const rs = activeRuns();
  const playing = (r) => r.state.playing || together;
  $("status").textContent = rs.map((r) => `${r.key}: day ${r.state.day.toFixed(0)}, ${playing(r) ? "playing" : "paused"} (seed ${r.state.seed})`).join("; ") +
    (together ? " - in step, one day at a time" : "");
  const s = runs.A.state.scale;
  $("scale").textContent = `Teaching scale: 1/${meta.teaching_scale} of the configs' agent count ` +
    `(${s.marrow_agents.toLocaleString("en")} marrow agents, ${s.blood_agents.toLocaleString("en")} red-cell agents; ` +
    `each marrow agent stands for ${s.cells_per_agent.toExponential(1)} cells). ` +
    (s.ms_per_week > 0 ? `A simulated week takes ${s.ms_per_week.toFixed(0)} ms on this computer.` : "");
}

function render() {
  if (dirty && runs.A) {
    dirty = false;
    drawMonitors();
    drawHist();
    drawCourses();
    drawTrees();
    drawStatus();
    showControls();
  }
  requestAnimationFrame(render);
}

// ---- info panel -----------------------------------------------------------

function drawInfo() {
  const p = meta.presets.find((x) => x.id === $("preset").value);
  const li = (xs) => xs.map((x) => `<li>${esc(x)}</li>`).join("");
  $("info-preset").innerHTML = `<h3>${esc(p.title)}: what it is</h3><p>${esc(p.comment)}</p>
    <h3>Things to notice</h3><ul>${li(p.notice)}</ul>
    <h3>Things to try</h3><ul>${li(p.try_this)}</ul>
    <p class="note">From <code>${esc(p.file)}</code>; what it sets (every other value is the model's default):</p><pre>${esc(p.settings.trim())}</pre>`;
  $("info-model").innerHTML = meta.how_it_works.split(/\n\s*\n/).map((para) =>
    para.startsWith("## ") ? `<h3>${esc(para.slice(3))}</h3>` : `<p>${esc(para)}</p>`).join("");
}

// ---- start ----------------------------------------------------------------

async function main() {
  meta = await api("/api/presets");
  for (const id of ["preset", "preset-b"]) {
    $(id).innerHTML = meta.presets.map((p) => `<option value="${p.id}">${esc(p.title)}</option>`).join("");
  }
  $("preset-b").value = "ida_diet";
  buildSliders();
  makeHist();
  makeCourses();
  drawInfo();
  await createRun("A", $("preset").value, Number($("seed").value));
  requestAnimationFrame(render);

  const load = async (key) => {
    const preset = $(key === "A" ? "preset" : "preset-b").value;
    const seed = Number($(key === "A" ? "seed" : "seed-b").value);
    try {
      if (runs[key]) await api(`/api/sessions/${runs[key].id}/preset`, { preset, seed });
      else await createRun(key, preset, seed);
      say("");
    } catch (e) { say(e.message); }
    if (key === "A") drawInfo();
  };
  $("preset").addEventListener("change", () => load("A"));
  $("load").addEventListener("click", () => load("A"));
  $("preset-b").addEventListener("change", () => load("B"));
  $("load-b").addEventListener("click", () => load("B"));
  $("compare").addEventListener("change", async () => {
    compare = $("compare").checked;
    $("compare-controls").hidden = !compare;
    together = false;
    // Both runs start paused, side by side.
    await api(`/api/sessions/${runs.A.id}/command`, { action: "pause" }).catch(() => {});
    if (compare && !runs.B) await load("B");
    dirty = true;
  });
  for (const r of document.querySelectorAll('input[name="target"]')) r.addEventListener("change", () => { dirty = true; });
  $("play").addEventListener("click", () => command({ action: "play" }));
  $("pause").addEventListener("click", () => command({ action: "pause" }));
  $("step").addEventListener("click", () => command({ action: "step", days: 1 }));
  $("reset").addEventListener("click", () => command({ action: "reset" }));
  $("speed").addEventListener("change", () => command({ action: "speed", speed: Number($("speed").value) }));
  $("rule").addEventListener("change", () => sendControls({ division_rule: $("rule").value }));
  window.addEventListener("resize", () => {
    for (const [key, chart] of Object.entries(charts)) {
      const el = key === "hist" ? $("hist") : $(`tc-${key}`);
      chart.setSize({ width: chartWidth(el), height: chart.height });
    }
  });
  // Speed follows the selector for new runs too.
  await command({ action: "speed", speed: Number($("speed").value) });
}

// For the browser test and the curious: the runs and charts of this page.
window.erythroTeach = { runs, charts };

main().catch((e) => say(`The page could not start: ${e.message}`));
