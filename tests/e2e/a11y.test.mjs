// Accessibility: axe-core (npm) on the main views in both themes reports no serious or
// critical violation: labels on every control, contrast (WCAG AA), names, roles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, openApp, waitConfigured, ROOT, ARTIFACTS, SMALL } from './harness.mjs';

const AXE = fs.readFileSync(path.join(ROOT, 'tests', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
let server;
let context;
before(async () => { server = await serveDist(); context = await launch({ webgpu: false }); });
after(async () => { await context?.close(); await server?.close(); });

/** Serious and critical violations on the page as it stands, one line each. */
async function audit(page) {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`));
  return violations;
}

for (const scheme of ['light', 'dark']) {
  test(`no serious or critical axe violations on the main views (${scheme})`, { timeout: 180_000 }, async () => {
    const page = await context.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(server.url + SMALL);
    await page.waitForSelector('[data-testid=badge]');
    await waitConfigured(page);
    await page.click('[data-testid=train]');
    await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 120_000 });
    assert.equal(await page.getAttribute('html', 'data-theme'), scheme);
    // Calibration: a control without a name must be caught, or the audit proves nothing.
    await page.evaluate(() => { const b = document.createElement('button'); b.id = 'axe-probe'; document.body.append(b); });
    const probe = await audit(page);
    assert.ok(probe.some((v) => v.startsWith('button-name') && v.includes('#axe-probe')), `axe reports a nameless button: ${probe}`);
    await page.evaluate(() => document.getElementById('axe-probe').remove());
    const found = {};
    for (const tab of ['run', 'experiments', 'stories']) {
      await page.click(`[data-testid=tab-${tab}]`);
      found[tab] = await audit(page);
    }
    await page.click('[data-testid=tab-run]');
    await page.click('[data-testid=classroom-open]');
    found.classroom = await audit(page);
    fs.writeFileSync(path.join(ARTIFACTS, `axe-${scheme}.json`), JSON.stringify(found, null, 2));
    for (const [view, violations] of Object.entries(found)) assert.deepEqual(violations, [], `${view} (${scheme})`);
    await page.close();
  });
}
