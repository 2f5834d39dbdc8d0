// The classroom page: the first visit teaches something within budget, story cards set
// their state and link back to it, classroom links hide what they say, embed and
// presentation modes, dark mode, a phone-width layout, and the pause while the tab is hidden.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launch, openApp, waitConfigured, waitSteps, stepCount, text, canvasInk, shot, ARTIFACTS, SMALL } from './harness.mjs';

let server;
let context;
before(async () => { server = await serveDist(); context = await launch({ webgpu: false }); });
after(async () => { await context?.close(); await server?.close(); });

const phase = (page) => page.evaluate(() => document.querySelector('[data-testid=phase]').textContent);
const visible = (page, selector) => page.locator(selector).first().isVisible();

test('first visit on the CPU path: the default run, within budget, beats averaging at k = 2D', { timeout: 420_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, '');
  await waitConfigured(page);
  assert.equal(await page.inputValue('[data-testid=dim]'), '4', 'the default is the quick-start workload');
  const banner = await text(page, 'story-banner');
  assert.match(banner, /falls? below averaging, toward least squares/, `the page says what to watch for: ${banner}`);
  const started = Date.now();
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 400_000 });
  const seconds = (Date.now() - started) / 1000;
  console.log(`# first-visit default run: ${await stepCount(page)} steps in ${seconds.toFixed(0)} s`);
  await shot(page, 'first-visit-done');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
  const run = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  fs.writeFileSync(path.join(ARTIFACTS, 'first-visit-run.json'), JSON.stringify(run));
  const D = run.config.task.dim;
  const last = run.evals[run.evals.length - 1].curve;
  const avg = run.baselines.find((b) => b.name === 'averaging').curve;
  const at = (curve, k) => curve.mean[curve.k.indexOf(k)];
  console.log(`# at k = 2D = ${2 * D}: model ${at(last, 2 * D).toFixed(3)} ± ${last.se[last.k.indexOf(2 * D)].toFixed(3)}, averaging ${at(avg, 2 * D).toFixed(3)}`);
  assert.ok(at(last, 2 * D) < at(avg, 2 * D), `the model (${at(last, 2 * D)}) is below averaging (${at(avg, 2 * D)}) at k = 2D`);
  assert.deepEqual(errors, []);
});

test('each story card sets its state and links back to it', { timeout: 180_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, '?tab=stories');
  await page.waitForSelector('[data-testid=stories]');
  const cards = await page.locator('[data-testid^=story-load-]').count();
  assert.ok(cards >= 10, `${cards} story cards`);
  for (const duration of await page.locator('[data-testid=story-duration]').allInnerTexts()) {
    assert.match(duration, /≈ \d+ (s|min) .* on /, `each card shows its expected duration: ${duration}`);
  }
  await shot(page, 'stories-gallery');
  const ids = await page.locator('[data-testid^=story-load-]').evaluateAll((els) => els.map((e) => e.dataset.testid.slice('story-load-'.length)));
  for (const id of ids) {
    await page.click('[data-testid=tab-stories]');
    const href = await page.getAttribute(`[data-testid=story-link-${id}]`, 'href');
    await page.click(`[data-testid=story-load-${id}]`);
    await page.waitForFunction((id) => new URLSearchParams(location.search).get('story') === id, id);
    assert.equal(new URL(page.url()).search, href, `${id}: the page's link is the card's link`);
    // The state it set is on screen, with what to watch for.
    await page.waitForSelector('[data-testid=story-banner]');
    const tab = new URL(page.url()).searchParams.get('tab');
    assert.ok(await visible(page, tab === 'experiments' ? '[data-testid=experiment]' : '[data-testid=train]'), `${id}: its tab is shown`);
    // Opening the card's link in a fresh page gives the same state and banner.
    const other = await context.newPage();
    await other.goto(server.url + href);
    await other.waitForSelector('[data-testid=story-banner]');
    assert.equal(await other.locator('[data-testid=story-banner]').innerText(), await page.locator('[data-testid=story-banner]').innerText());
    assert.equal(await other.locator('[data-testid=notice]').count(), 0, `${id}: its link decodes without complaint`);
    await other.close();
  }
  assert.equal(new URL(page.url()).searchParams.get('arch'), 'lsa', 'the last story is the linear-attention one');
  assert.deepEqual(errors, []);
});

test('a classroom link hides what it says; embed and presentation modes', { timeout: 180_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, SMALL);
  await page.click('[data-testid=classroom-open]');
  for (const id of ['task', 'share', 'legend']) await page.check(`[data-testid=hide-${id}]`);
  const link = await page.inputValue('[data-testid=classroom-link]');
  assert.match(link, /panels=task%2Cshare%2Clegend|panels=task,share,legend/);
  assert.ok(await visible(page, '[data-panel=task]'), 'the teacher\'s own page is unchanged');
  const pupil = await context.newPage();
  await pupil.goto(link);
  await pupil.waitForSelector('[data-testid=badge]');
  for (const id of ['task', 'share', 'legend']) assert.equal(await visible(pupil, `[data-panel=${id}]`), false, `${id} is hidden`);
  for (const id of ['model', 'training', 'loss']) assert.ok(await visible(pupil, `[data-panel=${id}]`), `${id} is still shown`);
  await shot(pupil, 'classroom-link');
  await pupil.close();

  const embed = await context.newPage();
  await embed.goto(`${server.url}${SMALL}&embed=1`);
  await waitConfigured(embed);
  assert.ok(await visible(embed, '[data-testid=train]'), 'embed keeps Train');
  for (const hidden of ['header.top h1', 'button[data-testid=step]', '[data-panel=model]', '[data-panel=legend]', 'nav.tabs']) {
    assert.equal(await visible(embed, hidden), false, `embed hides ${hidden}`);
  }
  await embed.click('[data-testid=train]');
  await embed.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 120_000 });
  await embed.waitForFunction(() => true);
  const ink = await canvasInk(embed, 'error-chart');
  assert.ok(ink.inked > 0.02 && ink.colours > 8, `the embedded chart is drawn: ${JSON.stringify(ink)}`);
  await shot(embed, 'embed-mode');
  await embed.close();

  const present = await context.newPage();
  await present.goto(`${server.url}${SMALL}&present=1`);
  await present.waitForSelector('[data-testid=badge]');
  assert.equal(await present.evaluate(() => document.querySelector('details.settings').open), false, 'presentation collapses the settings');
  const size = await present.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  assert.ok(size > 18, `presentation type is large: ${size}px`);
  await shot(present, 'presentation-mode');
  await present.close();
  assert.deepEqual(errors, []);
});

/** The colour of the canvas's top-left pixel (the chart background). */
const corner = (page, id) => page.evaluate((id) => [...document.querySelector(`[data-testid=${id}]`).getContext('2d').getImageData(2, 2, 1, 1).data].slice(0, 3), id);
const luminance = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

test('dark mode follows the system and the toggle; the charts redraw in the theme', { timeout: 180_000 }, async () => {
  const page = await context.newPage();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(server.url + SMALL);
  await waitConfigured(page);
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 120_000 });
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  await page.waitForFunction(() => {
    const [r, g, b] = document.querySelector('[data-testid=error-chart]').getContext('2d').getImageData(2, 2, 1, 1).data;
    return r + g + b < 200;
  }, null, { timeout: 10_000 });
  const dark = await corner(page, 'error-chart');
  assert.ok(luminance(dark) < 60, `dark chart background: ${dark}`);
  const body = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await shot(page, 'dark-mode');
  // The toggle: auto → light.
  await page.click('[data-testid=theme-toggle]');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('theme') === 'light');
  await page.waitForFunction(() => {
    const [r, g, b] = document.querySelector('[data-testid=error-chart]').getContext('2d').getImageData(2, 2, 1, 1).data;
    return r + g + b > 600;
  }, null, { timeout: 10_000 });
  assert.ok(luminance(await corner(page, 'error-chart')) > 200, 'light chart background after the toggle');
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), body, 'the page background changed too');
  // The choice is kept for the next visit without a link.
  const next = await context.newPage();
  await next.emulateMedia({ colorScheme: 'dark' });
  await next.goto(server.url + SMALL);
  await next.waitForSelector('[data-testid=badge]');
  assert.equal(await next.getAttribute('html', 'data-theme'), 'light', 'the stored choice wins over the system');
  await next.click('[data-testid=theme-toggle]'); // light → dark
  await next.click('[data-testid=theme-toggle]'); // dark → auto: leave storage as found
  await next.close();
  await page.close();
});

test('a 390 px phone: nothing overflows the page width on any tab', { timeout: 120_000 }, async () => {
  const page = await context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(server.url + SMALL);
  await waitConfigured(page);
  for (const tab of ['run', 'experiments', 'stories']) {
    await page.click(`[data-testid=tab-${tab}]`);
    if (tab === 'run') await page.evaluate(() => { for (const d of document.querySelectorAll('details.card-more')) d.open = true; });
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      // Content a person cannot see past the edge does not count: inside a closed <details>,
      // or inside a box that clips or scrolls it (which itself must fit).
      const clipped = (el) => {
        if (el.closest('details:not([open])') && !el.closest('summary')) return true;
        for (let a = el.parentElement; a; a = a.parentElement) {
          if (getComputedStyle(a).overflowX !== 'visible') return a.getBoundingClientRect().right <= width + 1;
        }
        return false;
      };
      const wide = [...document.querySelectorAll('body *')]
        .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > width + 1 && !clipped(el))
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
      return { scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8) };
    });
    assert.ok(overflow.scroll <= overflow.width, `${tab}: page ${overflow.scroll} px wide in a ${overflow.width} px viewport`);
    assert.deepEqual(overflow.wide, [], `${tab}: elements past the right edge`);
    await shot(page, `phone-${tab}`);
  }
  await page.close();
});

test('a hidden tab pauses training and resumes at the same step', { timeout: 180_000 }, async () => {
  const { page, errors } = await openApp(context, server.url, `${SMALL.replace('steps=20', 'steps=100000')}`);
  await waitConfigured(page);
  await page.click('[data-testid=train]');
  // This tab may first show an earlier test's saved run: wait for the new one to train.
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'training'
    && Number(document.querySelector('[data-testid=step]').textContent) >= 30, null, { timeout: 120_000 });
  const setHidden = (hidden) => page.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await setHidden(true);
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused', null, { timeout: 30_000 });
  const pausedAt = await stepCount(page);
  assert.match(await text(page, 'hidden-pause'), /Paused at step \d+ while this tab is hidden/);
  await page.waitForTimeout(1500);
  assert.equal(await stepCount(page), pausedAt, 'no steps while hidden');
  await setHidden(false);
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'training', null, { timeout: 30_000 });
  assert.match(await text(page, 'hidden-pause'), new RegExp(`resumed at step ${pausedAt}\\b`));
  await waitSteps(page, pausedAt + 5);
  await shot(page, 'hidden-tab-resumed');
  await page.click('[data-testid=train]'); // Pause: the user's own pause
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused');
  await setHidden(true);
  await setHidden(false);
  await page.waitForTimeout(1000);
  assert.equal(await phase(page), 'paused', 'a run the user paused stays paused');
  assert.deepEqual(errors, []);
  await page.close();
});

test('charts are sharp at devicePixelRatio 2, follow the viewport, and a hovered point shows its value', { timeout: 180_000 }, async () => {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1200, height: 900, deviceScaleFactor: 2, mobile: false });
  await page.goto(server.url + SMALL);
  await waitConfigured(page);
  await page.click('[data-testid=train]');
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'done', null, { timeout: 120_000 });
  const size = () => page.evaluate(() => { const c = document.querySelector('[data-testid=error-chart]'); return { w: c.width, css: c.clientWidth, dpr: devicePixelRatio }; });
  await page.waitForFunction(() => { const c = document.querySelector('[data-testid=error-chart]'); return c.width === Math.round(c.clientWidth * 2); });
  const before = await size();
  assert.equal(before.dpr, 2);
  // Another window size (the grid goes from one column to two): the chart takes its new
  // size and is redrawn sharp at it.
  await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1600, height: 900, deviceScaleFactor: 2, mobile: false });
  await page.waitForFunction((w) => { const c = document.querySelector('[data-testid=error-chart]'); return c.clientWidth !== w && c.width === Math.round(c.clientWidth * 2); }, before.css, { timeout: 10_000 });
  // Sweep the pointer over the chart until the read-out names a point.
  const box = await page.locator('[data-testid=error-chart]').boundingBox();
  let tip = null;
  for (let y = box.y + 10; y < box.y + box.height && !tip; y += 12) {
    for (let x = box.x + 10; x < box.x + box.width && !tip; x += 12) {
      await page.mouse.move(x, y);
      if (await page.locator('[data-testid=error-chart-tip]').count()) tip = await page.locator('[data-testid=error-chart-tip]').innerText();
    }
  }
  assert.ok(tip, 'some point of the chart shows a read-out under the pointer');
  assert.match(tip, /^.+: -?\d.* at in-context examples k = \d+$/, `the read-out names the curve, its value and k: ${tip}`);
  console.log(`# hover read-out: ${tip}`);
  await shot(page, 'hover-dpr2');
  await page.mouse.move(box.x - 20, box.y - 20);
  await page.waitForFunction(() => !document.querySelector('[data-testid=error-chart-tip]'));
  await page.close();
});
