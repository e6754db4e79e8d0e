// The classroom page in a real browser: Debian's chromium driven by
// playwright-core (no browser download). It opens the page served by
// `erythro teach` (TEACH_URL), picks a preset, moves a slider, plays,
// pauses, steps and resets, checks that the plots, the monitors and the
// lineage tree change, that the console shows no error, and saves
// screenshots (healthy vs iron-deficient comparison) to screenshots/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const URL = process.env.TEACH_URL;
const SHOTS = new globalThis.URL("./screenshots/", import.meta.url).pathname;
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const day = (page, key = "A") => page.evaluate((k) => window.erythroTeach.runs[k].state.day, key);
const monitors = (page) => page.$$eval("#monitors .monitor .v", (els) => els.map((e) => e.textContent).join("|"));
const shot = (page, sel) => page.locator(sel).screenshot();
const setSlider = (page, field, value) => page.$eval(`input[data-field="${field}"]`, (el, v) => {
  el.value = String(v);
  el.dispatchEvent(new Event("input", { bubbles: true }));
  el.dispatchEvent(new Event("change", { bubbles: true }));
}, value);
async function waitDay(page, atLeast, key = "A") {
  await page.waitForFunction(([d, k]) => {
    const r = window.erythroTeach.runs[k];
    return r && r.state.day >= d;
  }, [atLeast, key], { timeout: 120000 });
}

test("the classroom page plays the real model and shows no console error", { timeout: 300000 }, async () => {
  assert.ok(URL, "TEACH_URL must name the running erythro teach (run.sh sets it)");
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ARGS });
  const problems = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(URL);
    await page.waitForSelector("#monitors .monitor");
    await page.waitForSelector("#hist canvas");
    assert.match(await page.textContent("#scale"), /Teaching scale: 1\/20/);
    assert.match(await page.textContent("#info"), /Things to try/);

    // A preset: the iron-deficient diet starts with empty stores.
    const healthyMonitors = await monitors(page);
    const healthyHist = await shot(page, "#hist");
    await page.selectOption("#preset", "ida_diet");
    await page.waitForFunction(() => window.erythroTeach.runs.A.state.preset === "ida_diet");
    await page.waitForFunction((m) => {
      const v = [...document.querySelectorAll("#monitors .monitor .v")].map((e) => e.textContent).join("|");
      return v !== m;
    }, healthyMonitors);
    assert.match(await page.textContent("#info-preset"), /Iron-deficient diet/);
    assert.match(await page.textContent('#monitors .monitor[data-field="ferritin_ug_l"]'), /L/, "ferritin is flagged low");

    // A slider: blood loss 40 mL/day acts on the running model.
    await setSlider(page, "bleeding_ml_per_day", 40);
    await page.waitForFunction(() => window.erythroTeach.runs.A.state.controls.bleeding_ml_per_day === 40);
    assert.match(await page.textContent("#v-bleeding_ml_per_day"), /40 mL\/day/);

    // Play: days pass, the time courses and the histogram move, a tree appears.
    const coursesBefore = await shot(page, "#tc-hb_g_dl");
    await page.selectOption("#speed", "60");
    await page.click("#play");
    await waitDay(page, 14);
    await page.waitForSelector("#tree-a svg circle", { timeout: 120000 });
    assert.notDeepEqual(await shot(page, "#tc-hb_g_dl"), coursesBefore, "the hemoglobin course moved");
    assert.notDeepEqual(await shot(page, "#hist"), healthyHist, "the histogram changed");

    // Pause: time stands still.
    await page.click("#pause");
    await page.waitForFunction(() => !window.erythroTeach.runs.A.state.playing);
    const paused = await day(page);
    await page.waitForTimeout(1000);
    assert.equal(await day(page), paused, "paused runs do not advance");

    // Step: exactly one day.
    await page.click("#step");
    await page.waitForFunction((d) => window.erythroTeach.runs.A.state.day === d + 1, paused);
    const stepped = await monitors(page);
    assert.match(await page.textContent("#status"), new RegExp(`A: day ${paused + 1}, paused`));

    // Reset: back to the preset's steady state, the slider back to the preset's value.
    await page.click("#reset");
    await page.waitForFunction(() => window.erythroTeach.runs.A.state.day === 0);
    await page.waitForFunction(() => window.erythroTeach.runs.A.state.controls.bleeding_ml_per_day === 0);
    assert.notEqual(await monitors(page), stepped);

    // A bad value is refused with a clear message (sent from here, not the
    // page: the browser would log the 400 as a console error).
    const id = await page.evaluate(() => window.erythroTeach.runs.A.id);
    const r = await fetch(`${URL}api/sessions/${id}/controls`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ il6_pg_ml: 1e6 }) });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error, "il6_pg_ml = 1000000 is out of range: expected [0, 200] pg/mL");

    // Compare: a healthy woman (A) against the iron-deficient diet with
    // 20 mL/day of blood loss (B), same seed, in step for 100 days.
    await page.selectOption("#preset", "healthy_woman");
    await page.waitForFunction(() => window.erythroTeach.runs.A.state.preset === "healthy_woman");
    await page.check("#compare");
    await page.waitForFunction(() => window.erythroTeach.runs.B && window.erythroTeach.runs.B.state.preset === "ida_diet");
    await page.waitForSelector("#monitors .tag.b");
    await page.check('input[name="target"][value="B"]');
    await setSlider(page, "bleeding_ml_per_day", 20);
    await page.waitForFunction(() => window.erythroTeach.runs.B.state.controls.bleeding_ml_per_day === 20);
    assert.equal(await page.evaluate(() => window.erythroTeach.runs.A.state.controls.bleeding_ml_per_day), 0, "the slider moved B only");
    await page.click("#play");
    await waitDay(page, 100, "A");
    await waitDay(page, 100, "B");
    await page.click("#pause");
    await page.waitForFunction(() => !/in step/.test(document.getElementById("status").textContent));
    const days = await page.evaluate(() => ["A", "B"].map((k) => window.erythroTeach.runs[k].state.day));
    assert.ok(Math.abs(days[0] - days[1]) <= 1, `the runs played in step: ${days}`);
    await page.waitForFunction(() => window.erythroTeach.runs.B.lineage && window.erythroTeach.runs.B.lineage.entry_day >= 60, null, { timeout: 120000 });
    await page.waitForSelector("#tree-b svg circle");
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}compare_healthy_vs_iron_deficient.png`, fullPage: true });
    await page.locator("#hist").screenshot({ path: `${SHOTS}compare_histogram.png` });
    await page.locator("#trees").screenshot({ path: `${SHOTS}compare_trees.png` });
    await page.locator("#monitors").screenshot({ path: `${SHOTS}compare_monitors.png` });
    await page.locator("#timecourses").screenshot({ path: `${SHOTS}compare_timecourses.png` });
    const [a, b] = await page.evaluate(() => ["A", "B"].map((k) => {
      const r = window.erythroTeach.runs[k];
      const mcv = r.state.monitors.find((m) => m.field === "mcv_fl");
      const retics = r.lineage.cells.filter((c) => c.fate === "released");
      const divisions = retics.reduce((s, c) => s + c.divisions, 0) / retics.length;
      return { mcv: mcv.value, flag: mcv.flag, divisions };
    }));
    assert.ok(a.mcv > 80 && a.flag === "", `healthy MCV ${a.mcv}`);
    assert.ok(b.mcv < a.mcv - 5, `iron-deficient MCV ${b.mcv} against ${a.mcv}`);
    assert.ok(b.divisions > a.divisions + 0.5, `the iron-short lineage divides more: ${b.divisions} against ${a.divisions}`);
    assert.match(await page.textContent("#tree-b"), /an extra division/);

    // The console check itself works: a deliberate error is seen.
    const seen = problems.length;
    await page.evaluate(() => console.error("probe of the console check"));
    await page.waitForTimeout(100);
    assert.equal(problems.length, seen + 1, "the console listener sees errors");
    problems.pop();
  } finally {
    await browser.close();
  }
  assert.deepEqual(problems, [], "the console showed no error");
});
