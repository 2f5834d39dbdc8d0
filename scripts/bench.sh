#!/usr/bin/env bash
# Benchmarks (never timed tests): every figure of the issue "Speed" in one command, each
# ours-against-peer pair interleaved in one run where the peer is installed, then a summary.
#
#   (a) native CPU, reference workload: `icl-lab bench --preset reference` (burn flex) against
#       eager PyTorch (tests/bench/pytorch_reference.py, a throwaway venv), alternating
#       ours/peer BENCH_PAIRS times; median steps/s of each and the median ratio;
#   (b) browser CPU path, reference workload, against TensorFlow.js WASM (tests/bench/tfjs)
#       in the same headless Chromium: tests/bench/browser.mjs --interleave;
#   (c) bundle sizes (raw and gzip, page vs worker) and first paint (browser.mjs);
#   (d) the quick scaling sweep's native wall time with 1 and with 2 jobs;
#   (e) the decoders' fuzz benchmark (BENCH_FUZZ_CASES per property, 10,000 by default).
#
#   scripts/bench.sh
#   BENCH_STEPS=15 BENCH_PAIRS=3 BENCH_BROWSER_STEPS=15 scripts/bench.sh
#
# Knobs (environment):
#   BENCH_STEPS          native timed steps per measurement (15)
#   BENCH_PAIRS          ours/peer alternations, native and browser (3)
#   BENCH_BROWSER_STEPS  browser timed steps per measurement (15)
#   BENCH_THREADS        PyTorch threads (the core count, as burn flex uses)
#   BENCH_PYTHON         a python that already has torch (else the venv below)
#   BENCH_TORCH_INDEX    pip index for torch (default: PyPI; on Linux x86-64 its wheel brings
#                        the CUDA libraries, about 5 GB; a CPU-only index is much smaller)
#   BENCH_WEBGPU=1       also time the page on WebGPU (SwiftShader here: slow, says little)
#   BENCH_BASELINES=1    also time the classical baseline suite
#   BENCH_FUZZ_CASES     fuzz cases per property (10000)
#   BENCH_SKIP_NATIVE=1, BENCH_SKIP_BROWSER=1, BENCH_SKIP_SWEEP=1, BENCH_SKIP_FUZZ=1   skip a part
#
# The PyTorch and TensorFlow.js peers are comparison-only: they live outside the product's
# dependencies (the venv under $ICL_CACHE/bench-venv, tests/bench/tfjs/node_modules).
set -euo pipefail
# shellcheck source=SCRIPTDIR/toolchain.sh
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$ROOT"

STEPS="${BENCH_STEPS:-15}"
PAIRS="${BENCH_PAIRS:-3}"
BROWSER_STEPS="${BENCH_BROWSER_STEPS:-15}"
CORES="$(nproc 2>/dev/null || echo 1)"
THREADS="${BENCH_THREADS:-$CORES}"
VENV="$ICL_CACHE/bench-venv"
BIN="$CARGO_TARGET_DIR/release/icl-lab"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/icl-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

SUMMARY=()    # rows "what|ours|peer|ratio"
SKIPPED=()
row() { SUMMARY+=("$1|$2|$3|$4"); }
skip() { say "skipped: $*"; SKIPPED+=("$*"); }
# The value of a numeric field in a one-line JSON object (compact or with spaces).
num() { sed -n "s/.*\"$1\":[[:space:]]*\\(-\\{0,1\\}[0-9.eE+-]*\\).*/\\1/p" | head -n 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.3f", a / b; else print "nan" }'; }
fmt() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }

say "machine: $(uname -srm), $CORES cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo '? GiB'), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
say "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"

# ── (a) native CPU vs eager PyTorch ──────────────────────────────────────────────────────
torch_python() {
  # Prints a python that imports torch, installing it into the throwaway venv if needed.
  local py
  for py in "${BENCH_PYTHON:-}" "$VENV/bin/python"; do
    if [ -n "$py" ] && [ -x "$py" ] && "$py" -c 'import torch' 2>/dev/null; then echo "$py"; return 0; fi
  done
  command -v python3 >/dev/null || { echo "no python3" >&2; return 1; }
  local free_gb
  free_gb="$(df -Pk "$ICL_CACHE" | awk 'NR == 2 { printf "%d", $4 / 1048576 }')"
  if [ -z "${BENCH_TORCH_INDEX:-}" ] && [ "$(uname -sm)" = "Linux x86_64" ] && [ "${free_gb:-0}" -lt 8 ]; then
    echo "PyPI's torch for Linux x86-64 needs about 6 GB with its CUDA libraries; only ${free_gb} GB free under $ICL_CACHE (set BENCH_TORCH_INDEX to a CPU-only index, or BENCH_PYTHON)" >&2
    return 1
  fi
  say "installing torch into the throwaway venv $VENV (comparison only; once)" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2 || { echo "python3 -m venv failed (Debian: apt-get install python3-venv)" >&2; return 1; }
  "$VENV/bin/pip" install --quiet --upgrade pip >&2 || true
  if [ -n "${BENCH_TORCH_INDEX:-}" ]; then
    "$VENV/bin/pip" install --quiet --index-url "$BENCH_TORCH_INDEX" torch >&2 || { echo "pip install torch failed" >&2; return 1; }
  else
    "$VENV/bin/pip" install --quiet torch >&2 || { echo "pip install torch failed" >&2; return 1; }
  fi
  "$VENV/bin/python" -c 'import torch' >&2 || return 1
  echo "$VENV/bin/python"
}

native_built=0
if [ -n "${BENCH_SKIP_NATIVE:-}" ] && [ -n "${BENCH_SKIP_SWEEP:-}" ]; then
  skip "native parts (BENCH_SKIP_NATIVE, BENCH_SKIP_SWEEP)"
else
  say "building icl-lab (native release, CPU backend)"
  if cargo build --release -p icl-lab; then native_built=1; else skip "native parts: cargo build --release -p icl-lab failed"; fi
fi

if [ "$native_built" = 1 ] && [ -z "${BENCH_SKIP_NATIVE:-}" ]; then
  PY=""
  if PY="$(torch_python)"; then
    say "native CPU vs eager PyTorch ($("$PY" -c 'import torch; print(torch.__version__)'), $THREADS threads): reference workload, $STEPS timed steps, $PAIRS pairs"
  else
    PY=""
    skip "eager PyTorch peer (torch not installable here); timing ours alone"
  fi
  : >"$TMP/ours.txt"; : >"$TMP/torch.txt"; : >"$TMP/native-ratio.txt"
  for i in $(seq 1 "$PAIRS"); do
    "$BIN" bench --preset reference --timed-steps "$STEPS" --warmup-steps 3 --json >"$TMP/ours.json"
    line="$(grep '"backend":"CPU"' "$TMP/ours.json" | head -n 1)"
    echo "{\"pair\":$i,\"ours\":$line}"
    ours="$(num steps_per_s <<<"$line")"
    echo "$ours" >>"$TMP/ours.txt"
    if [ -n "$PY" ] && ! peer_line="$("$PY" tests/bench/pytorch_reference.py --steps "$STEPS" --warmup 3 --threads "$THREADS")"; then
      skip "eager PyTorch peer: tests/bench/pytorch_reference.py failed"; PY=""
    fi
    if [ -n "$PY" ]; then
      echo "{\"pair\":$i,\"peer\":$peer_line}"
      peer="$(num steps_per_s <<<"$peer_line")"
      echo "$peer" >>"$TMP/torch.txt"
      r="$(ratio "$ours" "$peer")"
      echo "$r" >>"$TMP/native-ratio.txt"
      echo "{\"pair\":$i,\"ours_steps_per_s\":$ours,\"peer_steps_per_s\":$peer,\"ratio\":$r}"
    fi
  done
  ours_med="$(median <"$TMP/ours.txt")"
  if [ -n "$PY" ]; then
    peer_med="$(median <"$TMP/torch.txt")"
    ratio_med="$(awk '{ printf "%.3f", $1 }' <<<"$(median <"$TMP/native-ratio.txt")")"
    row "native CPU, reference ($STEPS steps; median of $PAIRS)" "$(fmt "$ours_med") steps/s" "PyTorch eager, $THREADS threads: $(fmt "$peer_med") steps/s" "${ratio_med}x"
  else
    row "native CPU, reference ($STEPS steps; median of $PAIRS)" "$(fmt "$ours_med") steps/s" "(PyTorch not installed)" "-"
  fi
  flops="$(awk -v s="$ours_med" 'BEGIN { printf "%.1f", s * 5.8 }')"
  say "at 5.8 GFLOP a reference step: $flops GFLOP/s natively"
  if [ -n "${BENCH_BASELINES:-}" ]; then
    say "native: the baseline suite (all classical learners on 512 held-out prompts)"
    "$BIN" bench --baselines
  fi
elif [ -n "${BENCH_SKIP_NATIVE:-}" ]; then
  skip "native CPU vs PyTorch (BENCH_SKIP_NATIVE)"
fi

# ── (b) browser CPU path vs TensorFlow.js WASM, (c) bundles and first paint ───────────────
browser_ok=1
if [ -n "${BENCH_SKIP_BROWSER:-}" ]; then
  skip "browser parts (BENCH_SKIP_BROWSER)"; browser_ok=0
elif ! command -v "${CHROMIUM:-chromium}" >/dev/null && [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  skip "browser parts: no Chromium (Debian: apt-get install chromium)"; browser_ok=0
fi
if [ "$browser_ok" = 1 ] && [ ! -d tests/node_modules/playwright-core ]; then
  say "installing playwright-core (never its browsers: we use Debian's chromium)"
  (cd tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) || { skip "browser parts: npm ci in tests/ failed"; browser_ok=0; }
fi
if [ "$browser_ok" = 1 ] && [ ! -f dist/index.html ]; then
  build_dist || { skip "browser parts: the dist/ build failed"; browser_ok=0; }
fi

if [ -f dist/index.html ]; then
  say "bundles (dist/, as built)"
  for f in dist/*.wasm dist/*.js; do
    [ -f "$f" ] || continue
    raw="$(stat -c %s "$f")"
    gz="$(gzip -9c "$f" | wc -c)"
    printf '  %-44s %8.2f MB raw %8.2f MB gzip\n' "${f#dist/}" "$(awk -v b="$raw" 'BEGIN { print b / 1e6 }')" "$(awk -v b="$gz" 'BEGIN { print b / 1e6 }')"
    case "${f#dist/}" in
      icl-worker*) who="worker" ;;
      *) who="page" ;;
    esac
    row "$who ${f##*.}: ${f#dist/}" "$(awk -v r="$raw" -v g="$gz" 'BEGIN { printf "%.2f MB raw, %.2f MB gzip", r / 1e6, g / 1e6 }')" "-" "-"
  done
fi

if [ "$browser_ok" = 1 ]; then
  interleave=()
  if [ ! -d tests/bench/tfjs/node_modules/@tensorflow/tfjs-backend-wasm ]; then
    say "installing the TensorFlow.js peer (tests/bench/tfjs; comparison only)"
    (cd tests/bench/tfjs && npm ci --no-audit --no-fund) || true
  fi
  if [ -d tests/bench/tfjs/node_modules/@tensorflow/tfjs-backend-wasm ]; then
    interleave=(--interleave "$PAIRS")
    say "browser: our CPU path vs TensorFlow.js WASM, reference workload, $BROWSER_STEPS timed steps, $PAIRS pairs"
  else
    skip "TensorFlow.js peer (npm ci in tests/bench/tfjs failed); timing our browser CPU path alone"
    say "browser: our CPU path, reference workload, $BROWSER_STEPS timed steps"
  fi
  webgpu=(--skip-webgpu)
  if [ -n "${BENCH_WEBGPU:-}" ] && [ -z "${BENCH_SKIP_WEBGPU:-}" ]; then webgpu=(); fi
  node tests/bench/browser.mjs --query '?D=8&K=32&d=64&L=4&H=4&B=64&lr=0.001&warmup=0&cosine=0&curriculum=0' --steps "$BROWSER_STEPS" "${interleave[@]}" "${webgpu[@]}" | tee "$TMP/browser.jsonl" \
    || skip "tests/bench/browser.mjs failed (its figures so far are above)"
  paint="$(grep '"paint"' "$TMP/browser.jsonl" || true)"
  row "first paint" "FCP $(num first_contentful_paint_ms <<<"$paint") ms, interactive $(num app_interactive_ms <<<"$paint") ms, trainer ready $(num trainer_ready_ms <<<"$paint") ms" "-" "-"
  summary="$(grep '"interleave"' "$TMP/browser.jsonl" || true)"
  if [ -n "$summary" ]; then
    row "browser CPU, reference ($BROWSER_STEPS steps; median of $PAIRS)" "$(fmt "$(num ours_median_steps_per_s <<<"$summary")") steps/s" "TF.js WASM (SIMD, 1 thread): $(fmt "$(num peer_median_steps_per_s <<<"$summary")") steps/s" "$(num ratio_median <<<"$summary")x"
  else
    cpu="$(grep '"cpu"' "$TMP/browser.jsonl" | head -n 1)"
    row "browser CPU, reference ($BROWSER_STEPS steps)" "$(fmt "$(num steps_per_s <<<"$cpu")") steps/s" "(TF.js peer not installed)" "-"
  fi
  gpu="$(grep '"webgpu"' "$TMP/browser.jsonl" || true)"
  if [ -n "$gpu" ]; then row "browser WebGPU, reference" "$(fmt "$(num steps_per_s <<<"$gpu")") steps/s" "-" "-"; fi
fi

# ── (d) the quick scaling sweep, natively, 1 and 2 jobs ─────────────────────────────────
if [ -n "${BENCH_SKIP_SWEEP:-}" ]; then
  skip "quick sweep wall time (BENCH_SKIP_SWEEP)"
elif [ "$native_built" != 1 ]; then
  skip "quick sweep wall time (no native build)"
elif ! "$BIN" sweep --help 2>/dev/null | grep -q -- '--jobs'; then
  skip "quick sweep wall time: this icl-lab's sweep has no --jobs yet"
else
  declare -A SWEEP_S=()
  for jobs in 1 2; do
    say "native: quick scaling sweep, --jobs $jobs"
    t0="$(date +%s.%N)"
    if "$BIN" sweep scaling --preset quick --out "$TMP/sweep-j$jobs" --jobs "$jobs" >"$TMP/sweep-j$jobs.log" 2>&1; then
      SWEEP_S[$jobs]="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
      tail -n 3 "$TMP/sweep-j$jobs.log"
      echo "{\"sweep\":\"scaling\",\"preset\":\"quick\",\"jobs\":$jobs,\"wall_s\":${SWEEP_S[$jobs]}}"
    else
      tail -n 20 "$TMP/sweep-j$jobs.log" >&2
      skip "quick sweep with --jobs $jobs failed"
    fi
  done
  if [ -n "${SWEEP_S[1]:-}" ] && [ -n "${SWEEP_S[2]:-}" ]; then
    row "native quick scaling sweep wall time" "1 job: ${SWEEP_S[1]} s; 2 jobs: ${SWEEP_S[2]} s" "-" "$(ratio "${SWEEP_S[2]}" "${SWEEP_S[1]}")x (2 jobs / 1; goal <= 0.6)"
  fi
fi

# ── (e) the decoders' fuzz benchmark: ≥ 10,000 cases per property, the count reported ───
if [ -n "${BENCH_SKIP_FUZZ:-}" ]; then
  skip "decoder fuzz benchmark (BENCH_SKIP_FUZZ)"
else
  say "fuzz: the URL, run-file and sweep-file decoders at ${BENCH_FUZZ_CASES:-10000} cases per property"
  if ICL_FUZZ_CASES="${BENCH_FUZZ_CASES:-10000}" cargo test --release -p icl-core --test fuzz_decoders -- --nocapture --test-threads 1 >"$TMP/fuzz.log" 2>&1; then
    grep '^fuzz:' "$TMP/fuzz.log" || true
    total="$(sed -n 's/^fuzz: [^/]*: \([0-9][0-9]*\) cases in .*/\1/p' "$TMP/fuzz.log" | awk '{ s += $1 } END { print s + 0 }')"
    row "decoder fuzzing (proptest)" "$total cases, 0 panics, every property held" "-" "-"
  else
    grep -E '^fuzz:|panicked|FAILED' "$TMP/fuzz.log" | head -n 20 >&2
    skip "decoder fuzz benchmark failed (above)"
  fi
fi

# ── summary ─────────────────────────────────────────────────────────────────────────────
say "summary ($(uname -m), $CORES cores, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'))"
printf '| %s | %s | %s | %s |\n|---|---|---|---|\n' "what" "ours" "peer" "ratio"
for r in "${SUMMARY[@]}"; do
  IFS='|' read -r what ours peer rat <<<"$r"
  printf '| %s | %s | %s | %s |\n' "$what" "$ours" "$peer" "$rat"
done
for s in "${SKIPPED[@]}"; do echo "skipped: $s"; done
