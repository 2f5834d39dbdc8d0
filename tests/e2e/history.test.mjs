// Run history: finished runs are kept in IndexedDB across reloads, listed with their
// settings, renamed, exported, deleted, and overlaid on the ICL-error chart (each with its
// own legend entry), including a run overlaid from a file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, openApp, waitConfigured, waitResumed, canvasInk, text, shot, ARTIFACTS, SMALL } from './harness.mjs';

let server;
let context;
before(async () => { server = await serveDist(); context = await launch({ webgpu: false }); });
after(async () => { await context?.close(); await server?.close(); });

const itemCount = (page) => page.locator('[data-testid=history-item]').count();
const names = (page) => page.locator('[data-testid^=history-name-]').allInnerTexts();

async function waitItems(page, n, timeout = 120_000) {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=history-item]').length === n, n, { timeout });
}

/** Waits for the page after a reload: the app is up and the history was read back. */
async function reload(page, n) {
  await page.reload();
  await page.waitForSelector('[data-testid=badge]');
  await waitItems(page, n, 30_000);
}

/** The ICL-error chart exported as SVG (the download the SVG button starts). */
async function errorChartSvg(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=error-chart-svg]')]);
  return fs.readFileSync(await download.path(), 'utf8');
}

/** Exports the chart until its legend names all of `names` (overlays land asynchronously);
 *  fails with the names that never appeared. */
async function svgNaming(page, names, tries = 20) {
  let svg = '';
  for (let i = 0; i < tries; i += 1) {
    svg = await errorChartSvg(page);
    if (names.every((n) => svg.includes(n))) return svg;
    await page.waitForTimeout(250);
  }
  assert.fail(`the ICL-error chart's legend never named ${names.filter((n) => !svg.includes(n)).join(', ')}`);
}

const canvasPixels = (page) => page.evaluate(() => document.querySelector('[data-testid=error-chart]').toDataURL());

test('history survives a reload and can overlay two runs', { timeout: 420_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, SMALL);
  await page.waitForSelector('[data-testid=history-empty]');
  assert.equal(await itemCount(page), 0, 'a fresh browser keeps no runs');

  // Two finished runs: the second with another seed.
  await waitConfigured(page);
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 120_000 });
  await waitItems(page, 1);
  await page.fill('[data-testid=seed]', '7');
  await page.locator('[data-testid=seed]').dispatchEvent('change');
  await page.waitForFunction(() => location.search.includes('seed=7'));
  await page.click('[data-testid=train]');
  await waitItems(page, 2);
  assert.equal(await page.locator('[data-testid=phase]').textContent(), 'done', 'the second run is kept once it is done');
  const kept = await names(page);
  assert.equal(kept.length, 2);
  assert.notEqual(kept[0], kept[1], 'each run has its own name');
  assert.match(kept[0], /seed 7/, `the newest run is listed first: ${kept}`);
  const summary = await text(page, 'history-summary-0');
  for (const part of ['linear D=2 K=4', 'transformer d=8 L=1 H=1', '20 steps', 'seed 7']) {
    assert.ok(summary.includes(part), `the summary names "${part}": ${summary}`);
  }
  assert.ok(!(await text(page, 'history-summary-1')).includes('seed 7'), 'the first run has its own seed');

  // The history survives a reload.
  await reload(page, 2);
  assert.deepEqual(await names(page), kept, 'the same runs, in the same order, after a reload');

  // Overlay both: each gets a legend entry and the canvas changes.
  const before = await canvasPixels(page);
  const chartSvgBefore = await errorChartSvg(page);
  for (const n of kept) assert.ok(!chartSvgBefore.includes(n), `"${n}" is not on the chart before it is overlaid`);
  await page.click('[data-testid=history-overlay-0]');
  await page.click('[data-testid=history-overlay-1]');
  await page.waitForFunction(() => document.querySelectorAll('.history-item.overlaid').length === 2, null, { timeout: 30_000 });
  await svgNaming(page, kept);
  await page.waitForFunction((b) => document.querySelector('[data-testid=error-chart]').toDataURL() !== b, before, { timeout: 10_000 });
  assert.ok((await canvasInk(page, 'error-chart')).inked > 0.02, 'the chart with overlays is drawn');
  await shot(page, 'history');

  // Rename the older run; the name and the overlays survive a reload.
  await page.fill('[data-testid=history-rename-input-1]', 'baseline seed');
  await page.click('[data-testid=history-rename-1]');
  await page.waitForFunction(() => document.querySelector('[data-testid=history-name-1]')?.textContent === 'baseline seed');
  await reload(page, 2);
  assert.deepEqual(await names(page), [kept[0], 'baseline seed']);
  assert.ok(await page.isChecked('[data-testid=history-overlay-0]') && await page.isChecked('[data-testid=history-overlay-1]'), 'the overlays are kept');
  await svgNaming(page, [kept[0], 'baseline seed']);

  // Export the newer run: a run file.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=history-export-0]')]);
  assert.match(download.suggestedFilename(), /^Run-\d+-seed-7\.json$/);
  const exported = path.join(ARTIFACTS, 'history-export.json');
  fs.copyFileSync(await download.path(), exported);
  const run = JSON.parse(fs.readFileSync(exported, 'utf8'));
  assert.equal(run.schema, 'icl-lab/run');
  assert.equal(run.steps, 20);
  assert.equal(run.config.train.seed, 7);
  assert.ok(run.evals.length > 0, 'with its evaluations');

  // Delete it: gone, also after a reload, and off the chart.
  await page.click('[data-testid=history-delete-0]');
  await waitItems(page, 1, 10_000);
  assert.deepEqual(await names(page), ['baseline seed']);
  await reload(page, 1);
  // The deleted run is the one on screen, and the reload resumes it as done: it stays deleted.
  assert.equal(await waitResumed(page), 20, 'the deleted run is resumed on screen, done');
  assert.equal(await page.locator('[data-testid=phase]').textContent(), 'done');
  assert.deepEqual(await names(page), ['baseline seed'], 'a resumed run the user deleted is not kept again');
  const svgAfterDelete = await svgNaming(page, ['baseline seed']);
  assert.ok(!svgAfterDelete.includes(kept[0]), 'a deleted run leaves the chart');

  // Overlay a file: it is kept (named after the file) and overlaid.
  await page.setInputFiles('[data-testid=history-import]', exported);
  await waitItems(page, 2, 10_000);
  assert.equal((await names(page))[0], 'history-export');
  assert.ok(await page.isChecked('[data-testid=history-overlay-0]'), 'an imported run is overlaid');
  await svgNaming(page, ['history-export', 'baseline seed']);
  await shot(page, 'history-imported');

  assert.deepEqual(errors, []);
});
