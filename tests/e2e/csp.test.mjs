// dist/ carries a strict Content-Security-Policy: the app loads, trains and draws under it
// with no violation, and the policy is enforced (an injected inline script does not run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launch, openApp, waitConfigured, canvasInk, SMALL } from './harness.mjs';

let server;
let context;
before(async () => { server = await serveDist(); context = await launch({ webgpu: false }); });
after(async () => { await context?.close(); await server?.close(); });

test('the app runs under its Content-Security-Policy, which refuses inline script', { timeout: 180_000 }, async () => {
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const { page, errors } = await openApp(context, server.url, SMALL);
  const policy = await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
  assert.ok(policy, 'index.html carries a policy');
  for (const directive of ["default-src 'self'", "worker-src 'self'", "style-src 'self'", "object-src 'none'"]) {
    assert.ok(policy.includes(directive), `${directive} in ${policy}`);
  }
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'(;|$)/, 'scripts: own origin, wasm, and the loader by hash only');
  assert.ok(!/'unsafe-inline'|'unsafe-eval'|https?:/.test(policy), `no inline, eval or other origin: ${policy}`);

  // The page works under it: train to the end, draw both charts and the theory swatches.
  await waitConfigured(page);
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 120_000 });
  for (const id of ['loss-chart', 'error-chart']) {
    const ink = await canvasInk(page, id);
    assert.ok(ink.inked > 0.02 && ink.colours > 8, `${id} is drawn: ${JSON.stringify(ink)}`);
  }
  const swatch = await page.evaluate(() => getComputedStyle(document.querySelector('.swatch')).backgroundColor);
  assert.match(swatch, /^rgb\(/, 'legend swatches keep their colours (set through the CSSOM)');
  assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no violation while the app runs');

  // Enforced: an inline script injected into the page is refused and reported.
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true;';
    document.body.appendChild(s);
  });
  await page.waitForFunction(() => window.__csp.length > 0);
  assert.equal(await page.evaluate(() => window.__injected), undefined, 'the injected script did not run');
  assert.match((await page.evaluate(() => window.__csp))[0], /^script-src/);
  assert.deepEqual(errors.filter((e) => !/Content Security Policy/.test(e)), []);
});
