// Browser benchmark: bundle sizes, time to first paint, and steps/s of a workload in
// headless Chromium on the CPU backend and on WebGPU (SwiftShader here: a CPU emulation,
// so its WebGPU figure says little about real GPUs).
//
//   node tests/bench/browser.mjs [--query '?…'] [--steps N] [--warmup N] [--skip-webgpu]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveDist, launch, DIST } from '../e2e/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const query = arg('query', '');
const steps = Number(arg('steps', '10'));
const warmup = Number(arg('warmup', '2'));
const skipWebGpu = process.argv.includes('--skip-webgpu');

const sizes = fs.readdirSync(DIST).filter((f) => /\.(wasm|js)$/.test(f)).map((f) => {
  const bytes = fs.readFileSync(path.join(DIST, f));
  return { file: f, raw_mb: +(bytes.length / 1e6).toFixed(2), gzip_mb: +(zlib.gzipSync(bytes, { level: 9 }).length / 1e6).toFixed(2) };
});
console.log(JSON.stringify({ bundle: sizes }));

const server = await serveDist();

async function firstPaint() {
  const context = await launch({ webgpu: false });
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=badge]');
  const appMs = Date.now() - t0;
  await page.waitForFunction(() => document.querySelector('[data-testid=phase]')?.textContent !== 'starting', null, { timeout: 120_000 });
  const trainerMs = Date.now() - t0;
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
  await context.close();
  return { first_contentful_paint_ms: fcp && Math.round(fcp), app_interactive_ms: appMs, trainer_ready_ms: trainerMs };
}

async function stepsPerSecond(backend) {
  const context = await launch({ webgpu: backend === 'webgpu' });
  const page = await context.newPage();
  await page.goto(`${server.url}${query || '?'}&backend=${backend}&steps=${warmup + steps + 1000}&evalEvery=100000`);
  await page.waitForFunction(() => !['starting'].includes(document.querySelector('[data-testid=phase]')?.textContent), null, { timeout: 300_000 });
  const badge = await page.locator('[data-testid=badge]').innerText();
  await page.click('[data-testid=train]');
  const stepAt = () => page.evaluate(() => [Number(document.querySelector('[data-testid=step]').textContent), performance.now()]);
  const waitFor = (n) => page.waitForFunction((n) => Number(document.querySelector('[data-testid=step]').textContent) >= n, n, { timeout: 1_800_000, polling: 50 });
  await waitFor(warmup);
  const [s0, t0] = await stepAt();
  await waitFor(s0 + steps);
  const [s1, t1] = await stepAt();
  await context.close();
  return { backend: badge, steps: s1 - s0, seconds: +((t1 - t0) / 1000).toFixed(2), steps_per_s: +((s1 - s0) / ((t1 - t0) / 1000)).toFixed(3) };
}

console.log(JSON.stringify({ paint: await firstPaint() }));
console.log(JSON.stringify({ query, cpu: await stepsPerSecond('cpu') }));
if (!skipWebGpu) console.log(JSON.stringify({ query, webgpu: await stepsPerSecond('webgpu') }));
await server.close();
