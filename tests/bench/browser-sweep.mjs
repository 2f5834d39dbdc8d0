// Benchmark (never a test): the wall time of a sweep in headless Chromium on the CPU path
// with a pool of 1, then 2, … Web Workers, from the click on Start to the last point done,
// with the ETA the page showed once the first point had landed.
//
//   node tests/bench/browser-sweep.mjs [--exp scaling] [--preset quick] [--workers 1,2]
//
// Needs dist/ (scripts/test.sh or build_dist) and tests/node_modules. Prints one JSON line
// per pool size, then the ratio of each to one worker.
import { serveDist, launch, waitSweepDone } from '../e2e/harness.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const exp = arg('exp', 'scaling');
const preset = arg('preset', 'quick');
const pools = arg('workers', '1,2').split(',').map(Number);

const progress = (page) => page.evaluate(() => document.querySelector('[data-testid=sweep-progress]')?.textContent ?? '');

const server = await serveDist();
const results = [];
try {
  for (const workers of pools) {
    // A fresh profile each time: a saved sweep would otherwise be restored.
    const context = await launch({ webgpu: false });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}?tab=experiments&exp=${exp}&preset=${preset}&backend=cpu&workers=${workers}`);
      await page.waitForSelector('[data-testid=experiments]');
      const total = await page.locator('[data-testid=queue] tbody tr').count();
      const start = Date.now();
      await page.click('[data-testid=sweep-start]');
      // The ETA once the first point has landed (the cost model is calibrated by then).
      await page.waitForFunction(() => /^[1-9]\d* of \d+ points done/.test(document.querySelector('[data-testid=sweep-progress]')?.textContent ?? ''), null, { timeout: 3_600_000 });
      const first = await progress(page);
      const firstS = (Date.now() - start) / 1000;
      await waitSweepDone(page, total, { timeout: 3_600_000, polling: 1000 });
      const wallS = (Date.now() - start) / 1000;
      // "ETA 3m 20s" or "ETA 1h 05m" (src/ui/experiments.rs, clock).
      const eta = /ETA (?:(\d+)h (\d+)m|(\d+)m (\d+)s)/.exec(first);
      const etaS = !eta ? null : eta[1] !== undefined ? Number(eta[1]) * 3600 + Number(eta[2]) * 60 : Number(eta[3]) * 60 + Number(eta[4]);
      const row = { exp, preset, workers, points: total, progress_after_first: first, wall_s: Number(wallS.toFixed(1)), first_point_s: Number(firstS.toFixed(1)), eta_after_first_s: etaS, predicted_total_s: etaS === null ? null : Number((firstS + etaS).toFixed(1)) };
      console.log(JSON.stringify(row));
      results.push(row);
    } finally {
      await context.close();
    }
  }
} finally {
  await server.close();
}
const one = results.find((r) => r.workers === 1);
for (const r of results) {
  if (one && r !== one) console.log(`${r.workers} workers / 1: ${(r.wall_s / one.wall_s).toFixed(3)}× the wall time`);
}
