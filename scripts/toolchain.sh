#!/usr/bin/env bash
# Installs what building the app needs, skipping whatever is already there:
# the wasm target, trunk 0.21.14, and wasm-bindgen-cli at the version in Cargo.lock.
# Sourced by serve.sh and test.sh; also exports the shared build-cache locations.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
# Build caches live outside the clone so a fresh clone (CI) reuses earlier builds.
export ICL_CACHE="${ICL_CACHE:-$HOME/.cache/icl-lab}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ICL_CACHE/target}"
export ICL_WASM_TARGET_DIR="${ICL_WASM_TARGET_DIR:-$ICL_CACHE/target-wasm}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Every clone shares the caches, and cargo keys the workspace crates' artifacts without the
# clone's path: built in one clone, they look fresh to another, whose edits are then never
# compiled (found when a test passed on stale wasm). So the first build from a new clone
# drops the workspace crates' artifacts (a few minutes to rebuild; dependencies stay).
forget_other_clone() {
  local stamp="$ICL_CACHE/last-clone"
  mkdir -p "$ICL_CACHE"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$ROOT" ]; then
    say "the build cache was last used by $(cat "$stamp"): rebuilding this clone's crates"
    # The workspace's crates and the vendored (patched) ones: all are built from the clone.
    local shared=(-p icl-core -p icl-train -p icl-worker -p icl-lab-app -p burn-flex -p burn-optim)
    (cd "$ROOT" && cargo clean --release "${shared[@]}" -p icl-lab >/dev/null 2>&1 || true)
    (cd "$ROOT" && CARGO_TARGET_DIR="$ICL_WASM_TARGET_DIR" cargo clean --release --target wasm32-unknown-unknown "${shared[@]}" >/dev/null 2>&1 || true)
  fi
  echo "$ROOT" > "$stamp"
}
sudo_if_needed() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v cargo >/dev/null; then
  say "installing Rust (rustup)"
  curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
fi
if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
# trunk 0.22 needs rustc >= 1.96.1; 0.21.14 builds on the machine's 1.95 and supports workers.
if [ "$(trunk --version 2>/dev/null || true)" != "trunk 0.21.14" ]; then
  say "installing trunk 0.21.14 (about 10 minutes on 2 cores, once)"
  cargo install trunk --version 0.21.14 --locked
fi
# Trunk cannot download its helpers here; it uses the wasm-bindgen on PATH when the
# version matches Trunk.toml, which must match Cargo.lock.
WBG="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$ROOT/Cargo.lock")"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WBG" ]; then
  say "installing wasm-bindgen-cli $WBG (about 3 minutes, once)"
  # Not --locked: a locked dependency of 0.2.130 has left the index.
  cargo install wasm-bindgen-cli --version "$WBG"
fi
grep -q "wasm_bindgen = \"$WBG\"" "$ROOT/Trunk.toml" || { echo "Trunk.toml's wasm_bindgen must be $WBG (Cargo.lock)"; exit 1; }
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "installing Node.js"
  sudo_if_needed apt-get install -y nodejs npm
fi

# Builds dist/ (page + worker) in release mode with the wasm cache.
build_dist() {
  say "building dist/ with trunk (release)"
  (cd "$ROOT" && CARGO_TARGET_DIR="$ICL_WASM_TARGET_DIR" trunk build --release)
}
forget_other_clone
