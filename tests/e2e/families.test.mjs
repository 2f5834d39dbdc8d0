// A non-default task family trained through the UI: decision trees of depth h (3, not the default 2, so the link must carry it), with the
// tree baselines scored on the same held-out prompts, and an out-of-distribution curve.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serveDist, launch, openApp, waitConfigured, stepCount, canvasInk, shot } from './harness.mjs';

let server;
let context;
before(async () => { server = await serveDist(); context = await launch({ webgpu: false }); });
after(async () => { await context?.close(); await server?.close(); });

test('decision trees chosen in the UI train and draw with their baselines', { timeout: 300_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, '?D=4&K=12&d=16&L=2&H=2&B=16&lr=0.003&steps=60&evalN=64&evalEvery=20&backend=cpu');
  await waitConfigured(page);
  await page.selectOption('[data-testid=task]', 'tree');
  await page.fill('[data-testid=tree-depth]', '3');
  await page.locator('[data-testid=tree-depth]').dispatchEvent('change');
  await page.waitForFunction(() => location.search.includes('task=tree') && location.search.includes('h=3'));
  // Shifts that mean nothing for trees are not offered; a rotated covariance is.
  const offered = await page.locator('[data-testid=ood] option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(offered, ['none', 'noisy', 'skewed', 'rotated']);
  await page.selectOption('[data-testid=ood]', 'rotated');
  await page.waitForFunction(() => location.search.includes('ood=rotated'));
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 240_000 });
  assert.equal(await stepCount(page), 60);
  // Baselines arrive in slices after training started; wait for the tree learners.
  await page.waitForFunction(() => document.querySelector('[data-testid=legend]').textContent.includes('greedy tree'), null, { timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
  const run = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.deepEqual(run.config.task.family, { kind: 'tree', depth: 3 });
  assert.equal(run.config.eval.shift, 'rotated');
  const last = run.evals.at(-1);
  assert.equal(last.shifted.k.length, last.curve.k.length, 'the shifted prompts are scored at every k');
  assert.ok(last.shifted.mean.every(Number.isFinite));
  const names = run.baselines.map((b) => b.name);
  for (const n of ['tree_greedy', 'tree_zero_threshold', 'tree_bayes', 'knn_3']) assert.ok(names.includes(n), `${n} in ${names}`);
  const ink = await canvasInk(page, 'error-chart');
  assert.ok(ink.inked > 0.02 && ink.colours > 8, `error chart drawn: ${JSON.stringify(ink)}`);
  await shot(page, 'tree-task');
  assert.deepEqual(errors, []);
});
