// The reference workload of tests/bench/pytorch_reference.py in TensorFlow.js ops, op for op:
// linear read-in D→d, learned positions, L pre-LayerNorm blocks (causal multi-head attention
// with biases, MLP d→4d→d with the exact GELU), final LayerNorm, read-out d→1 read at the x
// tokens; the mean squared error over all K+1 predictions; Adam; fresh random
// linear-regression prompts every step. 204,865 parameters, as the PyTorch model.
//
// A comparison-only peer (issue "Speed"): loaded by index.html, driven by run.mjs.
/* global tf */
const D = 8, K = 32, WIDTH = 64, DEPTH = 4, HEADS = 4, BATCH = 64, LR = 1e-3;
const N = K + 1, T = 2 * N - 1, HD = WIDTH / HEADS; // T = 65 tokens: x_0, y_0, …, x_K

/** Builds the model on the current backend (so no tensor has to move between backends). */
function makeModel() {
  const w = (shape) => tf.variable(tf.truncatedNormal(shape, 0, 0.02));
  const zeros = (n) => tf.variable(tf.zeros([n]));
  const ones = (n) => tf.variable(tf.ones([n]));
  const P = {
    readIn: [w([D, WIDTH]), zeros(WIDTH)], pos: w([T, WIDTH]),
    blocks: Array.from({ length: DEPTH }, () => ({
      ln1: [ones(WIDTH), zeros(WIDTH)], ln2: [ones(WIDTH), zeros(WIDTH)],
      qkv: [w([WIDTH, 3 * WIDTH]), zeros(3 * WIDTH)], proj: [w([WIDTH, WIDTH]), zeros(WIDTH)],
      fc: [w([WIDTH, 4 * WIDTH]), zeros(4 * WIDTH)], out: [w([4 * WIDTH, WIDTH]), zeros(WIDTH)],
    })),
    lnF: [ones(WIDTH), zeros(WIDTH)], readOut: [w([WIDTH, 1]), zeros(1)],
  };
  const vars = [P.readIn, P.pos, P.blocks.flatMap((b) => Object.values(b)), P.lnF, P.readOut].flat(3);

  // Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above (a constant).
  const mask = tf.tensor2d(Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)), [T, T]);

  const linear = (x, [W, b]) => {
    const [B, S, I] = x.shape;
    return x.reshape([B * S, I]).matMul(W).add(b).reshape([B, S, W.shape[1]]);
  };
  const layerNorm = (x, [g, b]) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(variance.add(1e-5).rsqrt()).mul(g).add(b);
  };
  const gelu = (x) => x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)); // exact, as torch's F.gelu
  const heads = (z, B) => z.reshape([B, T, HEADS, HD]).transpose([0, 2, 1, 3]).reshape([B * HEADS, T, HD]);

  function block(x, p) {
    const B = x.shape[0];
    const [q, k, v] = tf.split(linear(layerNorm(x, p.ln1), p.qkv), 3, 2);
    const att = tf.softmax(tf.matMul(heads(q, B), heads(k, B), false, true).mul(1 / Math.sqrt(HD)).add(mask), -1);
    const a = tf.matMul(att, heads(v, B)).reshape([B, HEADS, T, HD]).transpose([0, 2, 1, 3]).reshape([B, T, WIDTH]);
    x = x.add(linear(a, p.proj));
    return x.add(linear(gelu(linear(layerNorm(x, p.ln2), p.fc)), p.out));
  }

  function forward(xs, ys) { // xs [B,N,D], ys [B,N] → predictions at the x tokens [B,N]
    const B = xs.shape[0];
    const yTok = tf.concat([ys.expandDims(2), tf.zeros([B, N, D - 1])], 2);
    const tokens = tf.stack([xs, yTok], 2).reshape([B, 2 * N, D]).slice([0, 0, 0], [B, T, D]);
    let h = linear(tokens, P.readIn).add(P.pos);
    for (const p of P.blocks) h = block(h, p);
    // The x tokens are the even positions. Not tf.gather: its gradient needs
    // UnsortedSegmentSum, which tfjs-backend-wasm lacks. Pad to 2N, view as [B,N,2], take […,0].
    const out = linear(layerNorm(h, P.lnF), P.readOut).reshape([B, T]);
    return out.pad([[0, 0], [0, 1]]).reshape([B, N, 2]).slice([0, 0, 0], [B, N, 1]).reshape([B, N]);
  }

  function sample() {
    return tf.tidy(() => {
      const xs = tf.randomNormal([BATCH, N, D]);
      const wt = tf.randomNormal([BATCH, D, 1]);
      return { xs, ys: tf.matMul(xs, wt).reshape([BATCH, N]) };
    });
  }

  const opt = tf.train.adam(LR);
  async function step() {
    const { xs, ys } = sample();
    // minimize() = tf.variableGrads + applyGradients; returnCost so the loss can be read.
    const loss = opt.minimize(() => tf.losses.meanSquaredError(ys, forward(xs, ys)), true, vars);
    // A sync point, like the PyTorch loop's loss.item() (async: WebGPU has no readSync).
    const value = (await loss.data())[0];
    tf.dispose([xs, ys, loss]);
    return value;
  }

  return { step, params: vars.reduce((s, v) => s + v.size, 0) };
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(s);
  });
}

/** Trains `warmup` then `steps` steps on `backend` ('wasm' or 'webgpu'); the timed part is `steps`. */
window.bench = async ({ backend = 'wasm', steps = 5, warmup = 2 } = {}) => {
  if (backend === 'wasm') {
    await loadScript('./tf-backend-wasm.min.js');
    tf.wasm.setWasmPaths(new URL('./', location.href).href); // the folder serving the three .wasm files
  } else if (backend === 'webgpu') {
    await loadScript('./tf-backend-webgpu.min.js');
  } else {
    throw new Error(`unknown backend ${backend} (wasm or webgpu)`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
  const env = { backend: tf.getBackend(), tfjs: tf.version.tfjs };
  if (backend === 'wasm') {
    env.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    env.threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  } else {
    const adapter = await navigator.gpu?.requestAdapter();
    const info = adapter?.info ?? {};
    env.adapter = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
    env.fallback_adapter = info.isFallbackAdapter ?? adapter?.isFallbackAdapter ?? null;
  }
  const model = makeModel();
  const losses = [];
  const w0 = performance.now();
  for (let i = 0; i < warmup; i++) losses.push(await model.step());
  const warmupS = (performance.now() - w0) / 1000;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) losses.push(await model.step());
  const secs = (performance.now() - t0) / 1000;
  return {
    ...env, params: model.params, warmup_s: +warmupS.toFixed(2), steps, seconds: +secs.toFixed(2),
    steps_per_s: +(steps / secs).toFixed(3), losses: losses.map((l) => +l.toFixed(3)), tensors: tf.memory().numTensors,
  };
};
