#!/usr/bin/env bash
# Shrinks dist/*.wasm for deployment with binaryen's wasm-opt from npm (Debian's binaryen
# 108 produces a broken app with wasm-bindgen 0.2.130 output). Takes minutes for the worker.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${ICL_CACHE:-$HOME/.cache/icl-lab}/binaryen"
VERSION=132.0.0
if [ ! -x "$CACHE/node_modules/binaryen/bin/wasm-opt" ]; then
  npm install --no-audit --no-fund --prefix "$CACHE" "binaryen@$VERSION" >&2
fi
for wasm in "$ROOT"/dist/*.wasm; do
  before=$(stat -c %s "$wasm")
  "$CACHE/node_modules/binaryen/bin/wasm-opt" -Oz --enable-bulk-memory --enable-reference-types \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-mutable-globals \
    --enable-simd "$wasm" -o "$wasm.opt"
  mv "$wasm.opt" "$wasm"
  echo "$(basename "$wasm"): $before → $(stat -c %s "$wasm") bytes"
done
