// Shared test harness: a static server for dist/ (correct wasm MIME, no COOP/COEP, like
// any static host) and a headless Chromium with WebGPU (SwiftShader on these machines).
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');
export const DIST = path.join(ROOT, 'dist');
export const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json',
  '.png': 'image/png',
};

/** A tiny workload on the CPU backend (20 steps in about a second), for tests of the page
 *  rather than of learning. */
export const SMALL = '?D=2&K=4&d=8&L=1&H=1&B=8&lr=0.01&steps=20&evalN=32&evalEvery=5&backend=cpu';

/** Serves dist/ on a free port; resolves to { url, close }. */
export function serveDist() {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `trunk build --release` first');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file = path.join(DIST, decodeURIComponent(url.pathname));
    if (!file.startsWith(DIST)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) });
  }));
}

const BASE_ARGS = [
  '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/** A fresh browser profile; `webgpu: false` launches Chromium with WebGPU switched off. */
export async function launch({ webgpu = true } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'icl-e2e-'));
  const args = [...BASE_ARGS, ...(webgpu ? ['--enable-unsafe-webgpu', '--enable-features=Vulkan'] : ['--disable-features=WebGPU,Vulkan', '--disable-webgpu'])];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args,
    viewport: { width: 1400, height: 1000 }, acceptDownloads: true,
  });
  return context;
}

/** Opens the app, collecting console errors and page errors (worker errors included);
 *  in the context's first tab, or in a new one with `newTab`. */
export async function openApp(context, baseUrl, query = '', { newTab = false } = {}) {
  const page = (!newTab && context.pages()[0]) || await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') errors.push(`[worker] ${m.text()}`); }));
  await page.goto(baseUrl + query);
  await page.waitForSelector('[data-testid=badge]');
  return { page, errors };
}

export const text = (page, id) => page.locator(`[data-testid=${id}]`).first().innerText();
export const stepCount = async (page) => Number(await text(page, 'step'));

/** Waits until the run is configured (the badge names a backend). */
export async function waitConfigured(page, timeout = 120_000) {
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid=phase]')?.textContent;
    return p && p !== 'starting';
  }, null, { timeout });
}

/** Waits until every one of the sweep's `n` points is done, as the progress line says. */
export const waitSweepDone = (page, n, options = {}) => page.waitForFunction(
  (n) => (document.querySelector('[data-testid=sweep-progress]')?.textContent ?? '').startsWith(`${n} of ${n} points done`), n, options);

export const phase = (page) => page.evaluate(() => document.querySelector('[data-testid=phase]').textContent);

/** Waits for the note that the run was resumed from its checkpoint at `step` (any step if
 *  omitted); returns that step. */
export async function waitResumed(page, step, timeout = 120_000) {
  const note = await page.waitForFunction((step) => {
    const m = /Resumed at step (\d+) /.exec(document.querySelector('[data-testid=backend-note]')?.textContent ?? '');
    return m && (step === null || Number(m[1]) === step) && Number(m[1]);
  }, step ?? null, { timeout });
  return note.jsonValue();
}

export async function waitSteps(page, n, timeout = 180_000) {
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=step]')?.textContent) >= n, n, { timeout });
}

/**
 * How much of a canvas is drawn: the share of pixels that differ from its most common
 * colour (the background) and the number of distinct colours. A blank canvas scores 0.
 */
export async function canvasInk(page, testId) {
  return page.evaluate((id) => {
    const c = document.querySelector(`[data-testid=${id}]`);
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const total = data.length / 4;
    const background = Math.max(...counts.values());
    return { inked: 1 - background / total, colours: counts.size, width: c.width, height: c.height };
  }, testId);
}

/**
 * Measures the page's main thread while `stop()` is pending:
 * - `longestTaskMs`: the longest task on the renderer main thread (CrRendererMain), wall
 *   time, from a Chromium trace (the Long Tasks API reports nothing in headless Chromium);
 * - `longestTaskCpuMs`: the most CPU time one such task used (wall time minus preemption);
 * - `longestGapMs`: the longest gap of a 10 ms heartbeat (a task or CPU starvation delays it).
 * The trace is first calibrated: a deliberate 100 ms busy loop must show up as a task.
 */
export async function mainThreadMonitor(page) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  const start = async () => {
    events.length = 0;
    await cdp.send('Tracing.start', { categories: 'toplevel,devtools.timeline,__metadata', transferMode: 'ReportEvents' });
  };
  const stopTrace = async () => {
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.end');
    await done;
    const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
    const tasks = events.filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && mains.has(`${e.pid}:${e.tid}`));
    return {
      wall: tasks.reduce((m, e) => Math.max(m, (e.dur ?? 0) / 1000), 0),
      // Thread CPU time: the page's own work, without time lost to preemption.
      cpu: tasks.reduce((m, e) => Math.max(m, (e.tdur ?? e.dur ?? 0) / 1000), 0),
    };
  };
  // Tracing reaches the renderer asynchronously, and in a fresh profile that can take longer
  // than any fixed wait. Calibrate until a deliberate 100 ms task is seen, waiting longer
  // each time; the wait that worked (doubled) then precedes the measurement.
  let settle = 300;
  let calibration = 0;
  for (let attempt = 0; attempt < 6 && !(calibration >= 95); attempt += 1, settle *= 2) {
    await start();
    await page.waitForTimeout(settle);
    await page.evaluate(() => { const t = performance.now(); while (performance.now() - t < 100) { /* busy */ } });
    calibration = (await stopTrace()).wall;
  }
  if (!(calibration >= 95)) throw new Error(`the trace never saw a deliberate 100 ms task (longest ${calibration} ms after waiting ${settle / 2} ms)`);
  await start();
  await page.waitForTimeout(settle);
  await page.evaluate(() => {
    window.__beat = { last: performance.now(), longest: 0 };
    window.__beatId = setInterval(() => {
      const now = performance.now();
      window.__beat.longest = Math.max(window.__beat.longest, now - window.__beat.last);
      window.__beat.last = now;
    }, 10);
  });
  return {
    stop: async () => {
      const longestGapMs = await page.evaluate(() => { clearInterval(window.__beatId); return window.__beat.longest; });
      const { wall: longestTaskMs, cpu: longestTaskCpuMs } = await stopTrace();
      await cdp.detach();
      return { longestTaskMs, longestTaskCpuMs, longestGapMs };
    },
  };
}

export async function shot(page, name) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
