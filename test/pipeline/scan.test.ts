/**
 * End-to-end: the committed sample APKs (built by samples/build.sh with real Android tooling) scanned by the real
 * pipeline and CLI. Every planted secret must be found at its severity and entry, no decoy above info, the app's
 * identity must match what aapt/apksigner said at build time, and hostile variants must always end in a report.
 */
import t from 'tap';
import { readFileSync, readdirSync, existsSync, writeFileSync, mkdtempSync, rmSync, mkdirSync, lstatSync, symlinkSync, truncateSync, renameSync, openSync, writeSync, closeSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import JSZip from 'jszip';
import { scanFileSync, scanBytesSync, walkShardSync } from '../../src/pipeline/index.js';
import { mergeShards } from '../../src/pipeline/merge.js';
import { MAX_WARNINGS_PER_DECODER } from '../../src/pipeline/scan.js';
import { scanFileIsolated, ScanFailure } from '../../src/pipeline/run.js';
import { prespawnWorker, spareWorkerPid } from '../../src/pipeline/spare.js';
import { FileSource, READ_AHEAD_BYTES } from '../../src/pipeline/source.js';
import { ZipArchive, bufferSource } from '../../decoders/zip.js';
import { severityRank, type Severity } from '../../src/detect/types.js';
import type { Report } from '../../src/report/types.js';
import { cliSync as cli } from '../helpers/cli.js';
import { CLI, ROOT, tempDir } from '../helpers/files.js';

interface Planted {
  ruleId: string;
  severity: Severity;
  secret: string;
  entry: string;
  context?: string | null;
  /** Code-context samples: the exact location pointer of the use (docs/code-context.md) and its code text. */
  pointer?: string;
  code?: string;
  alsoAt?: { entry: string; context?: string }[];
}
interface Expected {
  file: string;
  quirk?: string;
  expectDiagnostics?: string[];
  app?: Record<string, string | undefined>;
  planted: Planted[];
  decoys: { text: string; entry?: string; why?: string }[];
}

function samples(): { apk: string; expected: Expected }[] {
  const out: { apk: string; expected: Expected }[] = [];
  for (const dir of ['samples/android', 'samples/quirks', 'samples/code']) {
    const abs = join(ROOT, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs).sort()) {
      if (!f.endsWith('.expected.json')) continue;
      const expected = JSON.parse(readFileSync(join(abs, f), 'utf8')) as Expected;
      out.push({ apk: join(abs, expected.file), expected });
    }
  }
  return out;
}

const SAMPLES = samples();

t.test('the samples are there', async (t) => {
  t.ok(SAMPLES.length >= 10, `found ${SAMPLES.length} samples with expectations`);
  t.ok(SAMPLES.some((s) => s.expected.file === 'leaky-multidex.apk'), 'the main leaky sample is present');
});

for (const { apk, expected } of SAMPLES) {
  t.test(`sample ${expected.file}`, async (t) => {
    const report = scanFileSync(apk, { showSecrets: true });
    t.equal(report.artifact.kind, 'apk');
    t.equal(report.artifact.platform, 'android');
    for (const p of expected.planted) {
      const want = p.secret.trim();
      const hits = report.findings.filter((f) => f.secret === want || (f.secret ?? '').includes(want));
      const f = hits.find((h) => h.ruleId === p.ruleId);
      t.ok(f, `${p.ruleId} planted in ${p.entry} is found (rules that matched: ${hits.map((h) => h.ruleId).join(', ') || 'none'})`);
      if (!f) continue;
      t.equal(f.severity, p.severity, `${p.ruleId} in ${p.entry} has severity ${p.severity}`);
      t.ok(
        f.locations.some((l) => l.entry === p.entry),
        `${p.ruleId} located in ${p.entry} (got ${f.locations.map((l) => l.entry).join(', ')})`,
      );
      // Contexts a decoder binds (field, resource, meta-data, key names); class descriptors and ELF symbol names in
      // the expectations are notes for people, not bindings the decoders claim.
      const bound = p.context && !/^L.+;$/.test(p.context) && !p.entry.endsWith('.so');
      if (bound) t.ok(f.locations.some((l) => l.entry === p.entry && l.context === p.context), `${p.ruleId} bound to ${p.context}`);
      if (p.pointer) t.ok(f.locations.some((l) => l.entry === p.entry && l.pointer === p.pointer), `${p.ruleId} at ${p.pointer} (got ${f.locations.map((l) => l.pointer).join(' | ')})`);
      for (const also of p.alsoAt ?? []) {
        t.ok(
          f.locations.some((l) => l.entry === also.entry && (also.entry.endsWith('.so') || l.context === also.context)),
          `${p.ruleId} also located in ${also.entry} (${also.context})`,
        );
      }
      for (const l of f.locations) t.ok(l.pointer.length > 0, 'every location has a pointer');
    }
    for (const d of expected.decoys) {
      if (d.text === '') {
        t.notOk(report.findings.some((f) => f.secret === ''), `decoy ${d.why}: no empty value reported`);
        continue;
      }
      const bad = report.findings.filter((f) => severityRank(f.severity) > severityRank('info') && (f.secret ?? '').includes(d.text));
      t.same(
        bad.map((f) => f.ruleId),
        [],
        `decoy ${d.why ?? d.text.slice(0, 8)} is not reported above info`,
      );
    }
    for (const code of expected.expectDiagnostics ?? []) {
      t.ok(
        report.diagnostics.some((d) => d.code === code),
        `diagnostic ${code} is reported (got ${[...new Set(report.diagnostics.map((d) => d.code))].join(', ')})`,
      );
    }
    if (expected.app) {
      const app = report.artifact.app as Record<string, string | undefined>;
      for (const key of ['id', 'versionName', 'versionCode', 'minSdk', 'targetSdk', 'label']) {
        const want = expected.app[key];
        if (want === undefined || want === null) continue;
        t.equal(app[key === 'label' ? 'name' : key], want, `app ${key}`);
      }
      if (expected.app.signerSha256) t.equal(app.signer, expected.app.signerSha256, 'signer certificate SHA-256 equals apksigner');
    }
  });
}

t.test('clean sample has nothing above info', async (t) => {
  const clean = SAMPLES.find((s) => s.expected.file === 'clean-app.apk');
  t.ok(clean, 'clean-app sample exists');
  if (!clean) return;
  const report = scanFileSync(clean.apk);
  t.same(
    report.findings.filter((f) => severityRank(f.severity) > severityRank('info')).map((f) => `${f.ruleId} at ${f.locations[0]?.entry} ${f.locations[0]?.pointer}`),
    [],
  );
});

t.test('resource-shrunk sample (aapt2 --shorten-resource-paths): file paths are not secrets', async (t) => {
  const shrunk = SAMPLES.find((s) => s.expected.file === 'arsc-shortened-paths.apk');
  t.ok(shrunk, 'arsc-shortened-paths sample exists');
  if (!shrunk) return;
  const report = scanFileSync(shrunk.apk);
  t.same(report.findings.map((f) => `${f.ruleId} ${f.severity} at ${f.locations[0]?.pointer}`), [], 'no finding at all');
});

t.test('CLI: report contract, redaction and exit codes', async (t) => {
  const leaky = SAMPLES.find((s) => s.expected.file === 'leaky-multidex.apk')!;
  const clean = SAMPLES.find((s) => s.expected.file === 'clean-app.apk')!;
  const json = cli(['scan', leaky.apk, '--format', 'json']);
  t.equal(json.status, 1, 'findings at or above high exit 1');
  const report = JSON.parse(json.stdout) as Report;
  t.equal(report.schemaVersion, 1);
  t.equal(report.tool.name, 'leakdex');
  t.match(report.artifact, { kind: 'apk', platform: 'android', sha256: /^[0-9a-f]{64}$/ });
  t.ok(report.artifact.size > 0);
  t.match(report.stats, { entries: Number, bytesRead: Number, bytesInflated: Number, strings: Number, durationMs: Number });
  for (const f of report.findings) {
    t.equal(f.secret, undefined, `${f.ruleId}: no secret without --show-secrets`);
    t.match(f, { ruleId: String, provider: String, title: String, severity: String, confidence: String, redacted: String, fingerprint: /^[0-9a-f]{64}$/ });
  }
  for (const p of leaky.expected.planted) {
    t.notOk(json.stdout.includes(p.secret), `JSON report does not contain the full ${p.ruleId}`);
  }
  const text = cli(['scan', leaky.apk]);
  t.equal(text.status, 1);
  for (const p of leaky.expected.planted) t.notOk(text.stdout.includes(p.secret), `text report does not contain the full ${p.ruleId}`);
  t.match(text.stdout, /critical/);

  const shown = cli(['scan', leaky.apk, '--format', 'json', '--show-secrets']);
  const withSecrets = JSON.parse(shown.stdout) as Report;
  t.ok(withSecrets.findings.every((f) => typeof f.secret === 'string' && f.secret.length > 0), '--show-secrets puts the values in');

  t.equal(cli(['scan', leaky.apk, '--fail-on', 'none']).status, 0, '--fail-on none exits 0');
  t.equal(cli(['scan', clean.apk]).status, 0, 'clean app exits 0 at the default threshold');
  const infoOnly = cli(['scan', clean.apk, '--fail-on', 'info', '--format', 'json']);
  t.same((JSON.parse(infoOnly.stdout) as Report).findings, [], 'the clean app has no finding at all');
  t.equal(infoOnly.status, 0, '--fail-on info exits 0 when there is nothing, not even info');
  // A sample whose only findings are low: the threshold decides.
  const lowOnly = join(ROOT, 'samples/quirks/axml-quirks.apk');
  const lowReport = JSON.parse(cli(['scan', lowOnly, '--format', 'json', '--fail-on', 'none']).stdout) as Report;
  t.ok(lowReport.findings.length > 0 && lowReport.findings.every((f) => f.severity === 'low'), 'axml-quirks holds only low findings');
  t.equal(cli(['scan', lowOnly]).status, 0, 'low findings pass the default high threshold');
  t.equal(cli(['scan', lowOnly, '--fail-on', 'medium']).status, 0, 'low findings pass --fail-on medium');
  t.equal(cli(['scan', lowOnly, '--fail-on', 'low']).status, 1, 'low findings fail --fail-on low');
  t.equal(cli(['scan', lowOnly, '--fail-on', 'info']).status, 1, 'low findings fail --fail-on info');

  const dir = tempDir('leakdex-cli-');
  const outFile = join(dir, 'r.json');
  const written = cli(['scan', leaky.apk, '--format', 'json', '--output', outFile]);
  t.equal(written.stdout, '', 'nothing on stdout with --output');
  t.equal((JSON.parse(readFileSync(outFile, 'utf8')) as Report).findings.length, report.findings.length, '--output writes the same report');

  const usage = cli(['scan']);
  t.equal(usage.status, 2, 'missing file is a usage error');
  t.match(usage.stderr, /^leakdex: error: .+\n$/, 'one-line error');
  t.equal(cli(['scan', join(dir, 'nope.apk')]).status, 2, 'missing input exits 2');
  t.equal(cli(['scan', leaky.apk, '--format', 'xml']).status, 2, 'bad --format exits 2');
  t.equal(cli(['scan', leaky.apk, '--fail-on', 'severe']).status, 2, 'bad --fail-on exits 2');
  t.equal(cli(['frobnicate']).status, 2, 'unknown command exits 2');
  const truncated = join(dir, 'truncated.apk');
  writeFileSync(truncated, readFileSync(leaky.apk).subarray(0, 3000));
  const tr = cli(['scan', truncated]);
  t.equal(tr.status, 2, 'an archive that cannot be opened exits 2');
  t.match(tr.stderr, /not a readable ZIP archive: no end-of-central-directory record/);
  t.equal(cli(['scan', '--help']).status, 0, '--help exits 0');
  t.match(cli(['scan', '--help']).stdout, /--fail-on/);

  const dump = cli(['dump', leaky.apk]);
  t.equal(dump.status, 0);
  const lines = dump.stdout.trim().split('\n').map((l) => JSON.parse(l) as { entry: string; decoder: string; pointer: string; text: string });
  t.ok(lines.length > 100, `dump prints every decoded string (${lines.length})`);
  t.ok(lines.some((l) => l.entry === 'classes2.dex' && l.decoder === 'dex'), 'dump covers classes2.dex');
  for (const p of leaky.expected.planted) t.notOk(dump.stdout.includes(p.secret), `dump redacts ${p.ruleId}`);
});

/** `size` pseudo-random bytes from `seed` (a linear congruential generator): the same bytes on every run. */
function seededBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** A ZIP holding only its end-of-central-directory record: no entry at all. */
const EOCD_ONLY = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...Array<number>(18).fill(0)]);

t.test('not an app under an app name: exit 2 with one line, no report; loose files and real apps scan as before', async (t) => {
  const dir = tempDir('leakdex-appcheck-');
  const leaky = readFileSync(join(ROOT, 'samples/android/leaky-multidex.apk'));
  const ipa = readFileSync(join(ROOT, 'samples/ios/leaky-ios.ipa'));
  const textZip = await new JSZip().file('readme.txt', 'hello').file('docs/notes.txt', 'more').generateAsync({ type: 'nodebuffer' });
  const folders = new JSZip();
  folders.folder('Payload/Empty.app');
  const dirsOnly = await folders.generateAsync({ type: 'nodebuffer' });
  const html = '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n';
  const refused: [string, string | Buffer, RegExp][] = [
    ['app.apk', html, /^leakdex: error: cannot scan .*app\.apk: not an APK: looks like an HTML page \(a failed download\?\)\n$/],
    ['bom-page.APK', `\ufeff  \n<html lang="en"><body>Sign in</body></html>`, /not an APK: looks like an HTML page/],
    ['random.apk', seededBytes(100_000, 15), /not an APK: unrecognised binary data, not a ZIP archive\n$/],
    ['error.apk', '{"error":"not found","status":404}', /not an APK: looks like JSON\n$/],
    ['denied.apk', '<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', /not an APK: looks like XML\n$/],
    ['classes.apk', readFileSync(join(ROOT, 'test/fixtures/dex/main.dex')), /not an APK: looks like a DEX file\n$/],
    ['empty.apk', EOCD_ONLY, /cannot scan .*empty\.apk: an empty ZIP archive: nothing to scan\n$/],
    ['empty.zip', EOCD_ONLY, /cannot scan .*empty\.zip: an empty ZIP archive: nothing to scan\n$/],
    ['folders.zip', dirsOnly, /an empty ZIP archive: nothing to scan\n$/],
    ['notes.apk', textZip, /not an APK: a ZIP archive without AndroidManifest\.xml\n$/],
    ['half.apk', leaky.subarray(0, leaky.length >> 1), /not a readable ZIP archive: no end-of-central-directory record .*; a truncated or failed download\?\n$/],
    ['app.ipa', html, /not an IPA: looks like an HTML page/],
    ['notes.ipa', textZip, /not an IPA: a ZIP archive without Payload\/<name>\.app\/\n$/],
    ['half.ipa', ipa.subarray(0, ipa.length >> 1), /not a readable ZIP archive/],
  ];
  for (const [name, bytes, message] of refused) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const out = join(dir, `${name}.json`);
    const r = cli(['scan', file, '--format', 'json', '--output', out]);
    t.equal(r.status, 2, `${name}: exit 2 (${r.stderr.trim()})`);
    t.match(r.stderr, message, `${name}: says why`);
    t.match(r.stderr, /^leakdex: error: [^\n]+\n$/, `${name}: one line, no stack`);
    t.notOk(existsSync(out), `${name}: no report written`);
  }
  t.notMatch(cli(['scan', join(dir, 'app.apk')]).stderr, /Not Found|<title>/, 'nothing of the page is quoted');

  // Loose files whose names claim no app are scanned as files; real apps keep their exit codes, whatever their name.
  writeFileSync(join(dir, 'page.html'), html);
  writeFileSync(join(dir, 'notes.zip'), textZip);
  writeFileSync(join(dir, 'blob'), seededBytes(4096, 7));
  writeFileSync(join(dir, 'other-name.ipa'), leaky);
  // DEX code without a manifest under an APK name (androguard's multidex.apk is one): the code is scanned.
  writeFileSync(join(dir, 'no-manifest.apk'), await (await JSZip.loadAsync(leaky)).remove('AndroidManifest.xml').generateAsync({ type: 'nodebuffer' }));
  const kept: [string, number][] = [
    [join(dir, 'page.html'), 0],
    [join(dir, 'notes.zip'), 0],
    [join(dir, 'blob'), 0],
    [join(ROOT, 'samples/android/clean-app.apk'), 0],
    [join(ROOT, 'samples/android/leaky-multidex.apk'), 1],
    [join(ROOT, 'samples/ios/leaky-ios.ipa'), 1],
    [join(ROOT, 'samples/ios/zipped-app.app.zip'), 1],
    [join(ROOT, 'samples/bundles/bundle-app.xapk'), 1],
    [join(dir, 'other-name.ipa'), 1],
    [join(dir, 'no-manifest.apk'), 1],
  ];
  for (const [file, status] of kept) {
    const r = cli(['scan', file, '-q']);
    t.equal(r.status, status, `${relative(dir, file).startsWith('..') ? relative(ROOT, file) : relative(dir, file)}: exit ${status} (${r.stderr.trim()})`);
  }
});

t.test('a file that changes while it is scanned is a failed scan, never a report', async (t) => {
  const dir = tempDir('leakdex-changed-');
  const leaky = readFileSync(join(ROOT, 'samples/android/leaky-multidex.apk'));
  const failure = async (path: string, change: () => void) => {
    let changed = false;
    const scan = scanFileIsolated(path, {
      onEntry: () => {
        if (changed) return;
        changed = true;
        change();
      },
    });
    await t.rejects(scan, ScanFailure);
    t.ok(changed, 'the file was changed during the scan');
    return scan.then(
      () => '',
      (e: Error) => e.message,
    );
  };
  const cut = join(dir, 'cut.apk');
  writeFileSync(cut, leaky);
  t.equal(await failure(cut, () => truncateSync(cut, leaky.length >> 1)), `the file changed while it was being scanned (size ${leaky.length} -> ${leaky.length >> 1}): scan a finished file`);
  const swapped = join(dir, 'swapped.apk');
  writeFileSync(swapped, leaky);
  writeFileSync(join(dir, 'next.apk'), leaky);
  t.match(await failure(swapped, () => renameSync(join(dir, 'next.apk'), swapped)), /^the file changed while it was being scanned \(it was replaced by another file\)/, 'a file replaced by a new build, even one of the same bytes');
  const tree = join(dir, 'tree');
  unzipTo(join(ROOT, 'samples/android/leaky-v2.apk'), tree);
  t.match(await failure(tree, () => writeFileSync(join(tree, 'assets/late.txt'), 'written during the scan')), /^the file changed while it was being scanned \(size \d+ -> \d+\)/, 'a directory that gains a file');
  const still = join(dir, 'still.apk');
  writeFileSync(still, leaky);
  t.equal((await scanFileIsolated(still)).artifact.sha256, (await scanFileIsolated(join(ROOT, 'samples/android/leaky-multidex.apk'))).artifact.sha256, 'a file left alone scans as before');
});

t.test('fidelity against the golden outputs recorded at build time', async (t) => {
  const goldenDir = join(ROOT, 'samples/android/golden');
  const files = existsSync(goldenDir) ? readdirSync(goldenDir).filter((f) => f.endsWith('.dex-strings.json')) : [];
  t.ok(files.length > 0, 'golden dex string tables exist');
  for (const f of files) {
    const name = f.replace(/\.dex-strings\.json$/, '');
    const golden = JSON.parse(readFileSync(join(goldenDir, f), 'utf8')) as Record<string, string[]>;
    const seen = new Map<string, string[]>();
    const r = cli(['dump', join(ROOT, 'samples/android', `${name}.apk`), '--show-secrets']);
    for (const line of r.stdout.trim().split('\n')) {
      const s = JSON.parse(line) as { entry: string; decoder: string; pointer: string; text: string };
      if (s.decoder !== 'dex' || !/^string_ids\[\d+\]/.test(s.pointer)) continue;
      const list = seen.get(s.entry) ?? [];
      list.push(s.text);
      seen.set(s.entry, list);
    }
    for (const [dex, strings] of Object.entries(golden)) t.same(seen.get(dex), strings, `${name} ${dex}: every string_ids entry equals the independent tool's, in order`);
  }
});

t.test('hostile variants of every sample always end in a report', async (t) => {
  let scans = 0;
  for (const { apk, expected } of SAMPLES) {
    const bytes = readFileSync(apk);
    const cuts = 12;
    const variants: Uint8Array[] = [];
    for (let i = 1; i <= cuts; i++) variants.push(bytes.subarray(0, Math.floor((bytes.length * i) / (cuts + 1))));
    let seed = 0x9e3779b9 ^ bytes.length;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0; i < 12; i++) {
      const copy = Uint8Array.from(bytes);
      for (let k = 0; k < 8; k++) copy[Math.floor(rnd() * copy.length)] ^= 1 + Math.floor(rnd() * 255);
      variants.push(copy);
    }
    // The central directory and the end record are where a flip hurts most: flip there too.
    const tail = Uint8Array.from(bytes);
    for (let i = Math.max(0, tail.length - 400); i < tail.length; i += 7) tail[i] ^= 0x5a;
    variants.push(tail);
    for (const v of variants) {
      let report: Report | undefined;
      try {
        report = scanBytesSync(v, expected.file);
      } catch (e) {
        t.fail(`${expected.file} (${v.length} bytes) threw ${(e as Error).stack}`);
        continue;
      }
      scans++;
      if (!report || typeof report.stats.strings !== 'number') t.fail(`${expected.file}: no report`);
      const internal = report.diagnostics.filter((d) => d.code.endsWith('.internal'));
      t.same(internal.map((d) => `${d.entry}: ${d.message}`), [], `${expected.file} (${v.length} bytes): no internal errors, only decode diagnostics`);
    }
  }
  t.ok(scans > 100, `${scans} hostile variants scanned`);
});

t.test('a worker killed by one entry loses nothing else', async (t) => {
  const zip = new JSZip();
  zip.file('AndroidManifest.xml', 'not binary xml, on purpose');
  zip.file('assets/.env', 'GITHUB_TOKEN=ghp_' + 'Zq3xW8vN2mR7tY5uK1pL9sD4fG6hJ0aBcE1x\n');
  // 24 MB of tiny JSON objects: JSON.parse needs far more heap than the worker is given below.
  zip.file('assets/huge.json', '[' + Array.from({ length: 1_500_000 }, (_, i) => `{"k":"v${i % 10}"}`).join(',') + ']');
  const bytes = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
  const dir = tempDir('leakdex-oom-');
  const file = join(dir, 'oom.apk');
  writeFileSync(file, bytes);
  const report = await scanFileIsolated(file, { limits: { workerHeapMb: 48 } });
  const crash = report.diagnostics.find((d) => d.code === 'scan.entry_crashed_worker');
  t.ok(crash, 'the entry that killed the worker is a diagnostic');
  t.equal(crash?.entry, 'assets/huge.json');
  t.ok(report.findings.some((f) => f.ruleId === 'github-token' && f.locations.some((l) => l.entry === 'assets/.env')), 'the secret in the other entry is still found');
});

t.test('FileSource reads scratch ranges ahead: the bytes of any range are the file\'s, one read serves the next small ones', async (t) => {
  const dir = tempDir('leakdex-source-');
  const file = join(dir, 'bytes.bin');
  const size = 3 * READ_AHEAD_BYTES + 12_345;
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 2654435761) >>> 24;
  writeFileSync(file, bytes);
  const empty = new FileSource(file);
  t.equal(empty.readScratch(0, 0).length, 0, 'an empty range first');
  empty.close();
  const src = new FileSource(file);
  let seed = 5;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  const ranges: Array<[number, number]> = [[0, 30], [30, 4000], [READ_AHEAD_BYTES - 10, 20], [size - 7, 7], [5, READ_AHEAD_BYTES + 3], [size - READ_AHEAD_BYTES, READ_AHEAD_BYTES], [0, 0]];
  for (let i = 0; i < 400; i++) ranges.push([rnd(size), 1 + rnd(i % 50 === 0 ? 2 * READ_AHEAD_BYTES : 70_000)]);
  let checked = 0;
  for (const [offset, wanted] of ranges) {
    const length = Math.min(wanted, size - offset);
    if (!Buffer.from(src.readScratch(offset, length)).equals(bytes.subarray(offset, offset + length))) {
      t.fail(`range ${offset}+${length} differs`);
      break;
    }
    checked++;
  }
  t.equal(checked, ranges.length, `${checked} ranges read as the file holds them (in, across and past the read-ahead window)`);
  t.throws(() => src.readScratch(size - 5, 6), RangeError, 'a range past the end is refused');
  t.throws(() => src.readScratch(-1, 4), RangeError, 'a negative offset is refused');
  // One read of READ_AHEAD_BYTES from the first small range on: a later change of those bytes is not seen by the
  // scratch reads it serves, only by a read of its own.
  src.readScratch(1000, 100);
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(64, 0xee), 0, 64, 200_000);
  closeSync(fd);
  t.same([...src.readScratch(200_000, 4)], [...bytes.subarray(200_000, 200_004)], 'served from the bytes read ahead');
  t.same([...src.read(200_000, 4)], [0xee, 0xee, 0xee, 0xee], 'a plain read goes to the file');
  src.close();
});

t.test('a spare worker is taken by the next scan, and never outlives its parent', async (t) => {
  const { apk } = samples()[0]!;
  const fresh = await scanFileIsolated(apk);
  prespawnWorker();
  const pid = spareWorkerPid();
  t.ok(pid, 'a spare worker is waiting');
  const reached: string[] = [];
  const viaSpare = await scanFileIsolated(apk, { onEntry: (p) => reached.push(p) });
  const src = new FileSource(apk);
  const names = ZipArchive.open(src).entries.filter((e) => !e.isDirectory).map((e) => e.name);
  src.close();
  // Progress comes in batches, but every entry is reported once.
  t.same([...reached].sort(), [...names].sort(), 'onEntry saw every entry exactly once');
  t.equal(spareWorkerPid(), undefined, 'the scan took the spare');
  t.same(viaSpare.findings.map((f) => f.fingerprint), fresh.findings.map((f) => f.fingerprint), 'same findings through the spare');
  t.ok(await exits(pid!), 'the spare exited after its scan');

  // A process that starts a spare and never scans still exits at once, and takes the spare with it.
  const spareModule = join(ROOT, 'dist/src/pipeline/spare.js');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(spareModule)}); m.prespawnWorker(); console.log(m.spareWorkerPid());`], { encoding: 'utf8', timeout: 20_000 });
  t.equal(r.status, 0, 'the parent exits by itself');
  const orphan = Number(r.stdout.trim());
  t.ok(orphan > 0, 'it had a spare');
  t.ok(await exits(orphan), 'the spare exits with its parent');
});

/** Whether process `pid` is gone within 30 s (a loaded machine may still be starting it up). */
async function exits(pid: number): Promise<boolean> {
  for (let i = 0; i < 600; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  return false;
}

t.test('nested archives: depth and size limits are diagnostics, the outer entries are still scanned', async (t) => {
  const apk = join(ROOT, 'samples/quirks/nested-jar.apk');
  const full = scanFileSync(apk);
  t.ok(full.findings.some((f) => f.locations.some((l) => l.entry === 'assets/plugin.jar!/config.properties')), 'by default the nested JAR is opened');
  const codes = (r: Report) => r.diagnostics.filter((d) => d.code.startsWith('scan.nest')).map((d) => `${d.code} ${d.entry}`).sort();

  const shallow = scanFileSync(apk, { limits: { maxNestingDepth: 0 } });
  t.same(codes(shallow), ['scan.nesting_too_deep assets/inner.apk', 'scan.nesting_too_deep assets/plugin.jar']);
  t.notOk(shallow.findings.some((f) => f.locations.some((l) => l.entry.includes('!/'))), 'nothing is read inside them');

  const small = scanFileSync(apk, { limits: { maxNestedArchiveBytes: 1000 } });
  t.same(codes(small), ['scan.nested_too_large assets/inner.apk'], 'the 8,534-byte inner APK is over 1000 bytes; the 478-byte JAR is not');
  t.ok(small.findings.some((f) => f.locations.some((l) => l.entry === 'assets/plugin.jar!/config.properties')), 'the small JAR is still opened');
  t.equal(small.artifact.app.id, full.artifact.app.id, 'the outer app is still read');
});

t.test('an entry sniffed as text is decoded as text even when binary bytes follow its first 512', async (t) => {
  // 600 printable bytes, then NULs: the head the walker sniffs and the head the text decoder checks must agree.
  const zip = new JSZip();
  zip.file('assets/notes.txt', 'API_NOTE=' + 'a'.repeat(591) + '\0'.repeat(8000));
  const report = scanBytesSync(await zip.generateAsync({ type: 'uint8array' }), 'x.zip');
  t.same(report.diagnostics.filter((d) => d.entry === 'assets/notes.txt').map((d) => d.code), [], 'no decoder error for the entry');
});

t.test('warnings are capped per entry and decoder: a crafted .so with 5,000 bad section headers', async (t) => {
  // ELF64 header + 5,000 section headers (SHT_PROGBITS) whose data lies far outside the file: one warning each.
  const n = 5000;
  const elf = Buffer.alloc(64 + n * 64);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  elf.writeBigUInt64LE(64n, 40);
  elf.writeUInt16LE(64, 58);
  elf.writeUInt16LE(n, 60);
  for (let i = 1; i < n; i++) {
    const at = 64 + i * 64;
    elf.writeUInt32LE(1, at + 4);
    elf.writeBigUInt64LE(2n, at + 8);
    elf.writeBigUInt64LE(0xffffffn, at + 24);
    elf.writeBigUInt64LE(16n, at + 32);
  }
  const zip = new JSZip();
  zip.file('lib/arm64-v8a/libbad.so', elf);
  zip.file('assets/.env', 'GITHUB_TOKEN=ghp_' + 'Zq3xW8vN2mR7tY5uK1pL9sD4fG6hJ0aBcE1x\n');
  const report = scanBytesSync(await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' }), 'bad.zip');
  const mine = report.diagnostics.filter((d) => d.entry === 'lib/arm64-v8a/libbad.so' && d.decoder === 'elf');
  t.equal(mine.filter((d) => d.code !== 'scan.too_many_warnings').length, MAX_WARNINGS_PER_DECODER, 'the first warnings are kept');
  t.equal(mine.filter((d) => d.code === 'scan.too_many_warnings').length, 1, 'one diagnostic says the rest were dropped');
  t.ok(report.findings.some((f) => f.ruleId === 'github-token'), 'the rest of the app is scanned');
});

/** Writes every file entry of the archive at `file` under `dir`, as unzip does. */
function unzipTo(file: string, dir: string): void {
  const zip = ZipArchive.open(bufferSource(readFileSync(file)));
  for (const e of zip.entries) {
    if (e.isDirectory) continue;
    mkdirSync(dirname(join(dir, e.name)), { recursive: true });
    writeFileSync(join(dir, e.name), zip.read(e));
  }
}

/** Every path under `dir` with its size and modification time, to tell that nothing was written there. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => {
      const st = lstatSync(join(dir, name));
      return `${name} ${st.size} ${st.mtimeMs}`;
    });
}

/** Findings as comparable lines: rule, severity, secret and every location with its context. */
function findingLines(r: Report): string[] {
  return r.findings.map((f) => `${f.ruleId} ${f.severity} ${f.secret} @ ${f.locations.map((l) => `${l.entry} | ${l.pointer} | ${l.context ?? ''}`).sort().join(', ')}`).sort();
}

const GITHUB_TOKEN = 'ghp_' + 'Zq3xW8vN2mR7tY5uK1pL9sD4fG6hJ0aBcE1x';

t.test('a directory is scanned in place: an unzipped sample gives the archive\'s findings, locations and identity', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'leakdex-dir-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  for (const sample of ['samples/android/leaky-v2.apk', 'samples/bundles/bundle-app.aab', 'samples/bundles/bundle-app.xapk', 'samples/ios/leaky-ios.ipa']) {
    const file = join(ROOT, sample);
    const dir = join(tmp, sample.replaceAll('/', '_'));
    unzipTo(file, dir);
    const archive = scanFileSync(file, { showSecrets: true });
    const unzipped = scanFileSync(dir, { showSecrets: true });
    t.ok(archive.findings.length > 0, `${sample}: the archive has findings`);
    t.same(findingLines(unzipped), findingLines(archive), `${sample}: same findings at the same locations`);
    t.equal(unzipped.artifact.kind, archive.artifact.kind, `${sample}: same kind`);
    t.equal(unzipped.stats.entries, archive.stats.entries, `${sample}: same entries read`);
    // An unpacked APK or AAB keeps no signing block; a split set's base APK is still a zip with its signature.
    const signed = unzipped.artifact.kind === 'apk' || unzipped.artifact.kind === 'aab';
    const identity = (app: Report['artifact']['app']) => (signed ? { ...app, signer: undefined, signatureScheme: undefined } : app);
    t.same(identity(unzipped.artifact.app), identity(archive.artifact.app), `${sample}: same app identity`);
    t.same(unzipped.diagnostics.filter((d) => d.code === 'apksig.not_an_archive').length, signed ? 1 : 0, `${sample}: the signer is said not to be read only where it lives outside the entries`);
    const others = (r: Report) => r.diagnostics.filter((d) => !d.code.startsWith('apksig.')).map((d) => `${d.entry} ${d.code}`).sort();
    t.same(others(unzipped), others(archive), `${sample}: same diagnostics`);

    const shards = [0, 1, 2].map((index) => walkShardSync(dir, { shard: { index, count: 3 }, showSecrets: true }));
    const merged = mergeShards(dir, unzipped.artifact.sha256, unzipped.artifact.size, shards, 0);
    t.same(findingLines(merged), findingLines(unzipped), `${sample}: three shards of the directory find what one walk finds`);
    t.equal(merged.stats.entries, unzipped.stats.entries, `${sample}: each entry read by one shard`);
    t.same(merged.artifact.app, unzipped.artifact.app, `${sample}: identity read once`);
    t.same(merged.diagnostics.map((d) => `${d.entry} ${d.code}`).sort(), unzipped.diagnostics.map((d) => `${d.entry} ${d.code}`).sort(), `${sample}: no duplicated diagnostics`);
  }

  // A .app directory keeps the locations of the zipped .app (LeakySim.app/...), whether given as the bundle, its
  // parent or `.` from inside it; the CLI scans it in workers without writing anything anywhere.
  const zipped = join(ROOT, 'samples/ios/zipped-app.app.zip');
  const parent = join(tmp, 'sim');
  unzipTo(zipped, parent);
  const bundle = join(parent, 'LeakySim.app');
  const archive = scanFileSync(zipped, { showSecrets: true });
  t.ok(archive.findings.some((f) => f.locations.some((l) => l.entry.startsWith('LeakySim.app/'))), 'the zipped .app names entries LeakySim.app/...');
  t.same(findingLines(scanFileSync(bundle, { showSecrets: true })), findingLines(archive), 'the bundle directory gives the same locations');
  t.same(findingLines(scanFileSync(parent, { showSecrets: true })), findingLines(archive), 'its parent directory too');
  const before = snapshot(parent);
  const emptyTmp = mkdtempSync(join(tmp, 'tmpdir-'));
  const r = spawnSync(process.execPath, [CLI, 'scan', '.', '--format', 'json', '--show-secrets', '--fail-on', 'none'], { cwd: bundle, encoding: 'utf8', env: { ...process.env, TMPDIR: emptyTmp } });
  t.equal(r.status, 0, `leakdex scan . inside the bundle (${r.stderr.trim()})`);
  const viaCli = JSON.parse(r.stdout) as Report;
  t.same(findingLines(viaCli), findingLines(archive), 'the CLI (worker processes) gives the same locations');
  t.equal(viaCli.artifact.kind, 'app');
  t.equal(viaCli.artifact.sha256, scanFileSync(bundle).artifact.sha256, 'the directory digest does not depend on how the directory is named');
  t.same(readdirSync(emptyTmp), [], 'nothing was written to the temporary directory');
  t.same(snapshot(parent), before, 'nothing was written to the scanned directory');
});

t.test('a directory is read within limits: links leading outside are not followed, too many entries stop, big entries are refused', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'leakdex-dir-limits-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  const app = join(tmp, 'app');
  mkdirSync(join(app, 'assets'), { recursive: true });
  mkdirSync(join(tmp, 'outside'));
  writeFileSync(join(app, 'assets/config.txt'), `GITHUB_TOKEN=${GITHUB_TOKEN}\n`);
  const outsideToken = 'ghp_' + 'Hk4Rt9Wq2Lm7Xv5Bn8Jc3Pz6Ds1Fy0Ga4Uex';
  writeFileSync(join(tmp, 'outside/secret.txt'), `GITHUB_TOKEN=${outsideToken}\n`);
  t.ok(scanFileSync(join(tmp, 'outside'), { showSecrets: true }).findings.some((f) => f.secret === outsideToken), 'the token outside is found where it is');
  symlinkSync('../../outside/secret.txt', join(app, 'assets/leak.txt'));
  symlinkSync('../outside', join(app, 'linked-dir'));
  symlinkSync('config.txt', join(app, 'assets/again.txt'));
  symlinkSync('nowhere', join(app, 'dangling'));

  const report = scanFileSync(app, { showSecrets: true });
  const tokens = report.findings.filter((f) => f.ruleId === 'github-token');
  t.same(tokens.map((f) => f.secret), [GITHUB_TOKEN], 'only the token inside the directory is found');
  t.same(tokens[0]?.locations.map((l) => l.entry), ['assets/config.txt'], 'a link inside the directory is not read a second time');
  const links = report.diagnostics.filter((d) => d.code === 'dir.symlink_outside');
  t.same(links.map((d) => d.entry).sort(), ['assets/leak.txt', 'dangling', 'linked-dir'], 'each link leading outside (or nowhere) is a diagnostic');
  t.ok(links.every((d) => d.decoder === 'dir' && d.level === 'warning'), 'a warning of the directory reader');
  t.equal(report.stats.entries, 1, 'one file read');

  writeFileSync(join(app, 'assets/big.bin'), Buffer.alloc(5000, 0x41));
  const capped = scanFileSync(app, { showSecrets: true, limits: { maxEntryBytes: 4096 } });
  t.same(capped.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.entry} ${d.decoder} ${d.code}`), ['assets/big.bin dir dir.entry_too_large'], 'an entry over the entry limit is refused');
  t.ok(capped.findings.some((f) => f.secret === GITHUB_TOKEN), 'the other entries are still scanned');
  const budget = scanFileSync(app, { showSecrets: true, limits: { maxTotalBytes: 4096 } });
  t.same(budget.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.entry} ${d.code}`), ['assets/big.bin dir.total_too_large'], 'the total-bytes limit holds for the directory');

  const tooMany = scanFileSync(app, { limits: { maxEntries: 3 } });
  t.same(tooMany.diagnostics.map((d) => `${d.entry}|${d.decoder}|${d.level}|${d.code}`), ['|dir|error|dir.too_many_entries'], 'more entries than the limit stop the walk with one diagnostic');
  t.equal(tooMany.stats.entries, 0, 'nothing is read');
  t.same(tooMany.findings, [], 'nothing is reported');
  await t.rejects(scanFileIsolated(app, { limits: { maxEntries: 3 } }), { name: 'ScanFailure', message: /more than 3 entries/ }, 'the worker scan refuses it before starting');
});

/** Relative imports of the .ts files under `tops` (static, re-exports, type-only and dynamic import()), as a graph. */
function importGraph(tops: string[]): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(relative(ROOT, p));
    }
  };
  for (const top of tops) walk(join(ROOT, top));
  const known = new Set(files);
  const spec = /(?:^|[\s;])(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps: string[] = [];
    for (const m of readFileSync(join(ROOT, f), 'utf8').matchAll(spec)) {
      const s = m[1] ?? m[2] ?? m[3]!;
      if (!s.startsWith('.')) continue;
      const target = relative(ROOT, resolve(ROOT, dirname(f), s.replace(/\.js$/, '.ts')));
      if (known.has(target)) deps.push(target);
    }
    graph.set(f, deps);
  }
  return graph;
}

/** Every cycle a depth-first walk meets, as "a -> b -> a". */
function importCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].join(' -> '));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return cycles;
}

t.test('layout: no import cycle among src/, decoders/, rules/; CLI code only under src/cli/', async (t) => {
  t.same(importCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), ['a -> b -> c -> a'], 'the check finds a cycle');
  const graph = importGraph(['src', 'decoders', 'rules']);
  t.ok(graph.get('src/cli/main.ts')?.includes('src/pipeline/run.ts'), 'static imports are read');
  t.ok(graph.get('src/cli/main.ts')?.includes('src/cli/service.ts'), 'dynamic import() is read');
  t.ok(graph.get('decoders/macho-fixups.ts')?.includes('decoders/macho-sections.ts'), 'type-only imports are read');
  t.same(importCycles(graph), [], 'no import cycle');
  const intoCli = [...graph].flatMap(([f, deps]) => (f.startsWith('src/cli/') ? [] : deps.filter((d) => d.startsWith('src/cli/')).map((d) => `${f} -> ${d}`)));
  t.same(intoCli, [], 'only the CLI imports src/cli/ (bin/leakdex.js loads it)');
  t.same(readdirSync(join(ROOT, 'src')).filter((n) => /^(cli|remote|progress|bench.*|.*fidelity|bundle-worker)\.ts$/.test(n)), [], 'no CLI or developer script left at the top of src/');
});

t.test('install: npm ci on this runtime meets no engine warning and no unreviewed install script', async (t) => {
  const semver = createRequire(import.meta.url)('semver') as { satisfies: (version: string, range: string) => boolean };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; allowScripts: Record<string, boolean> };
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; engines?: { node?: string }; os?: string[]; cpu?: string[]; hasInstallScript?: boolean }>;
  };
  t.ok(semver.satisfies(process.version, pkg.engines.node), `engines (${pkg.engines.node}) admits ${process.version}, which this suite runs on`);
  // What npm ci installs here: every locked package but another platform's binaries.
  const installed = Object.entries(lock.packages).filter(([path, p]) => path !== '' && (!p.os || p.os.includes(process.platform)) && (!p.cpu || p.cpu.includes(process.arch)));
  const name = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const unsupported = installed.filter(([, p]) => p.engines?.node && !semver.satisfies(process.version, p.engines.node)).map(([path, p]) => `${name(path)}@${p.version} wants node ${p.engines!.node}`);
  t.same(unsupported, [], `every locked package supports ${process.version} (npm ci prints EBADENGINE otherwise)`);
  const unreviewed = installed.filter(([path, p]) => p.hasInstallScript && !(name(path) in pkg.allowScripts)).map(([path]) => name(path));
  t.same(unreviewed, [], 'every install script is allowed or denied in allowScripts (npm ci warns about the others)');
});

t.test('a reader that closes the pipe early cuts the output short: no EPIPE stack trace, the exit status stays the verdict', async (t) => {
  const sample = join(ROOT, 'samples/android/leaky-v2.apk');
  const run = (failOn: string) =>
    new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'scan', sample, '--format', 'sarif', '--fail-on', failOn], { stdio: ['ignore', 'pipe', 'pipe'] });
      // Closed before the CLI writes anything: its first write to stdout fails with EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('close', (status) => resolve({ status, stderr }));
    });
  const none = await run('none');
  t.equal(none.status, 0, `--fail-on none: exit 0 (stderr: ${none.stderr.slice(0, 300)})`);
  t.notMatch(none.stderr, /EPIPE|Unhandled 'error'|\n\s+at /, 'no stack trace');
  const high = await run('high');
  t.equal(high.status, 1, 'a leaky app still fails its gate');
  t.notMatch(high.stderr, /EPIPE|Unhandled 'error'|\n\s+at /);
});
