// Trunk post-build hook: drops the `name` custom section (function names, for stack traces
// only) from every wasm file of the build, and updates the Subresource Integrity hashes in
// index.html for the files it changed. The names are 44% of the page's wasm and 19% of the
// worker's; a panic's message and location survive without them (only the wasm frames of
// its console stack lose their names). Section layout: the WebAssembly binary format's
// "custom sections" (an id 0, a LEB128 size, a name, then bytes).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const dir = process.env.TRUNK_STAGING_DIR ?? process.argv[2];
if (!dir) throw new Error('strip-names.mjs: TRUNK_STAGING_DIR (or a dist folder argument) is needed');
const DROP = new Set(['name']);

function leb(bytes, i) {
  let value = 0, shift = 0, b;
  do { b = bytes[i++]; value += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
  return [value, i];
}

/** The module without the custom sections named in DROP (the bytes unchanged otherwise). */
export function stripSections(bytes) {
  if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm module');
  const kept = [bytes.subarray(0, 8)];
  let i = 8;
  while (i < bytes.length) {
    const start = i;
    const id = bytes[i++];
    const [size, body] = leb(bytes, i);
    const end = body + size;
    let drop = false;
    if (id === 0) {
      const [len, at] = leb(bytes, body);
      drop = DROP.has(bytes.subarray(at, at + len).toString('utf8'));
    }
    if (!drop) kept.push(bytes.subarray(start, end));
    i = end;
  }
  return Buffer.concat(kept);
}

const sri = (bytes) => `sha384-${crypto.createHash('sha384').update(bytes).digest('base64')}`;
const indexFile = path.join(dir, 'index.html');
let html = fs.readFileSync(indexFile, 'utf8');
for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.wasm'))) {
  const file = path.join(dir, name);
  const before = fs.readFileSync(file);
  const after = stripSections(before);
  if (after.length === before.length) continue;
  fs.writeFileSync(file, after);
  const old = sri(before);
  html = html.split(`integrity="${old}"`).join(`integrity="${sri(after)}"`);
  console.log(`strip-names.mjs: ${name} ${before.length} → ${after.length} bytes`);
}
fs.writeFileSync(indexFile, html);
