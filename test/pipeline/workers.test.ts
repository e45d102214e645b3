/**
 * Scan workers under hostile input: what one may send its parent (bounded, with a diagnostic when cut), how long and
 * how large it may run (its own deadline and resident memory ceiling, held by its watchdog thread).
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import JSZip from 'jszip';
import { scanFileIsolated, shardOptions } from '../../src/pipeline/run.js';
import { prepareShardDetector, shardDetectorPrepared, walkShardSync } from '../../src/pipeline/index.js';
import { compileUserRules } from '../../src/detect/user-rules.js';
import { findingsOfShards } from '../../src/detect/partial.js';
import { takeWorker, WORKER_SEMI_SPACE_MB } from '../../src/pipeline/spare.js';
import { COLLECT_BEFORE_BYTES, CollectPolicy } from '../../src/pipeline/collect.js';
import type { WorkerInput } from '../../src/pipeline/worker.js';
import type { Report } from '../../src/report/types.js';
import { runMain } from '../helpers/cli.js';
import { dagBplist, ipaWithPlist, slowApk, tempDir } from '../helpers/files.js';

const dir = tempDir('leakdex-workers-');

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** `n` random characters of `alphabet` (fake secrets made at test time). */
const random = (n: number, alphabet = ALPHANUMERIC) => Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');

async function scanJson(name: string, bytes: Uint8Array): Promise<{ status: number; stderr: string; json: string; report?: Report }> {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const out = join(dir, `${name}.json`);
  writeFileSync(out, '');
  const { status, stderr } = await runMain(['scan', file, '--format', 'json', '--output', out, '--quiet']);
  const json = readFileSync(out, 'utf8');
  return { status, stderr, json, report: json === '' ? undefined : (JSON.parse(json) as Report) };
}

t.test('a 2 KB DAG-shaped binary plist in an IPA: each shared container is read once', async (t) => {
  // 15 references per level, 5 levels: 759,375 copies of the dict when expanded (main read 482,761 strings in 17 s).
  const plist = dagBplist(15, 5);
  t.ok(plist.length < 2048, `the plist is ${plist.length} bytes`);
  const started = Date.now();
  const { report } = await scanJson('dag.ipa', await ipaWithPlist(plist));
  t.comment(`CLI scan of the DAG plist: ${Date.now() - started} ms, ${report?.stats.strings} strings, worker peak ${report?.stats.workersPeakRssMb} MB`);
  t.ok(report!.stats.strings < 100, `${report!.stats.strings} strings, not one per expanded node`);
  t.match(report!.diagnostics, [{ entry: 'Payload/Bomb.app/Config.plist', code: 'plist.shared_container', level: 'warning' }], 'a warning says shared containers were read once');
  t.match(report!.findings, [{ locations: [{ entry: 'Payload/Bomb.app/Config.plist' }] }], 'the value is still found');
});

t.test('what a worker sends its parent is bounded, and a cut says so', async (t) => {
  // 10 entries with 32,000-character names and 200 distinct tokens each: 2,000 findings whose one location repeats
  // the name (main: every copy crossed to the parent, 64 M characters, and went into the report).
  const zip = new JSZip();
  for (let e = 0; e < 10; e++) {
    zip.file(`assets/${e}${'n'.repeat(32_000)}.env`, Array.from({ length: 200 }, () => `GITHUB_TOKEN=ghp_${random(36)}\n`).join(''));
  }
  const { report, json } = await scanJson('long-names.zip', await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }));
  t.match(report!.completeness, { complete: false, gaps: [{ code: 'scan.result_truncated', kind: 'limit' }] }, 'a cut result makes the scan incomplete');
  t.comment(`report of ${json.length} characters`);
  t.ok(json.length < 20 * 1024 * 1024, `the report is ${json.length} characters`);
  t.equal(report!.findings.length, 2000, 'every finding is kept');
  t.match(
    report!.diagnostics.find((d) => d.code === 'scan.result_truncated'),
    { level: 'error', message: /over \d+ characters; cut: texts over 256 characters/ },
    'an error diagnostic says what was cut',
  );
  t.ok(report!.findings.every((f) => f.locations[0]!.entry.length <= 256), 'long entry names are cut');
  t.equal(new Set(report!.findings.map((f) => f.locations[0]!.entry)).size, 10, 'and stay distinct');
});

t.test('2,000 AWS key pairs in one .env: each finding names at most 50 partners', async (t) => {
  const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const base64 = `${ALPHANUMERIC}+/`;
  const lines = Array.from({ length: 2000 }, () => `AWS_ACCESS_KEY_ID=AKIA${random(16, base32)}\nAWS_SECRET_ACCESS_KEY=${random(40, base64)}\n`);
  const zip = new JSZip();
  zip.file('assets/.env', lines.join(''));
  // main paired every id with every secret: 4,000 lists of 2,000 fingerprints, "Invalid string length", exit 2.
  const { status, stderr, report } = await scanJson('pairs.zip', await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }));
  t.equal(status, 1, `the scan reports its findings (${stderr.trim()})`);
  const paired = report!.findings.filter((f) => f.pairedWith !== undefined);
  t.ok(paired.length >= 3900, `${paired.length} findings are paired`);
  t.ok(
    paired.every((f) => f.pairedWith!.length === 50),
    'each with its first 50 partners',
  );
});

t.test('a Detector prepared while a worker waits serves the next walk with the same rules, once', async (t) => {
  const acme = `acme_${random(32)}`;
  const zip = new JSZip();
  zip.file('assets/.env', `AWS_ACCESS_KEY_ID=AKIA${random(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}\nAWS_SECRET_ACCESS_KEY=${random(40)}\nACME_KEY=${acme}\n`);
  const file = join(dir, 'prepared.apk');
  writeFileSync(file, await zip.generateAsync({ type: 'uint8array' }));
  const user = compileUserRules({ rules: [{ id: 'acme-api-key', provider: 'acme', title: 'ACME API key', severity: 'high', confidence: 'high', pattern: '(?<![A-Za-z0-9_])acme_[A-Za-z0-9]{32}(?![A-Za-z0-9])', keywords: ['acme_'], reason: 'ACME account access', examples: { match: [`acme_${'Xk3Pq9Lm2Vn8Rt5Wy7Za1Bc4De6Fg0Hj'}`], noMatch: ['acme_short'] } }] }, 'test rules');
  const ids = (rules?: typeof user) => findingsOfShards([walkShardSync(file, { rules }).detection]).map((f) => f.ruleId).sort();
  const builtIn = ids();
  t.ok(builtIn.some((id) => id.startsWith('aws-')), `built-in rules find the AWS pair (${builtIn.join(', ')})`);
  t.notOk(builtIn.includes('acme-api-key'));
  prepareShardDetector();
  t.ok(shardDetectorPrepared() && shardDetectorPrepared([]) && !shardDetectorPrepared(user), 'prepared for the built-in rules alone');
  t.same(ids(), builtIn, 'a prepared Detector finds what a fresh one does');
  t.notOk(shardDetectorPrepared(), 'the walk took it');
  t.same(ids(), builtIn, 'and the next walk, unprepared, the same again');
  prepareShardDetector();
  const withUser = ids(user);
  t.ok(withUser.includes('acme-api-key'), 'a walk with user rules does not take a Detector prepared without them');
  t.notOk(shardDetectorPrepared(), 'nor does one stay prepared past that walk');
  prepareShardDetector(user);
  t.ok(shardDetectorPrepared(user), 'prepared for the user rules');
  t.same(ids(user), withUser, 'one prepared with them serves it');
  t.notOk(shardDetectorPrepared(user), 'and is taken by it');
  prepareShardDetector(user);
  t.same(ids(), builtIn, 'and never a walk without them');
});

t.test('a worker ends itself at its scan deadline, even when its parent does not end it', async (t) => {
  const file = join(dir, 'slow-deadline.apk');
  writeFileSync(file, await slowApk(200_000));
  const worker = takeWorker(256);
  const deadline = Date.now() + 500;
  const input: WorkerInput = { path: file, options: shardOptions({}, { index: 0, count: 1 }), skip: [], deadline };
  const exited = new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
  worker.child.send(input);
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
  const late = Date.now() - deadline;
  t.comment(`worker ended ${late} ms after its deadline`);
  // 1 s of grace for its parent, and a fresh worker's start-up (a second or two on a loaded machine).
  t.ok(late < 5000, `it ended ${late} ms after the deadline`);
  t.match(worker.stderrTail(), /leakdex worker stopped: past the scan deadline/, 'and said why on stderr');
});

t.test('a worker over its resident memory ceiling is stopped, and the scan says why', async (t) => {
  // A ceiling below what a loaded worker holds at rest (about 75 MB here): its watchdog stops it at its first look.
  const file = join(dir, 'slow-rss.apk');
  writeFileSync(file, await slowApk(200_000));
  const worker = takeWorker(256);
  const exited = new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
  const started = Date.now();
  worker.child.send({ path: file, options: shardOptions({}, { index: 0, count: 1 }), skip: [], rssMb: 16 } satisfies WorkerInput);
  await exited;
  t.ok(Date.now() - started < 5000, `the worker was stopped after ${Date.now() - started} ms`);
  t.match(worker.stderrTail(), /leakdex worker stopped: resident memory \d+ MiB is over the 16 MiB ceiling/, 'and said why on stderr');

  // Through a scan: each entry the worker was reading is skipped with that reason (or, stopped before it reached
  // one, the scan fails with it).
  const limits: Record<string, number> = { workerRssMb: 16 };
  const outcome = await scanFileIsolated(file, { limits }).catch((e: unknown) => e as Error);
  const why = /resident memory \d+ MiB is over the 16 MiB ceiling/;
  if (outcome instanceof Error) t.match(outcome.message, why, `the scan failed: ${outcome.message}`);
  else t.match(outcome.diagnostics.find((d) => d.entry === 'assets/.env'), { code: 'scan.entry_crashed_worker', message: why }, 'the entry is skipped with the reason');
});

t.test('a worker collects its garbage before a large entry, once enough was read since it last did', async (t) => {
  const MiB = 1024 * 1024;
  let collections = 0;
  const policy = new CollectPolicy(() => collections++);
  const said: boolean[] = [];
  // 1 MiB entries up to 15 MiB, then a large one: not enough garbage yet to be worth a collection.
  for (let i = 0; i < 15; i++) said.push(policy.beforeEntry(MiB));
  said.push(policy.beforeEntry(COLLECT_BEFORE_BYTES));
  t.same(said, Array(16).fill(false), 'under 16 MiB declared before it: no collection');
  t.equal(collections, 0);
  // 19 MiB declared by now: the next large entry is preceded by one, and the count starts again from it.
  t.equal(policy.beforeEntry(COLLECT_BEFORE_BYTES), true);
  t.equal(collections, 1);
  t.equal(policy.beforeEntry(COLLECT_BEFORE_BYTES - 1), false, 'a smaller entry never is');
  t.equal(policy.beforeEntry(COLLECT_BEFORE_BYTES), false, 'nor a large one right after a collection');
  // 12 MiB - 1 declared since the collection; 4 more MiB leave it 1 byte short, a fifth passes.
  for (let i = 0; i < 4; i++) policy.beforeEntry(MiB);
  t.equal(policy.beforeEntry(8 * MiB), false, 'one byte short of 16 MiB since the last collection');
  t.equal(policy.beforeEntry(8 * MiB), true, 'past it');
  t.equal(collections, 2);

  // Scan workers run so that the policy can act: V8's collection exposed, small young generation.
  const worker = takeWorker(256);
  t.ok(worker.child.spawnargs.includes('--expose-gc'), 'workers run with --expose-gc');
  t.ok(worker.child.spawnargs.includes(`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`));
  worker.child.kill('SIGKILL');
  t.equal(CollectPolicy.ofProcess() === undefined, typeof (globalThis as { gc?: unknown }).gc !== 'function', 'a process without gc() gets no policy');
});
