// The TensorFlow.js peer of the reference workload (issue "Speed"), comparison-only: the
// model of tests/bench/pytorch_reference.py written with @tensorflow/tfjs and run in the same
// headless Chromium as tests/bench/browser.mjs (harness.mjs's `launch`, a fresh profile).
//
//   (cd tests/bench/tfjs && npm ci)        # once; its packages live only here
//   node tests/bench/tfjs/run.mjs [--backend wasm|webgpu] [--steps N] [--warmup N]
//                                 [--webgpu-flags '--use-angle=vulkan …']
//
// Prints one JSON line: {"peer":"tfjs-wasm","steps_per_s":…,"steps":…,"seconds":…,"params":204865,…}.
// wasm: @tensorflow/tfjs-backend-wasm with SIMD and without threads (a static server sends no
// COOP/COEP, so the threaded build cannot load; the line says which .wasm was fetched).
// webgpu: @tensorflow/tfjs-backend-webgpu (SwiftShader here: a step takes a minute or more).
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launch } from '../../e2e/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, 'node_modules', '@tensorflow');

/** URL path → file. Everything flat in one folder, as tf.wasm.setWasmPaths expects. */
const FILES = {
  '/': path.join(here, 'index.html'),
  '/index.html': path.join(here, 'index.html'),
  '/gpt.js': path.join(here, 'gpt.js'),
  '/tf.min.js': path.join(modules, 'tfjs', 'dist', 'tf.min.js'),
  '/tf-backend-wasm.min.js': path.join(modules, 'tfjs-backend-wasm', 'dist', 'tf-backend-wasm.min.js'),
  '/tf-backend-webgpu.min.js': path.join(modules, 'tfjs-backend-webgpu', 'dist', 'tf-backend-webgpu.min.js'),
  ...Object.fromEntries(['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']
    .map((f) => [`/${f}`, path.join(modules, 'tfjs-backend-wasm', 'dist', f)])),
};
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Whether `npm ci` has been run in tests/bench/tfjs (every served file exists). */
export function peerInstalled() {
  return Object.values(FILES).every((f) => fs.existsSync(f));
}

export const INSTALL_HINT = '(cd tests/bench/tfjs && npm ci --no-audit --no-fund)';

/** Serves the peer page on a free loopback port; resolves to { url, close }. */
export function servePeer() {
  if (!peerInstalled()) throw new Error(`the TensorFlow.js peer is not installed: ${INSTALL_HINT}`);
  const server = http.createServer((req, res) => {
    const file = FILES[new URL(req.url, 'http://localhost').pathname];
    if (!file) { res.writeHead(404).end('not found'); return; }
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

/**
 * Runs `fn` with harness.mjs's `launch` starting Chromium with `flags` appended (a wrapper
 * script named by $CHROMIUM, which `launch` reads when called). For a real GPU adapter, e.g.
 * '--enable-unsafe-webgpu --enable-features=Vulkan --use-angle=vulkan'. No flags: `fn()` as is.
 */
export async function withChromiumFlags(flags, fn) {
  const extra = (flags ?? '').split(/\s+/).filter(Boolean);
  if (extra.length === 0) return fn();
  const previous = process.env.CHROMIUM;
  const real = previous ?? '/usr/bin/chromium';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icl-chromium-'));
  const wrapper = path.join(dir, 'chromium');
  const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${quote(real)} "$@" ${extra.map(quote).join(' ')}\n`, { mode: 0o755 });
  process.env.CHROMIUM = wrapper;
  try {
    return await fn();
  } finally {
    if (previous === undefined) delete process.env.CHROMIUM;
    else process.env.CHROMIUM = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One measurement in a fresh browser: `warmup` steps, then `steps` timed steps. */
export async function runPeer({ url, backend = 'wasm', steps = 10, warmup = 2, webgpuFlags = '' }) {
  const measure = async () => {
    const context = await launch({ webgpu: backend === 'webgpu' });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      const wasmFetched = [];
      const errors = [];
      page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmFetched.push(path.basename(new URL(r.url()).pathname)); });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForFunction(() => typeof window.bench === 'function' && typeof window.tf === 'object', null, { timeout: 60_000 });
      let out;
      try {
        out = await page.evaluate((opts) => window.bench(opts), { backend, steps, warmup });
      } catch (e) {
        throw new Error(`the TensorFlow.js peer failed on ${backend}: ${e.message}${errors.length ? ` (${errors.join('; ')})` : ''}`);
      }
      const { steps_per_s, steps: s, seconds, params, ...rest } = out;
      return { peer: `tfjs-${backend}`, steps_per_s, steps: s, seconds, params, ...rest, ...(backend === 'wasm' ? { wasm_fetched: wasmFetched } : {}) };
    } finally {
      await context.close();
    }
  };
  return backend === 'webgpu' ? withChromiumFlags(webgpuFlags, measure) : measure();
}

async function main() {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const backend = arg('backend', 'wasm');
  if (!['wasm', 'webgpu'].includes(backend)) throw new Error(`--backend ${backend}: wasm or webgpu`);
  if (!peerInstalled()) {
    console.error(`the TensorFlow.js peer is not installed; run ${INSTALL_HINT}`);
    process.exit(2);
  }
  const server = await servePeer();
  try {
    const result = await runPeer({
      url: server.url, backend, steps: Number(arg('steps', '10')), warmup: Number(arg('warmup', backend === 'webgpu' ? '0' : '2')),
      webgpuFlags: arg('webgpu-flags', ''),
    });
    console.log(JSON.stringify(result));
  } finally {
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
