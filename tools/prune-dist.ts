/**
 * Build step (`npm run build`): deletes the compiled files under dist/ whose TypeScript source is gone (a module or a
 * test moved or removed). tsc only adds and overwrites, and `tap dist/test` runs every file it finds there.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(DIST, '..');
/** Outputs of other build steps (tools/bundle-worker.ts), not of tsc. */
const KEEP = new Set(['src/pipeline/worker.bundle.js', 'src/pipeline/worker.bundle.js.map']);

let removed = 0;
const walk = (dir: string): void => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      walk(path);
      continue;
    }
    const rel = relative(DIST, path);
    const compiled = /^(.*)\.js(?:\.map)?$/.exec(rel);
    if (!compiled || KEEP.has(rel) || existsSync(join(ROOT, `${compiled[1]}.ts`))) continue;
    rmSync(path);
    removed++;
  }
};
for (const top of ['src', 'decoders', 'rules', 'tools', 'test']) if (existsSync(join(DIST, top))) walk(join(DIST, top));
if (removed > 0) process.stdout.write(`prune-dist: removed ${removed} compiled file(s) whose source is gone\n`);
