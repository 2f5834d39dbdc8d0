// What a person sees when training: the backend badge, a live step counter, falling
// loss, two drawn charts, a responsive page, and Pause that really stops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  serveDist, launch, openApp, waitConfigured, waitSteps, stepCount, text, canvasInk, heartbeat, shot,
} from './harness.mjs';

// SwiftShader emulates the GPU on the CPU: keep WebGPU runs tiny.
const TINY = '?D=2&K=4&d=8&L=1&H=1&B=8&lr=0.01&steps=400&evalN=32&evalEvery=5';
let server;
let context;

before(async () => { server = await serveDist(); context = await launch(); });
after(async () => { await context?.close(); await server?.close(); });

async function exportedRun(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
  return JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('WebGPU chosen: trains live, loss falls, both charts drawn, page stays smooth, Pause stops', { timeout: 600_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, `${TINY}&backend=webgpu`);
  await waitConfigured(page);
  assert.match(await text(page, 'badge'), /^WebGPU · /, 'the badge names WebGPU and its adapter');
  const beat = await heartbeat(page);
  await page.click('[data-testid=train]');
  await waitSteps(page, 30, 300_000);
  const { longest, longTasks } = await beat.stop();
  console.log(`# WebGPU: longest main-thread gap during training ${longest.toFixed(1)} ms; long tasks: ${JSON.stringify(longTasks.map(Math.round))}`);
  assert.ok(longest < 50, `main thread blocked for ${longest} ms`);
  assert.equal(await text(page, 'train'), 'Pause');
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused', null, { timeout: 60_000 });
  const paused = await stepCount(page);
  await page.waitForTimeout(2500);
  assert.equal(await stepCount(page), paused, 'Pause stops the step counter');
  console.log(`# WebGPU: ${paused} steps, ${await text(page, 'steps-per-s')} steps/s`);

  const run = await exportedRun(page);
  assert.equal(run.backend.kind, 'web_gpu');
  const losses = run.loss.points.map((p) => p.loss);
  assert.ok(losses.length >= 30);
  assert.ok(mean(losses.slice(-5)) < mean(losses.slice(0, 5)), `loss falls: ${losses.slice(0, 5)} … ${losses.slice(-5)}`);
  for (const id of ['loss-chart', 'error-chart']) {
    const ink = await canvasInk(page, id);
    assert.ok(ink.inked > 0.02 && ink.colours > 8, `${id} is drawn: ${JSON.stringify(ink)}`);
  }
  await shot(page, 'webgpu-training');
  assert.deepEqual(errors, [], 'no console errors');
});

test('Auto on a software adapter (SwiftShader) picks the CPU backend and says why', { timeout: 300_000 }, async () => {
  // A fresh profile: the first test's saved run would otherwise be restored.
  const fresh = await launch();
  const page = await fresh.newPage();
  await page.goto(server.url + TINY);
  await waitConfigured(page);
  const note = await text(page, 'backend-note');
  assert.match(note, /software fallback/);
  assert.equal(await text(page, 'badge'), 'CPU');
  await fresh.close();
});
