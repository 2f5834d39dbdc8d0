#!/usr/bin/env bash
# GPU benchmark, one command, for a Linux machine with an NVIDIA GPU and its Vulkan driver
# (issue "Speed", part 6). Never part of the tests: nothing else needs a GPU.
#
#   1. native wgpu (Vulkan): steps/s of the reference workload (`icl-lab bench`, built with
#      `--features wgpu`; the CPU backend is timed beside it);
#   2. native wgpu: steps/s of each model shape of the quick scaling sweep
#      (`icl-lab sweep scaling --preset quick --dry-run` lists them), and the sweep's
#      training time they imply;
#   3. headless Chromium WebGPU on the real adapter (tests/bench/browser.mjs with
#      --enable-unsafe-webgpu --enable-features=Vulkan --use-angle=vulkan), and the
#      TensorFlow.js WebGPU peer beside it where tests/bench/tfjs is installed;
#   4. achieved FLOP/s against the GPU's peak FP32 rate.
#
#   scripts/gpu-bench.sh
#   GPU_BENCH_STEPS=100 GPU_BENCH_SWEEP=1 scripts/gpu-bench.sh
#
# Without an NVIDIA GPU (no working nvidia-smi) it says so and still runs the native wgpu
# figures on whatever Vulkan adapter exists, e.g. lavapipe (Debian: mesa-vulkan-drivers) on the
# CPU, with few steps: a test of the script, not a GPU figure.
#
# Knobs (environment):
#   GPU_BENCH_STEPS       timed steps, reference workload (50 on NVIDIA, 3 otherwise)
#   GPU_BENCH_SWEEP_STEPS timed steps per sweep shape (100 on NVIDIA, 5 otherwise)
#   GPU_BENCH_BROWSER_STEPS  timed steps in Chromium (20 on NVIDIA, 2 otherwise)
#   GPU_BENCH_SWEEP=1     also run the whole quick scaling sweep on wgpu and time it
#   GPU_BENCH_SKIP_BROWSER=1  skip the Chromium part
#   GPU_BENCH_CHROMIUM_FLAGS  Chromium flags for the WebGPU measurement
#   GPU_BENCH_NO_INSTALL=1    never apt-get the Vulkan loader / lavapipe
#
# FLOPs per step, counted as matrix multiplies (elementwise work, softmax, LayerNorm, GELU and
# Adam are left out): per token per block 12·d² MACs (qkv 3d², proj d², MLP 8d²) plus
# 2·T·d for attention (Q·Kᵀ and A·V over the full T×T matrix, the causal half not subtracted),
# plus D·d + d for read-in and read-out; T = 2K+1 tokens, B·T tokens a step. The reference
# workload (D=8, K=32, T=65, d=64, L=4, B=64): 230,464 MACs a token × 4,160 tokens ≈ 0.96 GMAC
# forward; backward ≈ 2× forward, so ×3; ×2 FLOP per MAC: ≈ 5.8e9 FLOP a step.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The native build needs only cargo; the page (dist/) needs the whole toolchain.
if ! command -v cargo >/dev/null || { [ -z "${GPU_BENCH_SKIP_BROWSER:-}" ] && [ ! -f dist/index.html ]; }; then
  # shellcheck source=SCRIPTDIR/toolchain.sh
  source "$ROOT/scripts/toolchain.sh"
fi
export ICL_CACHE="${ICL_CACHE:-$HOME/.cache/icl-lab}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ICL_CACHE/target}"
BIN="$CARGO_TARGET_DIR/release/icl-lab"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/icl-gpu-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

REF_FLOP=5.8e9   # FLOP a reference step (see the header)
REF_QUERY='?D=8&K=32&d=64&L=4&H=4&B=64&lr=0.001&warmup=0&cosine=0&curriculum=0'
SUMMARY=()
row() { SUMMARY+=("$1|$2|$3|$4"); }
num() { sed -n "s/.*\"$1\":[[:space:]]*\\(-\\{0,1\\}[0-9.eE+-]*\\).*/\\1/p" | head -n 1; }
str() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n 1; }

# FLOP a training step of a transformer: flop_per_step D K d L B (see the header).
flop_per_step() {
  awk -v D="$1" -v K="$2" -v d="$3" -v L="$4" -v B="$5" 'BEGIN {
    T = 2 * K + 1; mac = D * d + d + L * (12 * d * d + 2 * T * d); printf "%.4g", 6 * mac * B * T }'
}
# "12.3 GFLOP/s (18% of peak)" from steps/s and FLOP a step.
achieved() {
  awk -v s="$1" -v f="$2" -v p="${PEAK_TFLOPS:-}" 'BEGIN {
    a = s * f; out = sprintf("%.3g GFLOP/s", a / 1e9)
    if (p != "") out = out sprintf(" (%.3g%% of %s TFLOP/s)", 100 * a / (p * 1e12), p)
    print out }'
}
# heads the sweeps give width d (icl_core::sweep::default_heads): doubling while h·2 ≤ max(d/16, 1).
default_heads() {
  local d="$1" h=1 cap=$(( $1 / 16 ))
  [ "$cap" -ge 1 ] || cap=1
  while [ $((h * 2)) -le "$cap" ] && [ $((d % (h * 2))) -eq 0 ] && [ $((h * 2)) -le 32 ]; do h=$((h * 2)); done
  echo "$h"
}
# Peak FP32 (non-tensor-core) TFLOP/s at boost clock of common GPUs, by nvidia-smi's name.
peak_tflops() {
  case "$1" in
    *GH200*|*H200*) echo 67 ;;                  # H200 SXM (NVL: 60); GH200 as H100 SXM
    *H100*PCIe*) echo 51.2 ;;
    *H100*NVL*) echo 60 ;;
    *H100*) echo 67 ;;                          # SXM
    *A100*) echo 19.5 ;;
    *A10G*|*A10) echo 31.2 ;;
    *L40S*) echo 91.6 ;;
    *L40*) echo 90.5 ;;
    *L4) echo 30.3 ;;
    *T4) echo 8.1 ;;
    *V100*) echo 15.7 ;;
    *"RTX 6000 Ada"*) echo 91.1 ;;
    *"RTX A6000"*) echo 38.7 ;;
    *"RTX 4090"*) echo 82.6 ;;
    *"RTX 4080"*) echo 48.7 ;;
    *"RTX 3090"*) echo 35.6 ;;
    *) echo "" ;;
  esac
}

say "machine: $(uname -srm), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

# ── the GPU ─────────────────────────────────────────────────────────────────────────────
NVIDIA=0
GPU_NAME=""
PEAK_TFLOPS=""
if command -v nvidia-smi >/dev/null && gpu="$(nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader 2>/dev/null | head -n 1)" && [ -n "$gpu" ]; then
  NVIDIA=1
  GPU_NAME="${gpu%%,*}"
  CLOCK="$(echo "${gpu#*,}" | xargs)"
  PEAK_TFLOPS="$(peak_tflops "$GPU_NAME")"
  say "GPU: $GPU_NAME, max SM clock $CLOCK; peak FP32 ${PEAK_TFLOPS:-unknown} TFLOP/s${PEAK_TFLOPS:+ (table, at boost clock)}"
  [ -n "$PEAK_TFLOPS" ] || echo "peak unknown for '$GPU_NAME': FLOP/s are printed without a fraction of peak"
  if ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
    echo "note: no NVIDIA Vulkan ICD (nvidia_icd.json) found; in a container, NVIDIA_DRIVER_CAPABILITIES must include graphics (or be 'all')"
  fi
else
  echo "no NVIDIA GPU here (nvidia-smi missing or failing): the wgpu figures below are of whatever Vulkan adapter exists (lavapipe: the CPU), a test of this script, not a GPU figure"
fi
STEPS="${GPU_BENCH_STEPS:-$([ "$NVIDIA" = 1 ] && echo 50 || echo 3)}"
WARMUP="$([ "$NVIDIA" = 1 ] && echo 5 || echo 1)"
SWEEP_STEPS="${GPU_BENCH_SWEEP_STEPS:-$([ "$NVIDIA" = 1 ] && echo 100 || echo 5)}"
BROWSER_STEPS="${GPU_BENCH_BROWSER_STEPS:-$([ "$NVIDIA" = 1 ] && echo 20 || echo 2)}"

# The Vulkan loader (wgpu opens libvulkan.so.1 at run time) and, without NVIDIA, lavapipe.
have_icd() { ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; }
if [ -z "${GPU_BENCH_NO_INSTALL:-}" ] && command -v apt-get >/dev/null; then
  pkgs=()
  ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || pkgs+=(libvulkan1)
  if [ "$NVIDIA" = 0 ] && ! have_icd; then pkgs+=(mesa-vulkan-drivers); fi
  if [ "${#pkgs[@]}" -gt 0 ]; then
    say "installing ${pkgs[*]} (Debian packages)"
    { as_root apt-get update -qq && as_root apt-get install -y -qq "${pkgs[@]}"; } || echo "could not install ${pkgs[*]}; going on"
  fi
fi
if command -v vulkaninfo >/dev/null; then
  vulkaninfo --summary 2>/dev/null | grep -E 'deviceName|deviceType|driverName' || true
fi
have_icd || echo "no Vulkan ICD found: wgpu will likely report no adapter"

# ── native wgpu ─────────────────────────────────────────────────────────────────────────
say "building icl-lab with --features wgpu (release)"
cargo build --release -p icl-lab --features wgpu

# Extra flags that select the wgpu backend alone, when this icl-lab's bench has --backend.
ONLY_WGPU=()
if "$BIN" bench --help 2>/dev/null | grep -q -- '--backend'; then ONLY_WGPU=(--backend wgpu); fi

# bench_one LABEL FLOP ARGS…: times the ARGS configuration; prints the JSON lines; adds rows.
bench_one() {
  local label="$1" flop="$2"; shift 2
  local out="$TMP/bench.json" line sps badge
  if ! "$BIN" bench "$@" "${ONLY_WGPU[@]}" --json >"$out" 2>"$TMP/bench.err"; then
    cat "$TMP/bench.err" >&2
    row "$label" "bench failed" "-" "-"
    return 0
  fi
  cat "$out"
  grep -v '^$' "$TMP/bench.err" >&2 || true
  while IFS= read -r line; do
    sps="$(num steps_per_s <<<"$line")"
    badge="$(str backend <<<"$line")"
    [ -n "$sps" ] || continue
    case "$badge" in
      wgpu*) row "$label, native $badge" "$(awk -v s="$sps" 'BEGIN { printf "%.2f steps/s", s }')" "$(achieved "$sps" "$flop")" "${FLOP_NOTE:-}" ;;
      *) row "$label, native $badge" "$(awk -v s="$sps" 'BEGIN { printf "%.2f steps/s", s }')" "$(PEAK_TFLOPS="" achieved "$sps" "$flop")" "" ;;
    esac
  done <"$out"
  if ! grep -q '"backend":"wgpu' "$out"; then row "$label, native wgpu" "no wgpu adapter" "-" "-"; fi
}

say "native: reference workload ($STEPS timed steps; the CPU backend too where bench times every backend)"
FLOP_NOTE="$REF_FLOP FLOP/step" bench_one "reference D=8 K=32 d=64 L=4 H=4 B=64" "$REF_FLOP" \
  --preset reference --timed-steps "$STEPS" --warmup-steps "$WARMUP"

say "native: the quick scaling sweep's shapes ($SWEEP_STEPS timed steps each)"
"$BIN" sweep scaling --preset quick --dry-run >"$TMP/plan.txt" 2>&1 || true
sed -n '1,4p' "$TMP/plan.txt"
read -r SK SD < <(sed -n 's/.*K = \([0-9][0-9]*\), D = \([0-9][0-9]*\).*/\1 \2/p' "$TMP/plan.txt" | head -n 1; echo "8 4")
SB="$(sed -n 's/.*steps at batch \([0-9][0-9]*\).*/\1/p' "$TMP/plan.txt" | head -n 1)"; SB="${SB:-128}"
POINT_STEPS="$(sed -n 's/^  L[0-9]*-d[0-9]*-s[0-9]* · .* · \([0-9][0-9]*\) steps$/\1/p' "$TMP/plan.txt" | head -n 1)"; POINT_STEPS="${POINT_STEPS:-600}"
SEEDS="$(grep -cE '^  L[0-9]+-d[0-9]+-s[0-9]+ ' "$TMP/plan.txt" || true)"
mapfile -t SHAPES < <(sed -n 's/^  L\([0-9][0-9]*\)-d\([0-9][0-9]*\)-s0 .*/\1 \2/p' "$TMP/plan.txt")
if [ "${#SHAPES[@]}" -eq 0 ]; then
  echo "could not read the quick sweep's plan; using its known ladder"
  SHAPES=("1 8" "2 8" "2 16" "4 16" "4 32" "4 64"); SEEDS=12
fi
SEEDS_PER_SHAPE=$(( ${SEEDS:-0} > 0 ? SEEDS / ${#SHAPES[@]} : 2 ))
sweep_est=0
for shape in "${SHAPES[@]}"; do
  read -r L W <<<"$shape"
  H="$(default_heads "$W")"
  flop="$(flop_per_step "$SD" "$SK" "$W" "$L" "$SB")"
  FLOP_NOTE="$flop FLOP/step" bench_one "quick sweep L=$L d=$W H=$H (D=$SD K=$SK B=$SB)" "$flop" \
    --preset reference --dim "$SD" --context "$SK" --width "$W" --depth "$L" --heads "$H" --batch "$SB" \
    --timed-steps "$SWEEP_STEPS" --warmup-steps "$WARMUP"
  sps="$(grep '"backend":"wgpu' "$TMP/bench.json" 2>/dev/null | num steps_per_s || true)"
  if [ -n "$sps" ]; then
    sweep_est="$(awk -v t="$sweep_est" -v n="$POINT_STEPS" -v k="$SEEDS_PER_SHAPE" -v s="$sps" 'BEGIN { print t + k * n / s }')"
  fi
done
if [ "$sweep_est" != 0 ]; then
  row "quick scaling sweep, estimated from the shapes" "$(awk -v t="$sweep_est" 'BEGIN { printf "%.0f s of training on wgpu", t }')" "-" "evaluations not counted"
fi
if [ -n "${GPU_BENCH_SWEEP:-}" ]; then
  say "native: the whole quick scaling sweep on wgpu"
  t0="$(date +%s.%N)"
  if "$BIN" sweep scaling --preset quick --backend wgpu --out "$TMP/sweep" >"$TMP/sweep.log" 2>&1; then
    wall="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
    tail -n 3 "$TMP/sweep.log"
    row "quick scaling sweep, wgpu, run" "$wall s wall" "-" "-"
  else
    tail -n 20 "$TMP/sweep.log" >&2
    row "quick scaling sweep, wgpu, run" "failed" "-" "-"
  fi
fi

# ── headless Chromium WebGPU on the real adapter ─────────────────────────────────────────
FLAGS="${GPU_BENCH_CHROMIUM_FLAGS:---enable-unsafe-webgpu --enable-features=Vulkan --use-angle=vulkan --ignore-gpu-blocklist}"
if [ -n "${GPU_BENCH_SKIP_BROWSER:-}" ]; then
  echo "skipped: Chromium WebGPU (GPU_BENCH_SKIP_BROWSER)"
elif ! command -v "${CHROMIUM:-chromium}" >/dev/null && [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "skipped: Chromium WebGPU (no Chromium; Debian: apt-get install chromium)"
elif ! command -v node >/dev/null; then
  echo "skipped: Chromium WebGPU (no Node.js)"
else
  if [ ! -d tests/node_modules/playwright-core ]; then
    (cd tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) || true
  fi
  if [ ! -f dist/index.html ] && declare -F build_dist >/dev/null; then build_dist || true; fi
  if [ ! -d tests/node_modules/playwright-core ] || [ ! -f dist/index.html ]; then
    echo "skipped: Chromium WebGPU (playwright-core or dist/ missing)"
  else
    query="$REF_QUERY"; flop="$REF_FLOP"; what="reference"
    if [ "$NVIDIA" = 0 ]; then
      # No GPU: Chromium falls back to SwiftShader, far too slow for the reference workload.
      query='?D=2&K=4&d=8&L=1&H=1&B=8&lr=0.001'; flop="$(flop_per_step 2 4 8 1 8)"; what="tiny (no GPU)"
    fi
    say "Chromium WebGPU: $what workload, $BROWSER_STEPS timed steps, flags: $FLAGS"
    if node tests/bench/browser.mjs --query "$query" --steps "$BROWSER_STEPS" --warmup 2 --webgpu-flags "$FLAGS" | tee "$TMP/browser.jsonl"; then
      line="$(grep '"webgpu"' "$TMP/browser.jsonl" | head -n 1 || true)"
      sps="$(num steps_per_s <<<"$line")"; badge="$(str backend <<<"$line")"
      case "$badge" in *[Ss]wift[Ss]hader*) echo "note: Chromium used SwiftShader (a CPU emulation), not the GPU: check the flags and the Vulkan driver" ;; esac
      [ -z "$sps" ] || row "$what, Chromium $badge" "$(awk -v s="$sps" 'BEGIN { printf "%.2f steps/s", s }')" "$(achieved "$sps" "$flop")" "$flop FLOP/step"
      line="$(grep '"cpu"' "$TMP/browser.jsonl" | head -n 1 || true)"
      sps="$(num steps_per_s <<<"$line")"
      [ -z "$sps" ] || row "$what, Chromium CPU path" "$(awk -v s="$sps" 'BEGIN { printf "%.2f steps/s", s }')" "$(PEAK_TFLOPS="" achieved "$sps" "$flop")" ""
    else
      row "Chromium WebGPU" "browser.mjs failed" "-" "-"
    fi
    if [ "$NVIDIA" = 1 ] && [ -d tests/bench/tfjs/node_modules/@tensorflow/tfjs-backend-webgpu ]; then
      say "Chromium: the TensorFlow.js WebGPU peer, reference workload"
      if line="$(node tests/bench/tfjs/run.mjs --backend webgpu --steps "$BROWSER_STEPS" --warmup 2 --webgpu-flags "$FLAGS")"; then
        echo "$line"
        sps="$(num steps_per_s <<<"$line")"
        row "reference, TF.js WebGPU peer ($(str adapter <<<"$line"))" "$(awk -v s="$sps" 'BEGIN { printf "%.2f steps/s", s }')" "$(achieved "$sps" "$REF_FLOP")" "peer"
      fi
    fi
  fi
fi

# ── summary ─────────────────────────────────────────────────────────────────────────────
if [ -z "$GPU_NAME" ]; then peak_text="no NVIDIA GPU"
elif [ -n "$PEAK_TFLOPS" ]; then peak_text="$GPU_NAME, peak FP32 $PEAK_TFLOPS TFLOP/s"
else peak_text="$GPU_NAME, peak unknown"; fi
say "summary: $peak_text; FLOP a reference step $REF_FLOP (0.96 GMAC forward, x3 forward+backward, x2 FLOP/MAC)"
printf '| %s | %s | %s | %s |\n|---|---|---|---|\n' "what" "steps/s" "achieved" "note"
for r in "${SUMMARY[@]}"; do
  IFS='|' read -r what a b c <<<"$r"
  printf '| %s | %s | %s | %s |\n' "$what" "$a" "$b" "$c"
done
