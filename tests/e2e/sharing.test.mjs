// Sharing and bad input: the URL round-trips the settings, reload keeps the run, exports
// re-import, and malformed links or files are refused with a message while the app keeps
// working and keeps what the user had.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, openApp, waitConfigured, waitResumed, stepCount, phase, text, canvasInk, shot, ARTIFACTS, SMALL } from './harness.mjs';

let server;
let context;
before(async () => { server = await serveDist(); context = await launch({ webgpu: false }); });
after(async () => { await context?.close(); await server?.close(); });

async function trainToDone(page) {
  await waitConfigured(page);
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 120_000 });
}

test('settings round-trip through the URL', { timeout: 120_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, SMALL);
  await page.fill('[data-testid=width]', '12');
  await page.locator('[data-testid=width]').dispatchEvent('change');
  await page.selectOption('[data-testid=task]', 'tree');
  await page.waitForFunction(() => location.search.includes('d=12') && location.search.includes('task=tree'));
  const shared = page.url();
  const other = await context.newPage();
  await other.goto(shared);
  await other.waitForSelector('[data-testid=width]');
  assert.equal(await other.inputValue('[data-testid=width]'), '12');
  assert.equal(await other.inputValue('[data-testid=task]'), 'tree');
  assert.equal(await other.inputValue('[data-testid=dim]'), '2');
  await other.close();
  assert.deepEqual(errors, []);
});

test('a malformed link is refused field by field and the app still works', { timeout: 120_000 }, async () => {
  const page = await context.newPage();
  await page.goto(server.url + '?D=abc&L=999&zzz=1&steps=5&d=8&H=1&K=4&B=8&backend=cpu');
  await page.waitForSelector('[data-testid=notice]');
  const notices = (await page.locator('[data-testid=notice]').allInnerTexts()).join('\n');
  for (const field of ['D (input dim):', 'depth', 'zzz']) assert.ok(notices.includes(field), `a notice names ${field}: ${notices}`);
  assert.equal(await page.inputValue('[data-testid=dim]'), '4', 'the refused field keeps its default (the quick-start workload)');
  await trainToDone(page);
  assert.equal(await stepCount(page), 5);
  await shot(page, 'malformed-link');
  await page.close();
});

test('out-of-range input is refused on the spot', { timeout: 60_000 }, async () => {
  const page = await context.newPage();
  await page.goto(server.url + SMALL);
  await page.fill('[data-testid=depth]', '500');
  await page.locator('[data-testid=depth]').dispatchEvent('change');
  await page.waitForSelector('[data-testid=field-error]');
  assert.match(await text(page, 'field-error'), /refused/);
  assert.ok(!page.url().includes('L=500'), 'the refused value never reaches the URL');
  await page.close();
});

test('reload keeps the run; export and re-import show it again; a bad file changes nothing', { timeout: 240_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, SMALL);
  await trainToDone(page);
  const steps = await stepCount(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
  const exported = path.join(ARTIFACTS, 'exported-run.json');
  fs.copyFileSync(await download.path(), exported);

  // The checkpoint written when the run stopped: a reload resumes the model, not just the charts.
  await page.waitForSelector(`[data-testid=checkpoint][data-step="${steps}"]`);
  await page.reload();
  await waitResumed(page, steps);
  assert.equal(await stepCount(page), steps, 'the run survives a reload');
  assert.equal(await phase(page), 'done', 'and is still done');
  assert.ok((await canvasInk(page, 'error-chart')).inked > 0.02, 'and its charts are drawn');

  const bad = path.join(ARTIFACTS, 'not-a-run.json');
  fs.writeFileSync(bad, '{"schema": "something-else", "version": 1}');
  await page.setInputFiles('[data-testid=import]', bad);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=notice]')].some((n) => n.textContent.includes('Could not open')));
  assert.equal(await stepCount(page), steps, 'a refused file leaves the run as it was');

  await page.click('[data-testid=reset]');
  await waitConfigured(page);
  await page.setInputFiles('[data-testid=import]', exported);
  await page.waitForSelector('[data-testid=restored-note]');
  assert.equal(await stepCount(page), steps, 'the exported run re-imports');
  await shot(page, 'reimported-run');
  assert.deepEqual(errors, []);
});

test('a full storage quota is reported once; the run stays in the tab and still exports', { timeout: 180_000 }, async () => {
  // A browser whose localStorage is full: every write of the app throws QuotaExceededError.
  const full = await launch({ webgpu: false });
  try {
    await full.addInitScript(() => {
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (String(key).startsWith('icl-lab/')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return setItem.call(this, key, value);
      };
    });
    const { page, errors } = await openApp(full, server.url, SMALL);
    await trainToDone(page);
    const notices = await page.locator('[data-testid=notice]').allInnerTexts();
    const quota = notices.filter((n) => n.includes('storage for this site is full (QuotaExceededError)'));
    assert.equal(quota.length, 1, `one quota notice, however many saves failed: ${JSON.stringify(notices)}`);
    assert.match(quota[0], /kept in this tab.*Export it as JSON/s);
    assert.equal(await stepCount(page), 20, 'the run is kept in memory');
    assert.ok((await canvasInk(page, 'error-chart')).inked > 0.02, 'and its charts are drawn');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
    const run = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(run.schema, 'icl-lab/run');
    assert.equal(run.steps, 20, 'the export holds the whole run');
    await shot(page, 'quota-full');
    assert.deepEqual(errors, []);
  } finally {
    await full.close();
  }
});

test('two tabs keep their own runs across reloads; a new tab starts from the latest', { timeout: 240_000 }, async () => {
  // One browser profile (shared localStorage), two tabs training different runs; nothing
  // saved by the earlier tests.
  const a = await openApp(context, server.url, SMALL, { newTab: true });
  await a.page.evaluate(() => localStorage.clear());
  await a.page.reload();
  await trainToDone(a.page);
  const b = await openApp(context, server.url, `${SMALL}&steps=30`, { newTab: true });
  await trainToDone(b.page);
  assert.equal(await stepCount(a.page), 20);
  assert.equal(await stepCount(b.page), 30);
  for (const [tab, steps] of [[a, 20], [b, 30]]) {
    await tab.page.waitForSelector(`[data-testid=checkpoint][data-step="${steps}"]`);
    await tab.page.reload();
    await waitResumed(tab.page, steps);
    assert.equal(await stepCount(tab.page), steps, `each tab resumes its own run (${steps} steps), not the other's`);
  }
  const c = await openApp(context, server.url, '', { newTab: true });
  await waitResumed(c.page, 30);
  assert.equal(await stepCount(c.page), 30, 'a new tab starts from the most recent save, and its checkpoint');
  for (const tab of [a, b, c]) {
    assert.deepEqual(tab.errors, []);
    await tab.page.close();
  }
});

test('keyboard: Space trains and pauses, s steps, r resets, e opens Experiments, ? lists them; typing never triggers', { timeout: 180_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, `${SMALL}&steps=2000`, { newTab: true });
  await waitConfigured(page);
  const phase = () => text(page, 'phase');
  await page.locator('body').focus();
  await page.keyboard.press('s');
  await page.waitForFunction(() => Number(document.querySelector('b[data-testid=step]')?.textContent) === 1);
  // Typing s in a field changes the field, never the run.
  await page.focus('[data-testid=seed]');
  await page.keyboard.press('s');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('b[data-testid=step]').innerText(), '1', 'typing s in a field does not step');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'training');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused');
  const paused = Number(await page.locator('b[data-testid=step]').innerText());
  assert.ok(paused > 1, `Space trained then paused at step ${paused}`);
  await page.keyboard.press('r');
  await page.waitForFunction(() => Number(document.querySelector('b[data-testid=step]')?.textContent) === 0);
  assert.notEqual(await phase(), 'training');
  await page.keyboard.press('?');
  await page.waitForSelector('[data-testid=shortcuts]');
  assert.match(await text(page, 'shortcuts'), /Space[\s\S]*Train \/ Pause[\s\S]*Esc/);
  await shot(page, 'shortcuts');
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=shortcuts]', { state: 'detached' });
  await page.keyboard.press('e');
  await page.waitForSelector('[data-testid=experiments]', { state: 'visible' });
  assert.ok(page.url().includes('tab=experiments'), `the tab is in the link: ${page.url()}`);
  assert.deepEqual(errors, []);
  await page.close();
});
