// Trunk post-build hook: gives dist/index.html a strict Content-Security-Policy.
// Scripts, workers, styles and fetches come from the page's own origin only; wasm may be
// compiled ('wasm-unsafe-eval'); the one inline script (Trunk's loader) is allowed by its
// SHA-256 hash, so no other inline script, no eval and no third-party origin can run.
// Runs first (imports are evaluated before this module): it also rewrites index.html.
import './strip-names.mjs';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const dir = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
if (!dir) throw new Error('csp.mjs: TRUNK_STAGING_DIR (or a dist folder argument) is needed');
const file = path.join(dir, 'index.html');
let html = fs.readFileSync(file, 'utf8');
html = html.replace(/\s*<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
  .map((m) => `'sha256-${crypto.createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
if (!/<meta charset="utf-8" \/>/.test(html)) throw new Error('csp.mjs: index.html has no <meta charset="utf-8" /> to put the policy after');
html = html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n  ${meta}`);
fs.writeFileSync(file, html);
console.log(`csp.mjs: ${hashes.length} inline script(s) allowed by hash`);
