/**
 * `npm run bench:bombs`: the archive bombs of issue 15 (built by test/helpers/zip-bombs.ts into a temporary folder),
 * each scanned as `leakdex scan` scans it (bench-one.js: a fresh process, its scan worker), against the targets the
 * issue set: every bomb ends within TARGET_SECONDS with a report, the CLI and its worker under TARGET_RSS_MB together.
 * Prints one row per bomb; exits 1 when a target is missed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { crc32, deflateRawSync, constants as zlibConstants } from 'node:zlib';
import { fortyTwo, nestedDeepestFirst, overlapBomb, stored, writeZip } from '../test/helpers/zip-bombs.js';

/** Issue 15: "must end in seconds with a report that names the bomb, under 300 MB". */
const TARGET_SECONDS = 10;
const TARGET_RSS_MB = 300;
const MiB = 1024 * 1024;
const ONE = fileURLToPath(new URL('./bench-one.js', import.meta.url));

/** An APK-looking zip holding one entry of `mib` MiB of zeros, its deflate built from one flushed 1 MiB block. */
function zeros(mib: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
  let crc = 0;
  const z = Buffer.alloc(MiB);
  for (let i = 0; i < mib; i++) crc = crc32(z, crc);
  const data = Buffer.concat([...Array.from({ length: mib }, () => block), deflateRawSync(Buffer.alloc(0))]);
  return writeZip([stored('AndroidManifest.xml', Buffer.from('not a real manifest\n')), { name: 'assets/zeros.bin', method: 8, data, size: mib * MiB, crc: crc >>> 0 }]);
}

const bombs: [string, () => Buffer][] = [
  ['overlap: 1,000 entries sharing a 32 MiB kernel', () => overlapBomb(1000, 32 * MiB)],
  ['overlap: 5,000 entries sharing a 64 MiB kernel', () => overlapBomb(5000, 64 * MiB)],
  ['42.zip shape: 5 levels of 16, 64 MiB leaves', () => fortyTwo(5, 16, 64 * MiB)],
  ['one entry of 1 GiB of zeros', () => zeros(1024)],
  ['zeros nested 6 deep, 400 MiB a level', () => nestedDeepestFirst(6, 400 * MiB)],
];

// `bench-bombs --write N FILE` writes bomb N and exits. The bombs are built in a child process so that this one stays
// small: on Linux a process's peak RSS (what bench-one reports) starts at its parent's RSS when it was forked.
if (process.argv[2] === '--write') {
  writeFileSync(process.argv[4]!, bombs[Number(process.argv[3])]![1]());
  process.exit(0);
}

const SELF = fileURLToPath(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'leakdex-bombs-'));
const rows: string[][] = [['bomb', 'KB', 'wall s', 'peak RSS MB*', 'MB inflated', 'target']];
let missed = 0;
try {
  for (const [index, [name]] of bombs.entries()) {
    const file = join(dir, 'bomb.apk');
    const made = spawnSync(process.execPath, [SELF, '--write', String(index), file], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error(`could not build the bomb "${name}"`);
    const bytes = { length: statSync(file).size };
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [ONE, file], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 10 * TARGET_SECONDS * 1000 });
    const wall = (performance.now() - t0) / 1000;
    let rss = NaN;
    let inflated = NaN;
    if (r.status === 0) {
      const o = JSON.parse(r.stdout) as { maxRssMb: number; bytesInflated: number };
      rss = o.maxRssMb;
      inflated = o.bytesInflated / 1e6;
    }
    const ok = r.status === 0 && wall <= TARGET_SECONDS && rss <= TARGET_RSS_MB;
    if (!ok) missed++;
    rows.push([name, (bytes.length / 1024).toFixed(0), wall.toFixed(1), rss.toFixed(0), inflated.toFixed(0), ok ? 'met' : r.status === 0 ? 'MISSED' : `MISSED (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) process.stdout.write(r.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ') + '\n');
process.stdout.write(`\ntargets: ${TARGET_SECONDS} s wall and ${TARGET_RSS_MB} MB peak RSS per bomb; * the CLI process plus the peaks of its scan workers.\n`);
process.exitCode = missed > 0 ? 1 : 0;
