// Browser benchmark: bundle sizes, time to first paint, and steps/s of a workload in
// headless Chromium on the CPU backend and on WebGPU (SwiftShader here: a CPU emulation,
// so its WebGPU figure says little about real GPUs).
//
//   node tests/bench/browser.mjs [--query '?…'] [--steps N] [--warmup N] [--skip-webgpu]
//                                [--interleave N [--peer-steps N]] [--webgpu-flags '…']
//
// --interleave N: N times in a row, our CPU path, then the TensorFlow.js WASM peer
//   (tests/bench/tfjs, same model, same Chromium), each in a fresh browser; prints each pair,
//   its ratio, and the medians. Without --query it measures the reference workload
//   (REFERENCE_QUERY; the page's defaults are not the reference workload).
// --webgpu-flags: extra Chromium flags for the WebGPU measurement only, e.g. a real adapter:
//   '--enable-unsafe-webgpu --enable-features=Vulkan --use-angle=vulkan'.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveDist, launch, DIST } from '../e2e/harness.mjs';
import { peerInstalled, servePeer, runPeer, withChromiumFlags, INSTALL_HINT } from './tfjs/run.mjs';

/** The reference workload (Preset::Reference, tests/bench/pytorch_reference.py), spelled out. */
export const REFERENCE_QUERY = '?D=8&K=32&d=64&L=4&H=4&B=64&lr=0.001&warmup=0&cosine=0&curriculum=0';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const interleave = Number(arg('interleave', '0'));
const query = arg('query', interleave > 0 ? REFERENCE_QUERY : '');
const steps = Number(arg('steps', '10'));
const warmup = Number(arg('warmup', '2'));
const peerSteps = Number(arg('peer-steps', String(steps)));
const skipWebGpu = process.argv.includes('--skip-webgpu');
const webgpuFlags = arg('webgpu-flags', '');
if (interleave > 0 && !peerInstalled()) {
  console.error(`--interleave needs the TensorFlow.js peer: ${INSTALL_HINT}`);
  process.exit(2);
}

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
  const context = backend === 'webgpu' ? await withChromiumFlags(webgpuFlags, () => launch({ webgpu: true })) : await launch({ webgpu: false });
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

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const round3 = (x) => +x.toFixed(3);

console.log(JSON.stringify({ paint: await firstPaint() }));
if (interleave > 0) {
  // Ours, then the peer, N times: both see the same machine load, pair by pair.
  const peerServer = await servePeer();
  const pairs = [];
  for (let i = 1; i <= interleave; i += 1) {
    const ours = await stepsPerSecond('cpu');
    console.log(JSON.stringify({ query, cpu: ours, pair: i }));
    const peer = await runPeer({ url: peerServer.url, backend: 'wasm', steps: peerSteps, warmup });
    console.log(JSON.stringify({ peer, pair: i }));
    const ratio = round3(ours.steps_per_s / peer.steps_per_s);
    pairs.push({ ours: ours.steps_per_s, peer: peer.steps_per_s, ratio });
    console.log(JSON.stringify({ pair: i, ours_steps_per_s: ours.steps_per_s, peer: peer.peer, peer_steps_per_s: peer.steps_per_s, ratio }));
  }
  await peerServer.close();
  console.log(JSON.stringify({
    interleave: { pairs: interleave, query, ours: 'CPU', peer: 'tfjs-wasm',
      ours_median_steps_per_s: round3(median(pairs.map((p) => p.ours))),
      peer_median_steps_per_s: round3(median(pairs.map((p) => p.peer))),
      ratio_median: round3(median(pairs.map((p) => p.ratio))) },
  }));
} else {
  console.log(JSON.stringify({ query, cpu: await stepsPerSecond('cpu') }));
}
if (!skipWebGpu) console.log(JSON.stringify({ query, webgpu: await stepsPerSecond('webgpu') }));
await server.close();
