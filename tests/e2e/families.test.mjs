// A non-default task family trained through the UI: decision trees of depth h (3, not the default 2, so the link must carry it), with the
// tree baselines scored on the same held-out prompts, and an out-of-distribution curve; and the
// linear-attention family, whose trained layer must land on its exact theory curve.
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

test('the linear-attention preset lands on its exact theory curve: within 2 SE at every k', { timeout: 420_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, '?backend=cpu', { newTab: true });
  await waitConfigured(page);
  await page.click('[data-testid=preset-lsa]');
  await page.waitForFunction(() => location.search.includes('arch=lsa'));
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 360_000 });
  assert.equal(await stepCount(page), 1000);
  // The card of the exact curve of what was trained (one Γ shared by every k) compares itself
  // with the run's final ICL-error curve.
  const chip = page.locator('[data-testid=agreement-lsa1]');
  await chip.waitFor({ timeout: 60_000 });
  const [within, compared] = [Number(await chip.getAttribute('data-within')), Number(await chip.getAttribute('data-compared'))];
  const sentence = await chip.getAttribute('title');
  assert.equal(compared, 17, `every k = 0..16 is compared: ${sentence}`);
  assert.equal(within, compared, `the trained layer lies on its exact curve: ${sentence}`);
  // And it is a real comparison: the same run is far from a curve it should not match.
  const zero = page.locator('[data-testid=agreement-zero]');
  await zero.waitFor();
  assert.ok(Number(await zero.getAttribute('data-within')) < 17, `the zero predictor is not a match: ${await zero.getAttribute('title')}`);
  await page.locator('[data-testid=theory-lsa1]').scrollIntoViewIfNeeded();
  await shot(page, 'lsa-on-theory');

  // η_eff against k: one layer trained on every k shares one step, so the measured step is
  // flat in k, where the per-k optimum η*(k) = k/(k + D + 1) climbs from 2/7 to 16/21.
  await page.waitForSelector('[data-testid=eta-chart]', { timeout: 60_000 });
  await page.locator('[data-testid=eta-chart]').scrollIntoViewIfNeeded();
  const ink = await canvasInk(page, 'eta-chart');
  assert.ok(ink.inked > 0.01 && ink.colours > 4, `the η_eff chart is drawn: ${JSON.stringify(ink)}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
  const run = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  const eta = run.probe.eta_by_k;
  assert.equal(eta.length, 17);
  assert.ok(Math.abs(eta[16] - eta[2]) < 0.05, `one step at every k: η_eff(2) = ${eta[2]}, η_eff(16) = ${eta[16]}`);
  await page.waitForSelector('[data-testid=no-attention-maps]');
  assert.equal(await page.locator('[data-testid=attention-chart]').count(), 0, 'no empty attention card');
  await shot(page, 'lsa-eta-eff');
  assert.deepEqual(errors, []);
  await page.close();
});
