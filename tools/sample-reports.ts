/**
 * `npm run sample-reports -- OUT_DIR [--check REF_DIR]`: scans every sample artifact under samples/ as `leakdex scan`
 * does (worker processes, the default rules) and writes its report in every format to OUT_DIR, with the figures that
 * change from run to run (durations, per-stage and per-decoder milliseconds, worker memory) set to 0. With --check,
 * each file is compared byte for byte with the one of the same name in REF_DIR and every difference is listed (exit 1).
 * A refactoring that must not change behaviour is checked by writing REF_DIR before it and OUT_DIR after it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanFileIsolated } from '../src/pipeline/run.js';
import { FORMATS, renderReport } from '../src/report/render.js';
import type { Report } from '../src/report/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SAMPLES = join(ROOT, 'samples');
/** What a sample artifact is named like; sources, build tools and goldens are not artifacts. */
const ARTIFACT = /\.(?:apk|aab|apks|apkm|xapk|ipa|zip|bundle|dex|so|dylib)$/;
const NOT_ARTIFACTS = new Set(['src', 'tools', 'golden', 'keys', 'node_modules']);

function artifacts(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!NOT_ARTIFACTS.has(name)) artifacts(path, out);
    } else if (ARTIFACT.test(name)) out.push(path);
  }
  return out;
}

/** The report with run-dependent figures zeroed. */
function steady(r: Report): Report {
  const stats = { ...r.stats, durationMs: 0, stages: { unzip: 0, decode: 0, detect: 0 } };
  if (stats.decoders) stats.decoders = Object.fromEntries(Object.entries(stats.decoders).map(([k, v]) => [k, { ...v, ms: 0 }]));
  if (stats.workersPeakRssMb !== undefined) stats.workersPeakRssMb = 0;
  return { ...r, stats };
}

const args = process.argv.slice(2);
const checkAt = args.indexOf('--check');
const ref = checkAt >= 0 ? args[checkAt + 1] : undefined;
const out = args.find((a, i) => !a.startsWith('--') && (checkAt < 0 || i !== checkAt + 1));
if (!out || (checkAt >= 0 && !ref)) {
  process.stderr.write('usage: npm run sample-reports -- OUT_DIR [--check REF_DIR]\n');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const differ: string[] = [];
let files = 0;
for (const path of artifacts(SAMPLES)) {
  const rel = relative(ROOT, path);
  const report = steady(await scanFileIsolated(path, { displayPath: rel }));
  for (const format of FORMATS) {
    const name = `${rel.replaceAll('/', '__')}.${format}`;
    const text = await renderReport(report, format);
    writeFileSync(join(out, name), text);
    files++;
    if (ref !== undefined) {
      const before = existsSync(join(ref, name)) ? readFileSync(join(ref, name), 'utf8') : undefined;
      if (before !== text) differ.push(before === undefined ? `${name}: not in ${ref}` : `${name}: differs`);
    }
  }
}
process.stdout.write(`${files} reports written to ${out}\n`);
if (ref !== undefined) {
  for (const name of readdirSync(ref)) if (!existsSync(join(out, name))) differ.push(`${name}: only in ${ref}`);
  process.stdout.write(differ.length === 0 ? `all identical to ${ref}\n` : `${differ.join('\n')}\n${differ.length} differences from ${ref}\n`);
  process.exit(differ.length === 0 ? 0 : 1);
}
