#!/usr/bin/env bash
# Benchmarks (never timed tests): steps/s of the reference workload natively on every
# backend this machine has, and in headless Chromium on the CPU path and on WebGPU;
# bundle sizes; time to first paint. Prints JSON lines / a table.
#
#   scripts/bench.sh                 # reference workload
#   BENCH_STEPS=20 scripts/bench.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$ROOT"
STEPS="${BENCH_STEPS:-10}"
say "native: CPU (flex, multi-threaded) and wgpu (Vulkan: a GPU, or lavapipe on CPU)"
cargo run --release -p icl-lab --features wgpu -- bench --preset reference --timed-steps "$STEPS" --warmup-steps 2
say "native: the baseline suite (all classical learners on 512 held-out prompts)"
cargo run --release -p icl-lab -- bench --baselines
if [ ! -f dist/index.html ]; then build_dist; fi
say "browser: headless Chromium (CPU backend, then WebGPU)"
node tests/bench/browser.mjs --steps "$STEPS" ${BENCH_SKIP_WEBGPU:+--skip-webgpu}
