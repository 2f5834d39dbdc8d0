#!/usr/bin/env bash
# One command: install what the tests need, then run every test:
#   1. native cargo tests (theory, tasks, baselines, model, CPU training, schemas, UI state, plots);
#   2. the release build of dist/ with trunk;
#   3. browser end-to-end tests (Playwright + headless Chromium with WebGPU) on dist/.
# Screenshots land in tests/artifacts/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$ROOT"

if ! command -v chromium >/dev/null; then
  say "installing Chromium (Debian package)"
  sudo_if_needed apt-get update
  # The first install sometimes fails with "failed to read archive"; a second try works.
  sudo_if_needed apt-get install -y chromium || sudo_if_needed apt-get install -y chromium
fi
if [ ! -d tests/node_modules/playwright-core ]; then
  say "installing playwright-core (never its browsers: we use Debian's chromium)"
  (cd tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

say "native tests"
cargo test --workspace --release

build_dist

say "browser end-to-end tests"
node --test --test-concurrency=1 tests/e2e/
