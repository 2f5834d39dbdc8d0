#!/usr/bin/env bash
# One command: install what is missing, build, and serve the app on http://127.0.0.1:8080
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$ROOT"
say "serving on http://127.0.0.1:${PORT:-8080} (Ctrl-C to stop)"
CARGO_TARGET_DIR="$ICL_WASM_TARGET_DIR" exec trunk serve --release --port "${PORT:-8080}"
