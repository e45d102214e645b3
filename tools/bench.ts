/**
 * `npm run bench -- FILES`: per file, the size, scan time, the ratio to `unzip -p FILE > /dev/null` measured in the
 * same run (the three commands alternate, run after run), MB/s of inflating and of searching (decoding and detection
 * over the inflated bytes), strings made, peak RSS and time per stage. Each scan is `leakdex scan` itself, in a fresh
 * process. The `read-only` column is the floor under any scan in Node: a fresh process that only reads and inflates
 * every entry. `samples/large/build.sh` builds the 60 MB APK of issue 20 to measure the large case.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

interface OneRun {
  wallMs: number;
  scanMs: number;
  maxRssMb: number;
  strings: number;
  bytesInflated: number;
  findings: number;
  stages: { unzip: number; decode: number; detect: number };
}

const ONE = fileURLToPath(new URL('./bench-one.js', import.meta.url));
const READ = fileURLToPath(new URL('./bench-read.js', import.meta.url));

/** Wall time of a fresh Node process that only reads and inflates every entry of `file`. */
function timeReadOnly(file: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [READ, file], { stdio: 'ignore' });
  const ms = performance.now() - t0;
  return r.status === 0 ? ms : NaN;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeUnzip(file: string): number {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', 'unzip -p "$1" > /dev/null', 'sh', file], { stdio: 'ignore' });
  const ms = performance.now() - t0;
  return r.status === 0 || r.status === 1 || r.status === 2 ? ms : NaN;
}

function runOne(file: string): OneRun {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [ONE, file, ...(parallelism === undefined ? [] : ['--parallelism', String(parallelism)])], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench-one failed on ${file}: ${r.stderr}`);
  const o = JSON.parse(r.stdout) as Omit<OneRun, 'wallMs'>;
  return { ...o, wallMs };
}

const args = process.argv.slice(2);
const runsArg = args.findIndex((a) => a === '--runs');
const runs = runsArg >= 0 ? Math.max(1, Number(args[runsArg + 1])) : 3;
// `--parallelism N`: scan workers per file (default: as `leakdex scan` decides, by size).
const parArg = args.findIndex((a) => a === '--parallelism');
const parallelism = parArg >= 0 ? Math.max(1, Number(args[parArg + 1])) : undefined;
const files = args.filter((a, i) => !a.startsWith('--') && !(runsArg >= 0 && i === runsArg + 1) && !(parArg >= 0 && i === parArg + 1));
if (files.length === 0) {
  process.stderr.write('usage: npm run bench -- [--runs N] [--parallelism N] FILE...\n');
  process.exit(2);
}
const hasUnzip = spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;
const rows: string[][] = [['file', 'MB', 'inflated MB', 'wall ms', 'unzip -p ms', 'ratio', 'inflate MB/s', 'search MB/s', 'strings', 'findings', 'peak RSS MB*', 'unzip ms', 'decode ms', 'detect ms', 'read-only ms', 'read-only ratio']];
for (const file of files) {
  const size = statSync(file).size;
  const results: OneRun[] = [];
  const unzipTimes: number[] = [];
  const readTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (hasUnzip) unzipTimes.push(timeUnzip(file));
    readTimes.push(timeReadOnly(file));
    results.push(runOne(file));
  }
  const wall = median(results.map((r) => r.wallMs));
  const base = hasUnzip ? median(unzipTimes) : NaN;
  const readOnly = median(readTimes);
  const last = results[results.length - 1]!;
  const stage = (k: keyof OneRun['stages']) => median(results.map((r) => r.stages[k]));
  const inflatedMb = last.bytesInflated / 1048576;
  rows.push([
    file.split('/').pop()!,
    (size / 1048576).toFixed(1),
    inflatedMb.toFixed(1),
    wall.toFixed(0),
    Number.isNaN(base) ? '-' : base.toFixed(0),
    Number.isNaN(base) ? '-' : (wall / base).toFixed(2) + 'x',
    (inflatedMb / (stage('unzip') / 1000)).toFixed(0),
    (inflatedMb / ((stage('decode') + stage('detect')) / 1000)).toFixed(0),
    String(last.strings),
    String(last.findings),
    Math.max(...results.map((r) => r.maxRssMb)).toFixed(0),
    stage('unzip').toFixed(0),
    stage('decode').toFixed(0),
    stage('detect').toFixed(0),
    Number.isNaN(readOnly) ? '-' : readOnly.toFixed(0),
    Number.isNaN(base) || Number.isNaN(readOnly) ? '-' : (readOnly / base).toFixed(2) + 'x',
  ]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) process.stdout.write(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ') + '\n');
process.stdout.write(
  `\nmedian of ${runs} alternating run(s) of unzip -p, read-only and the scan; wall = whole scan process (node start-up, worker, report);\n` +
    `ratio = wall / unzip -p; inflate MB/s = inflated MB / unzip stage; search MB/s = inflated MB / (decode + detect stages);\n` +
    `read-only = a fresh Node process that only reads and inflates every entry (the floor under any scan here);\n* peak RSS = the CLI process plus the peaks of its scan worker processes.\n`,
);
