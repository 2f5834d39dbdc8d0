// Without WebGPU the app says so once and trains on burn's CPU backend; the reference
// workload runs there too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serveDist, launch, openApp, waitConfigured, waitSteps, stepCount, text, canvasInk, mainThreadMonitor, shot } from './harness.mjs';

let server;
let context;
before(async () => { server = await serveDist(); context = await launch({ webgpu: false }); });
after(async () => { await context?.close(); await server?.close(); });

test('no WebGPU: plain fallback notice, CPU badge, CPU preset trains and its loss falls', { timeout: 600_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, '?D=4&K=16&d=32&L=2&H=2&B=32&lr=0.003&steps=300&evalN=256&evalEvery=50');
  await waitConfigured(page);
  assert.match(await text(page, 'backend-note'), /WebGPU unavailable/);
  assert.equal(await text(page, 'badge'), 'CPU');
  const monitor = await mainThreadMonitor(page);
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 500_000 });
  const { longestTaskMs, longestTaskCpuMs, longestGapMs } = await monitor.stop();
  console.log(`# CPU preset: 300 steps at ${await text(page, 'steps-per-s')} steps/s; longest main-thread task ${longestTaskMs.toFixed(1)} ms (${longestTaskCpuMs.toFixed(1)} ms CPU), longest heartbeat gap ${longestGapMs.toFixed(1)} ms`);
  // The page's own work per task is bounded by its CPU time; wall time and the heartbeat
  // also count preemption by whatever else runs on the machine, so they get a looser bound.
  assert.ok(longestTaskCpuMs < 50, `a main-thread task used ${longestTaskCpuMs} ms of CPU`);
  assert.ok(longestTaskMs < 250, `a main-thread task took ${longestTaskMs} ms`);
  assert.ok(longestGapMs < 250, `main thread blocked for ${longestGapMs} ms`);
  assert.equal(await stepCount(page), 300);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
  const run = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  const losses = run.loss.points.map((p) => p.loss);
  const first = losses.slice(0, 10).reduce((a, b) => a + b) / 10;
  const last = losses.slice(-10).reduce((a, b) => a + b) / 10;
  assert.ok(last < first, `loss falls on CPU: ${first} → ${last}`);
  assert.ok(run.baselines.some((b) => b.name === 'least_squares'), 'baselines arrive from the worker');
  for (const id of ['loss-chart', 'error-chart']) {
    const ink = await canvasInk(page, id);
    assert.ok(ink.inked > 0.02 && ink.colours > 8, `${id} is drawn: ${JSON.stringify(ink)}`);
  }
  // The attention maps of the final probe (2 layers × 2 heads) are drawn one map per frame:
  // wait for the last part, then check that the cells are coloured.
  await page.waitForSelector('[data-testid=attention-chart]');
  let attention = await canvasInk(page, 'attention-chart');
  for (let i = 0; i < 50 && !(attention.inked > 0.1 && attention.colours > 24); i += 1) {
    await page.waitForTimeout(100);
    attention = await canvasInk(page, 'attention-chart');
  }
  assert.ok(attention.inked > 0.1 && attention.colours > 24, `attention maps drawn: ${JSON.stringify(attention)}`);
  await shot(page, 'cpu-fallback');
  assert.deepEqual(errors, []);
});

test('reference workload on the CPU backend: trains and reports its speed', { timeout: 300_000 }, async () => {
  const fresh = await launch({ webgpu: false });
  const page = await fresh.newPage();
  // The reference workload spelled out: the page's default is the smaller quick start.
  await page.goto(server.url + '?backend=cpu&steps=3&D=8&K=32&d=64&L=4&H=4&B=64&lr=0.001&warmup=0&cosine=0&curriculum=0&evalN=512&evalEvery=100');
  await waitConfigured(page);
  assert.match(await page.locator('.derived').innerText(), /^20\d{4} parameters/, 'the reference model (≈205k parameters)');
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 240_000 });
  assert.equal(await stepCount(page), 3);
  console.log(`# reference workload on CPU in the browser: ${await text(page, 'steps-per-s')} steps/s`);
  await fresh.close();
});
