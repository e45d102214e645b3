/**
 * Bundles and split sets through the real pipeline: the committed samples in samples/bundles (built by
 * samples/bundles/build.sh with aapt2 and bundletool) scanned whole, the same app as AAB and as APK compared, every
 * inner APK of a split set scanned, a sharded walk merged, and hostile bundles that still end in a report.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanBytesSync, scanFileSync, walkShardSync } from '../../src/pipeline/index.js';
import { mergeShards } from '../../src/pipeline/merge.js';
import type { Report } from '../../src/report/types.js';
import { ROOT, sampleExpectations } from '../helpers/files.js';

const DIR = join(ROOT, 'samples/bundles');

interface Planted {
  ruleId: string;
  severity: string;
  secret: string;
  entry: string;
  context?: string;
  alsoAt?: { entry: string; context?: string }[];
}
interface Expected {
  file: string;
  kind: string;
  app: Record<string, string>;
  planted: Planted[];
  decoys: { text: string; entry: string; why?: string; context?: string }[];
}

const SAMPLES = sampleExpectations<Expected>(DIR).map((s) => s.expected);

const reports = new Map<string, Report>();
/** The report of a sample, with secrets, scanned once. */
function report(file: string): Report {
  let r = reports.get(file);
  if (!r) {
    r = scanFileSync(join(DIR, file), { showSecrets: true });
    reports.set(file, r);
  }
  return r;
}

t.test('the bundle samples are there', async (t) => {
  const kinds = SAMPLES.map((s) => s.kind).sort();
  t.same(kinds, ['aab', 'apk', 'apkm', 'apks', 'xapk'], 'an AAB, its universal APK, an .apks set, an XAPK and an APKM');
});

for (const exp of SAMPLES) {
  t.test(`sample ${exp.file}`, async (t) => {
    const r = report(exp.file);
    t.equal(r.artifact.kind, exp.kind, `detected as ${exp.kind} by content`);
    t.equal(r.artifact.platform, 'android');
    const app = r.artifact.app;
    t.equal(app.id, exp.app.id, 'package from the base manifest');
    t.equal(app.versionName, exp.app.versionName);
    t.equal(app.versionCode, exp.app.versionCode);
    t.equal(app.minSdk, exp.app.minSdk);
    t.equal(app.targetSdk, exp.app.targetSdk);
    t.equal(app.name, exp.app.label, 'label resolved through the resource table');
    t.match(app.signer ?? '', /^[0-9a-f]{64}$/, 'signer certificate of the base');
    for (const p of exp.planted) {
      const f = r.findings.find((x) => x.ruleId === p.ruleId && x.secret === p.secret);
      t.ok(f, `${p.ruleId} in ${p.entry} is found`);
      if (!f) continue;
      t.equal(f.severity, p.severity, `${p.ruleId} has severity ${p.severity}`);
      const at = f.locations.filter((l) => l.entry === p.entry);
      t.ok(at.length > 0, `${p.ruleId} located in ${p.entry} (got ${f.locations.map((l) => l.entry).join(', ')})`);
      if (p.context) t.ok(at.some((l) => l.context === p.context), `${p.ruleId} bound to ${p.context}`);
      for (const a of p.alsoAt ?? []) {
        t.ok(f.locations.some((l) => l.entry === a.entry && (a.context === undefined || l.context === a.context)), `${p.ruleId} also at ${a.entry} ${a.context ?? ''}`);
      }
    }
    for (const d of exp.decoys) {
      t.notOk(r.findings.some((f) => f.secret === d.text || (f.secret ?? '').includes(d.text)), `decoy ${d.text} (${d.why ?? ''}) is not reported`);
    }
    t.notOk(r.diagnostics.some((d) => d.code.endsWith('.internal')), 'no internal errors');
  });
}

t.test('the same app as AAB and as the APK built from it gives the same findings', async (t) => {
  const aab = report('bundle-app.aab');
  const apk = report('bundle-app-universal.apk');
  // AAB module layout -> APK layout (bundletool ApkSerializer): manifest/, resources.pb, dex/, root/ move.
  const toApk = (e: string) =>
    e === 'base/resources.pb' ? 'resources.arsc'
      : e === 'base/manifest/AndroidManifest.xml' ? 'AndroidManifest.xml'
        : e.replace(/^base\/dex\//, '').replace(/^base\/root\//, '').replace(/^base\//, '');
  const key = (r: Report, map: (e: string) => string) =>
    r.findings.map((f) => `${f.ruleId} ${f.severity} ${f.secret} @ ${[...new Set(f.locations.map((l) => `${map(l.entry)}|${l.context ?? ''}`))].sort().join(' ')}`).sort();
  t.same(key(aab, toApk), key(apk, (e) => e), 'same rules, severities, secrets, entries and contexts');
  const strip = (app: Report['artifact']['app']) => Object.fromEntries(Object.entries(app).filter(([k]) => k !== 'signer' && k !== 'signatureScheme'));
  t.same(strip(aab.artifact.app), strip(apk.artifact.app), 'same app metadata');
  t.equal(aab.artifact.app.signer, apk.artifact.app.signer, 'signed by the same certificate (jarsigner on the AAB, apksigner v3 on the APK)');
  const pointers = (r: Report, entry: string) => r.findings.flatMap((f) => f.locations.filter((l) => l.entry === entry).map((l) => l.pointer)).sort();
  t.same(pointers(aab, 'base/resources.pb'), pointers(apk, 'resources.arsc'), 'resource pointers match (string/NAME)');
  t.same(pointers(aab, 'base/manifest/AndroidManifest.xml'), pointers(apk, 'AndroidManifest.xml'), 'manifest pointers match (meta-data[NAME] -> @string/...)');
});

t.test('split sets: every inner APK is scanned, natives come from the ABI splits', async (t) => {
  const apks = report('bundle-app.apks');
  const entries = new Set(apks.findings.flatMap((f) => f.locations.map((l) => l.entry.split('!/')[0])));
  for (const inner of ['splits/base-master.apk', 'splits/base-arm64_v8a.apk', 'splits/base-armeabi_v7a.apk']) t.ok(entries.has(inner), `${inner} contributes findings`);
  t.ok(apks.stats.entries > 30, `all inner entries were read (${apks.stats.entries})`);
  const xapk = report('bundle-app.xapk');
  t.ok(xapk.findings.some((f) => f.locations.some((l) => l.entry === 'config.arm64_v8a.apk!/lib/arm64-v8a/libapp.so')), 'location names the split and the library');
});

t.test('a sharded walk of a split set finds what one walk finds', async (t) => {
  const path = join(DIR, 'bundle-app.xapk');
  const whole = report('bundle-app.xapk');
  const shards = [0, 1, 2].map((index) => walkShardSync(path, { shard: { index, count: 3 }, showSecrets: true }));
  const merged = mergeShards(path, whole.artifact.sha256, whole.artifact.size, shards, 0);
  const key = (r: Report) => r.findings.map((f) => `${f.ruleId} ${f.secret} ${f.locations.map((l) => `${l.entry} ${l.pointer}`).sort().join(',')}`).sort();
  t.same(key(merged), key(whole), 'same findings and locations');
  t.same(merged.artifact.app, whole.artifact.app, 'metadata from the base even when another shard owns its manifest');
  t.equal(merged.stats.entries, whole.stats.entries, 'each entry counted once');
  t.same(merged.diagnostics.map((d) => d.code).sort(), whole.diagnostics.map((d) => d.code).sort(), 'no duplicated diagnostics');
});

t.test('hostile bundles and split sets end in a report without internal errors', async (t) => {
  for (const file of ['bundle-app.aab', 'bundle-app.xapk']) {
    const good = readFileSync(join(DIR, file));
    let internal = 0;
    for (let i = 0; i < 60; i++) {
      const v = Uint8Array.from(good);
      const at = Math.floor((i * 7919) % good.length);
      v[at] = v[at]! ^ 0x5a;
      const r = scanBytesSync(i % 2 ? v : v.subarray(0, Math.floor((good.length * i) / 60)), file);
      internal += r.diagnostics.filter((d) => d.code.endsWith('.internal')).length;
    }
    t.equal(internal, 0, `${file}: 60 hostile variants, no internal errors`);
  }
});
