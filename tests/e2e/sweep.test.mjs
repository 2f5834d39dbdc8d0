// A sweep end to end through the Experiments tab: the queue trains every point, the chart
// draws as points land, a verdict appears, the result exports and survives a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serveDist, launch, openApp, canvasInk, shot } from './harness.mjs';

let server;
let context;
before(async () => { server = await serveDist(); context = await launch({ webgpu: false }); });
after(async () => { await context?.close(); await server?.close(); });

test('a smoke scaling sweep runs through the UI and yields a drawn chart and a verdict', { timeout: 600_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, '?tab=experiments&exp=scaling&preset=smoke&backend=cpu');
  await page.waitForSelector('[data-testid=experiments]');
  const total = await page.locator('[data-testid=queue] tbody tr').count();
  assert.ok(total >= 4, `the plan has points: ${total}`);
  await page.click('[data-testid=sweep-start]');
  await page.waitForSelector('[data-testid=sweep-banner]');
  await page.waitForFunction((n) => document.querySelector('[data-testid=sweep-progress]')?.textContent.startsWith(`${n} of ${n} points done`), total, { timeout: 540_000 });
  const verdicts = await page.locator('[data-testid=verdict]').allInnerTexts();
  assert.ok(verdicts.length >= 1, 'a verdict appears');
  assert.match(verdicts[0], /consistent|inconsistent|inconclusive/i);
  assert.match(verdicts[0], /measured: .*α̂ =/, `the verdict states what was measured: ${verdicts[0]}`);
  const ink = await canvasInk(page, 'sweep-chart-0');
  assert.ok(ink.inked > 0.02 && ink.colours > 8, `sweep chart drawn: ${JSON.stringify(ink)}`);
  await shot(page, 'sweep-smoke');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=sweep-export-json]')]);
  const sweep = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.equal(sweep.schema, 'icl-lab/sweep');
  assert.equal(sweep.points.length, total);
  assert.ok(sweep.points.every((p) => p.status === 'done' && p.final_curve.k.length > 0));

  await page.reload();
  await page.waitForFunction((n) => document.querySelector('[data-testid=sweep-progress]')?.textContent.startsWith(`${n} of ${n} points done`), total);
  assert.deepEqual(errors, []);
});
