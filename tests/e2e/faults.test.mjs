// Faults injected in the browser: a panic in the trainer is shown with its message, every
// result stays on screen and in storage, and the page restarts the trainer on request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openApp, waitConfigured, stepCount, text, canvasInk, shot } from './harness.mjs';

const LONG = '?D=2&K=4&d=8&L=1&H=1&B=8&lr=0.01&steps=100000&evalN=32&evalEvery=5&backend=cpu';
let server;
let context;
before(async () => { server = await serveDist(); context = await launch({ webgpu: false }); });
after(async () => { await context?.close(); await server?.close(); });

const phase = (page) => page.evaluate(() => document.querySelector('[data-testid=phase]').textContent);

test('a worker panic: its message is shown, results are kept, and the trainer restarts', { timeout: 180_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, LONG);
  await waitConfigured(page);
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 40
    && document.querySelector('[data-testid=phase]').textContent === 'training', null, { timeout: 120_000 });
  await page.evaluate(() => window.iclLabTest.fault('panic'));
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'failed', null, { timeout: 30_000 });
  const message = await text(page, 'run-error');
  assert.match(message, /the trainer panicked: .*injected by a test/, `the panic's own message is shown: ${message}`);
  const steps = await stepCount(page);
  assert.ok(steps >= 40, `the steps so far stay on screen: ${steps}`);
  assert.ok((await canvasInk(page, 'loss-chart')).inked > 0.01, 'and so does the loss chart');
  assert.ok(errors.some((e) => e.includes('panicked')), 'the panic is also in the console');
  await shot(page, 'fault-panic');

  await page.click('[data-testid=restart-trainer]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'restored', null, { timeout: 30_000 });
  assert.equal(await stepCount(page), steps, 'the restart keeps the results');
  // The saved run survives a reload too.
  await page.reload();
  await page.waitForSelector('[data-testid=restored-note]');
  assert.ok(await stepCount(page) >= steps - 250, 'the last save (every 250 steps or each evaluation) is restored');
  // A fresh trainer trains a new model.
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'training', null, { timeout: 120_000 });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) >= 5, null, { timeout: 60_000 });
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused');
  assert.equal(await phase(page), 'paused');
});
