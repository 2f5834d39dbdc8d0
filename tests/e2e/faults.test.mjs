// Faults injected in the browser: a panic in the trainer is shown with its message, every
// result stays on screen and in storage, and the page restarts the trainer from its last
// checkpoint on request; a reload mid-run resumes exactly; a lost WebGPU device goes on on
// the CPU.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, openApp, waitConfigured, waitResumed, stepCount, phase, text, canvasInk, shot, ARTIFACTS, SMALL } from './harness.mjs';

const LONG = SMALL.replace('steps=20', 'steps=100000');
let server;
let context;
before(async () => { server = await serveDist(); context = await launch({ webgpu: false }); });
after(async () => { await context?.close(); await server?.close(); });

/** The checkpoint step the status bar shows, once one is at least `min`. */
async function waitCheckpoint(page, min) {
  const handle = await page.waitForFunction((min) => {
    const step = Number(document.querySelector('[data-testid=checkpoint]')?.dataset.step ?? -1);
    return step >= min && step;
  }, min, { timeout: 180_000 });
  return handle.jsonValue();
}

test('a worker panic: its message is shown, results are kept, and the trainer resumes from its checkpoint', { timeout: 240_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, LONG);
  await waitConfigured(page);
  await page.click('[data-testid=train]');
  await waitCheckpoint(page, 200);
  await page.evaluate(() => window.iclLabTest.fault('panic'));
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'failed', null, { timeout: 30_000 });
  const saved = Number(await page.getAttribute('[data-testid=checkpoint]', 'data-step'));
  const message = await text(page, 'run-error');
  assert.match(message, /the trainer panicked: .*injected by a test/, `the panic's own message is shown: ${message}`);
  const steps = await stepCount(page);
  assert.ok(steps >= saved, `the steps so far stay on screen: ${steps} (checkpoint at ${saved})`);
  assert.ok((await canvasInk(page, 'loss-chart')).inked > 0.01, 'and so does the loss chart');
  assert.ok(errors.some((e) => e.includes('panicked')), 'the panic is also in the console');
  await shot(page, 'fault-panic');

  await page.click('[data-testid=restart-trainer]');
  assert.equal(await waitResumed(page), saved, 'the new trainer resumes at the last checkpoint');
  assert.equal(await phase(page), 'paused');
  assert.equal(await stepCount(page), saved, 'the steps after the checkpoint are dropped with the crashed trainer');
  assert.match(await text(page, 'backend-note'), /exactly as if never interrupted/);
  // Train goes on with the resumed model: the count continues from the checkpoint.
  await page.click('[data-testid=train]');
  await page.waitForFunction((s) => Number(document.querySelector('[data-testid=step]').textContent) >= s + 5, saved, { timeout: 60_000 });
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused');
  await shot(page, 'fault-panic-resumed');
});

test('a reload mid-run resumes from the checkpoint and trains exactly the losses of an uninterrupted run', { timeout: 300_000 }, async () => {
  const SIX_HUNDRED = SMALL.replace('steps=20', 'steps=600').replace('evalEvery=5', 'evalEvery=100');
  const { page, errors } = await openApp(context, server.url, SIX_HUNDRED, { newTab: true });
  const exportRun = async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
    return JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  };
  const trainToDone = async () => {
    await page.click('[data-testid=train]');
    await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 180_000 });
  };
  await waitConfigured(page);
  await page.click('[data-testid=train]');
  const saved = await waitCheckpoint(page, 200);
  await page.reload();
  const resumed = await waitResumed(page);
  assert.ok(resumed >= saved && resumed < 600, `resumed at a checkpoint saved mid-run: ${resumed} (first seen ${saved})`);
  assert.equal(await stepCount(page), resumed);
  await shot(page, 'reload-resumed');
  await trainToDone();
  const interrupted = await exportRun();

  await page.click('[data-testid=reset]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'ready', null, { timeout: 60_000 });
  await trainToDone();
  const straight = await exportRun();
  assert.equal(interrupted.steps, 600);
  assert.equal(straight.steps, 600);
  const losses = (run) => run.loss.points.map((p) => [p.step, p.loss]);
  assert.ok(losses(straight).length >= 100, 'the loss log has points to compare');
  // f32 training: the same model, Adam state and prompts give the same bits. On a
  // mismatch both runs are kept as artifacts and the first differing step is named.
  const [a, b] = [losses(interrupted), losses(straight)];
  const first = a.findIndex((p, i) => b[i] === undefined || p[0] !== b[i][0] || p[1] !== b[i][1]);
  if (first >= 0 || a.length !== b.length) {
    fs.writeFileSync(path.join(ARTIFACTS, 'reload-interrupted.json'), JSON.stringify(interrupted));
    fs.writeFileSync(path.join(ARTIFACTS, 'reload-straight.json'), JSON.stringify(straight));
  }
  assert.ok(first < 0 && a.length === b.length,
    `a resumed run (resumed at ${resumed}) trains the losses of an uninterrupted one: first difference at point ${first}: ${JSON.stringify(a[first])} against ${JSON.stringify(b[first])} (${a.length} and ${b.length} points)`);
  assert.deepEqual(interrupted.evals.map((e) => e.curve.mean), straight.evals.map((e) => e.curve.mean), 'and the same ICL error curves');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an oversized model is refused before allocation, with its numbers; the page goes on', { timeout: 180_000 }, async () => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // 12.9 M parameters (within the bound) but about 40 GiB of activations at batch 2048.
  await page.goto(`${server.url}?d=1024&L=1&H=8&B=2048&K=128&steps=50&evalN=32&backend=cpu`);
  // This tab opens on the latest saved run (the first test's); Train builds the model asked for.
  await page.waitForSelector('[data-testid=badge]');
  await page.waitForFunction(() => !['starting'].includes(document.querySelector('[data-testid=phase]').textContent), null, { timeout: 120_000 });
  await page.click('[data-testid=train]');
  await page.waitForSelector('[data-testid=run-error]', { timeout: 120_000 });
  const message = await text(page, 'run-error');
  assert.match(message, /too big for the browser's CPU backend \(a wasm heap of at most 4 GiB\): it needs about [\d.]+ GiB in all, more than the 2\.0 GiB budget/, message);
  assert.match(message, /at batch 2048\)\. The largest batch that fits is \d+\./, message);
  assert.equal(await page.locator('[data-testid=restart-trainer]').count(), 0, 'a refusal is not a crash');
  await shot(page, 'fault-oversized');
  // The page keeps working: a smaller model trains.
  for (const [id, v] of [['width', '16'], ['batch', '8'], ['context', '8']]) {
    await page.fill(`[data-testid=${id}]`, v);
    await page.locator(`[data-testid=${id}]`).dispatchEvent('change');
  }
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 120_000 });
  assert.equal(await stepCount(page), 50);
  assert.equal(await page.locator('[data-testid=run-error]').count(), 0, 'the refusal is cleared by the new run');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a forced NaN: the run stops, rolls back to its last checkpoint, and goes on at half the rate', { timeout: 240_000 }, async () => {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url + LONG);
  await page.waitForSelector('[data-testid=badge]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent !== 'starting', null, { timeout: 120_000 });
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'training'
    && Number(document.querySelector('[data-testid=step]').textContent) >= 130, null, { timeout: 120_000 });
  await page.evaluate(() => window.iclLabTest.fault('nan'));
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'diverged', null, { timeout: 30_000 });
  const diverged = await stepCount(page);
  assert.match(await text(page, 'run-error'), /diverged at step \d+/);
  assert.ok((await canvasInk(page, 'loss-chart')).inked > 0.01, 'the loss so far stays on the chart');
  await shot(page, 'fault-nan');
  await page.click('[data-testid=rollback]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused', null, { timeout: 30_000 });
  const back = await stepCount(page);
  // Checkpoints are taken at the first chunk boundary 50 steps after the last one.
  assert.ok(back >= 50 && back < diverged, `back at a checkpoint before step ${diverged}: ${back}`);
  assert.ok(diverged - back <= 50 + 64, `at most a checkpoint interval and a chunk lost: ${diverged} → ${back}`);
  assert.match(await text(page, 'backend-note'), new RegExp(`Rolled back to step ${back}.*learning rate is now 0\\.005`));
  assert.equal(await page.inputValue('[data-testid=lr]'), '0.005', 'the settings follow the halved rate');
  assert.equal(await page.locator('[data-testid=run-error]').count(), 0);
  // Train goes on with the same model (no rebuild: the step count continues from the checkpoint).
  await page.click('[data-testid=train]');
  await page.waitForFunction((b) => Number(document.querySelector('[data-testid=step]').textContent) >= b + 20, back, { timeout: 60_000 });
  assert.equal(await phase(page), 'training');
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused');
  await shot(page, 'fault-nan-rolled-back');
  assert.deepEqual(errors, []);
  await page.close();
});
