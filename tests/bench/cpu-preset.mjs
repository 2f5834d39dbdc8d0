// What a visitor without WebGPU sees in about two minutes: the CPU preset trained in
// headless Chromium on the CPU backend for a fixed wall-clock time, then its held-out
// ICL error at k = D, 2D and K beside the averaging baseline on the same prompts.
//
//   node tests/bench/cpu-preset.mjs [--seconds 120]
import fs from 'node:fs';
import { serveDist, launch, waitConfigured, shot } from '../e2e/harness.mjs';

const i = process.argv.indexOf('--seconds');
const seconds = i > 0 ? Number(process.argv[i + 1]) : 120;

const server = await serveDist();
const context = await launch({ webgpu: false });
const page = await context.newPage();
// The CPU preset, spelled out (Preset::Cpu), with a budget it will not reach in time.
await page.goto(`${server.url}?D=4&K=16&d=32&L=2&H=2&B=32&lr=0.003&steps=100000&evalN=256&evalEvery=50&backend=cpu`);
await waitConfigured(page);
await page.click('[data-testid=train]');
const t0 = Date.now();
await page.waitForTimeout(seconds * 1000);
await page.click('[data-testid=train]'); // Pause
await page.waitForFunction(() => document.querySelector('[data-testid=phase]').textContent === 'paused', null, { timeout: 60_000 });
// Baselines are scored in slices between chunks; give them a moment if still missing.
await page.waitForFunction(() => document.querySelector('[data-testid=legend]')?.textContent.includes('averaging'), null, { timeout: 60_000 });
const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
const run = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
await shot(page, 'cpu-preset-two-minutes');
const last = run.evals.at(-1);
const avg = run.baselines.find((b) => b.name === 'averaging').curve;
const at = (c, k) => +c.mean[c.k.indexOf(k)].toFixed(3);
const D = run.config.task.dim;
console.log(JSON.stringify({
  wall_s: Math.round((Date.now() - t0) / 1000),
  steps: run.steps,
  evaluated_at_step: last.step,
  model: { [`k=${D}`]: at(last.curve, D), [`k=${2 * D}`]: at(last.curve, 2 * D), [`k=${run.config.context}`]: at(last.curve, run.config.context) },
  averaging: { [`k=${D}`]: at(avg, D), [`k=${2 * D}`]: at(avg, 2 * D), [`k=${run.config.context}`]: at(avg, run.config.context) },
}));
await context.close();
await server.close();
