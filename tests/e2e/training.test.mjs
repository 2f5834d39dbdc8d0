// What a person sees when training: the backend badge, a live step counter, falling
// loss, two drawn charts, a responsive page, and Pause that really stops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  serveDist, launch, openApp, waitConfigured, waitSteps, waitResumed, stepCount, phase, text, canvasInk, mainThreadMonitor, shot,
} from './harness.mjs';

// SwiftShader emulates the GPU on the CPU: keep WebGPU runs tiny.
const TINY = '?D=2&K=4&d=16&L=1&H=2&B=32&lr=0.01&steps=60&evalN=32&evalEvery=10';
let server;
let context;

before(async () => { server = await serveDist(); context = await launch(); });
after(async () => { await context?.close(); await server?.close(); });

async function exportedRun(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
  return JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A long WebGPU run in a fresh profile (a new tab of the shared one would restore the last
 * test's run), trained until its first checkpoint is saved (20 s, or 200 steps). */
async function webgpuRunToCheckpoint() {
  const fresh = await launch();
  const { page, errors } = await openApp(fresh, server.url, `${TINY.replace('steps=60', 'steps=100000')}&backend=webgpu`);
  await waitConfigured(page);
  assert.match(await text(page, 'badge'), /^WebGPU · /);
  await page.click('[data-testid=train]');
  const saved = Number(await (await page.waitForFunction(() => document.querySelector('[data-testid=checkpoint]')?.dataset.step, null, { timeout: 300_000 })).jsonValue());
  assert.ok(saved > 0, `a checkpoint was saved at step ${saved}`);
  return { fresh, page, errors, saved };
}

/** Trains 20 steps past `from`, pauses, and checks the loss chart still holds the run. */
async function trainOnAndPause(page, from, screenshot) {
  await page.click('[data-testid=train]');
  await waitSteps(page, from + 20, 120_000);
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused', null, { timeout: 60_000 });
  assert.ok((await canvasInk(page, 'loss-chart')).inked > 0.01, 'the loss chart holds the whole run');
  await shot(page, screenshot);
}

test('WebGPU chosen: trains live, loss falls, both charts drawn, page stays smooth, Pause stops', { timeout: 600_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, `${TINY}&backend=webgpu`);
  await waitConfigured(page);
  assert.match(await text(page, 'badge'), /^WebGPU · /, 'the badge names WebGPU and its adapter');
  const monitor = await mainThreadMonitor(page);
  await page.click('[data-testid=train]');
  await waitSteps(page, 30, 300_000);
  const { longestTaskMs, longestTaskCpuMs, longestGapMs } = await monitor.stop();
  console.log(`# WebGPU: longest main-thread task ${longestTaskMs.toFixed(1)} ms (${longestTaskCpuMs.toFixed(1)} ms CPU), longest heartbeat gap ${longestGapMs.toFixed(1)} ms`);
  assert.ok(longestTaskCpuMs < 50, `a main-thread task used ${longestTaskCpuMs} ms of CPU`);
  // SwiftShader emulates the GPU with threads on the same two cores, which preempt the
  // page: its wall-clock figures measure that contention too, so they get a looser bound
  // here (a hardware adapter has no such contention).
  assert.ok(longestTaskMs < 100, `a main-thread task took ${longestTaskMs} ms`);
  assert.ok(longestGapMs < 250, `main thread starved for ${longestGapMs} ms`);
  assert.equal(await text(page, 'train'), 'Pause');
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused', null, { timeout: 60_000 });
  const paused = await stepCount(page);
  await page.waitForTimeout(2500);
  assert.equal(await stepCount(page), paused, 'Pause stops the step counter');
  console.log(`# WebGPU: paused at ${paused} steps, ${await text(page, 'steps-per-s')} steps/s`);
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 300_000 });
  assert.equal(await stepCount(page), 60, 'resumes and stops exactly at the budget');

  const run = await exportedRun(page);
  assert.equal(run.backend.kind, 'web_gpu');
  const losses = run.loss.points.map((p) => p.loss);
  assert.equal(losses.length, 60);
  assert.ok(mean(losses.slice(-10)) < mean(losses.slice(0, 10)), `loss falls: ${mean(losses.slice(0, 10))} → ${mean(losses.slice(-10))}`);
  for (const id of ['loss-chart', 'error-chart']) {
    const ink = await canvasInk(page, id);
    assert.ok(ink.inked > 0.02 && ink.colours > 8, `${id} is drawn: ${JSON.stringify(ink)}`);
  }
  await shot(page, 'webgpu-training');
  assert.deepEqual(errors, [], 'no console errors');
});

test('a lost WebGPU device: the error says so, and the run goes on on the CPU from its last checkpoint', { timeout: 600_000 }, async () => {
  const { fresh, page, errors, saved } = await webgpuRunToCheckpoint();
  await page.evaluate(() => window.iclLabTest.fault('device_lost'));
  try {
    await page.waitForFunction(() => (document.querySelector('[data-testid=run-error]')?.textContent ?? '').includes('WebGPU device was lost'), null, { timeout: 120_000 });
  } catch (e) {
    // It has timed out in full-suite runs only (2 of 4 this stop): say what the page showed.
    await shot(page, 'device-lost-timeout');
    const seen = await page.evaluate(() => ({
      phase: document.querySelector('[data-testid=phase]')?.textContent,
      step: document.querySelector('[data-testid=step]')?.textContent,
      error: document.querySelector('[data-testid=run-error]')?.textContent ?? null,
      notices: [...document.querySelectorAll('.notice')].map((n) => n.textContent),
    }));
    throw new Error(`no lost-device message within 120 s: ${JSON.stringify(seen)}; console: ${JSON.stringify(errors)}; ${e.message}`);
  }
  assert.match(await text(page, 'run-error'), /Going on with the CPU backend from the last checkpoint/);
  const resumed = await waitResumed(page);
  assert.ok(resumed >= saved, `resumed at the last checkpoint: ${resumed} (first seen ${saved})`);
  assert.match(await text(page, 'badge'), /^CPU/, 'the badge now names the CPU');
  assert.equal(await page.inputValue('[data-testid=backend]'), 'cpu', 'and so do the settings');
  assert.match(await text(page, 'backend-note'), /Adam's moments start again/, 'a WebGPU checkpoint holds the weights only, and the note says so');
  assert.equal(await phase(page), 'paused');
  assert.equal(await stepCount(page), resumed);
  await trainOnAndPause(page, resumed, 'device-lost-resumed-on-cpu');
  assert.deepEqual(errors, [], 'no console errors');
  await fresh.close();
});

test('WebGPU out of memory: the trainer dies, and a fresh one goes on on the CPU from the last checkpoint', { timeout: 600_000 }, async () => {
  const { fresh, page, errors, saved } = await webgpuRunToCheckpoint();
  // The panic cubecl-wgpu's uncaptured-error handler raises for wgpu's OutOfMemory error.
  await page.evaluate(() => window.iclLabTest.fault('gpu_oom'));
  // A fresh trainer loads, configures on the CPU and resumes: wait for all of it.
  await page.waitForFunction(() => (document.querySelector('[data-testid=run-error]')?.textContent ?? '').includes('ran out of memory'), null, { timeout: 120_000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused'
    && document.querySelector('[data-testid=badge]').textContent.startsWith('CPU'), null, { timeout: 120_000 });
  const resumed = await waitResumed(page);
  assert.ok(resumed >= saved, `resumed at the last checkpoint: ${resumed} (first seen ${saved})`);
  assert.match(await text(page, 'run-error'), /^The WebGPU device ran out of memory \("wgpu error: Out of Memory"; the console has the whole panic\)\. Going on with the CPU backend/);
  assert.match(await text(page, 'badge'), /^CPU/);
  assert.equal(await page.inputValue('[data-testid=backend]'), 'cpu');
  await trainOnAndPause(page, resumed, 'gpu-oom-resumed-on-cpu');
  assert.ok(errors.length > 0 && errors.every((e) => e.includes('Out of Memory') || e.includes('panicked')), `only the panic is in the console: ${errors}`);
  await fresh.close();
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

/** The badge's tooltip once Auto has raced the backends and the run is ready. */
async function raceTooltip(page, timeout) {
  const handle = await page.waitForFunction(() => {
    const t = document.querySelector('[data-testid=badge]')?.title ?? '';
    return document.querySelector('[data-testid=phase]')?.textContent === 'ready' && t.startsWith('Auto timed') && t;
  }, null, { timeout });
  return handle.jsonValue();
}

test('Auto on a hardware adapter times this model on both backends, keeps the faster, shows both figures, and remembers the choice', { timeout: 600_000 }, async () => {
  // SwiftShader is the only WebGPU here, and Auto never races it: the test hook lets it
  // be raced as a hardware adapter would be (the worker then trains a few throwaway steps
  // of the run's own model on each backend).
  const fresh = await launch();
  const page = await fresh.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(server.url + TINY);
  await waitConfigured(page);
  assert.equal(await text(page, 'badge'), 'CPU', 'before the hook, Auto does not race SwiftShader');
  assert.equal(await page.getAttribute('[data-testid=badge]', 'title'), 'Which burn backend trains the model');
  await page.evaluate(() => window.iclLabTest.raceSoftwareAdapter());
  const title = await raceTooltip(page, 300_000);
  const figures = /^Auto timed this model on both backends \(timed just now\): CPU ([\d.]+) steps\/s, WebGPU ([\d.]+) steps\/s; training on the (CPU|WebGPU)\.$/.exec(title);
  assert.ok(figures, `both figures in the tooltip: ${title}`);
  const [cpu, gpu, kept] = [Number(figures[1]), Number(figures[2]), figures[3]];
  assert.ok(cpu > 0 && gpu > 0, `both backends ran: CPU ${cpu}, WebGPU ${gpu}`);
  assert.equal(kept, gpu > cpu ? 'WebGPU' : 'CPU', 'the faster backend is kept');
  assert.match(await text(page, 'badge'), kept === 'CPU' ? /^CPU$/ : /^WebGPU · /, 'and the badge names it');
  assert.equal(await text(page, 'backend-note'), title, 'the note says what was timed');
  console.log(`# Auto race on SwiftShader, tiny model: CPU ${cpu} steps/s, WebGPU ${gpu} steps/s → ${kept}`);
  await page.click('[data-testid=train]');
  await waitSteps(page, 10, 120_000);
  await shot(page, 'auto-race');

  // The same model size again (another seed): the choice is remembered, not timed again.
  await page.goto(server.url + TINY.replace('lr=0.01', 'lr=0.01&seed=7'));
  await waitConfigured(page);
  await page.evaluate(() => window.iclLabTest.raceSoftwareAdapter());
  const again = await raceTooltip(page, 120_000);
  assert.equal(again, title.replace('timed just now', 'remembered from an earlier run of this model size'));
  assert.deepEqual(errors, [], 'no console errors');
  await fresh.close();
});
