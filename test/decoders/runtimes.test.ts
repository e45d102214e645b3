/**
 * Bundles, split sets and app runtimes: the committed samples in samples/bundles (built by samples/bundles/build.sh
 * with aapt2, bundletool, hermesc, mcs, clang) scanned by the real pipeline, the same app as AAB and as APK compared,
 * and every new decoder (protobuf, aapt.pb XML/table, Hermes, JavaScript, .NET/XALZ/store, IL2CPP, encoded blobs) fed truncated
 * and byte-flipped input.
 */
import t from 'tap';
import JSZip from 'jszip';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scanFileSync, scanBytesSync, walkShardSync } from '../../src/pipeline/index.js';
import { mergeShards } from '../../src/pipeline/merge.js';
import { ZipArchive, bufferSource } from '../../decoders/zip.js';
import { ProtoReader } from '../../decoders/protobuf.js';
import { AaptResourceTable, aaptManifestInfo, decodeAaptTable, decodeAaptXml, parseAaptXml } from '../../decoders/aapt-pb.js';
import { decodeHermes, hermesStrings } from '../../decoders/hermes.js';
import { decodeAssemblyStore, decodeDotnet, lz4BlockDecompress, unwrapXalz, userStrings } from '../../decoders/dotnet.js';
import { decodeIl2cpp } from '../../decoders/il2cpp.js';
import { compressedInt32, il2cppLayout } from '../../decoders/il2cpp-metadata.js';
import { decodeText, textStrings } from '../../decoders/text.js';
import { decodeRuns } from '../../decoders/runs.js';
import { decodedStrings, encodedBlobs } from '../../decoders/encoded.js';
import { sniff } from '../../decoders/sniff.js';
import { DecodeError, collectingContext, type Decoder, type DecodedString } from '../../decoders/types.js';
import type { Report } from '../../src/report/types.js';

const ROOT = process.cwd();
const DIR = join(ROOT, 'samples/bundles');
const RUNTIMES = join(DIR, 'runtimes');
const UNITY = join(ROOT, 'samples/unity');

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

const SAMPLES: Expected[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.expected.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Expected);

const reports = new Map<string, Report>();
function report(file: string): Report {
  let r = reports.get(file);
  if (!r) {
    r = scanFileSync(join(DIR, file), { showSecrets: true });
    reports.set(file, r);
  }
  return r;
}

function decodeAll(decode: Decoder, bytes: Uint8Array, entry = 'x'): { strings: DecodedString[]; warnings: unknown[] } {
  const ctx = collectingContext(entry);
  return { strings: [...decode(bytes, ctx)], warnings: ctx.warnings };
}

function entryOf(zipBytes: Uint8Array, name: string): Uint8Array {
  const zip = ZipArchive.open(bufferSource(zipBytes));
  const e = zip.entries.find((x) => x.name === name);
  if (!e) throw new Error(`${name} not in archive`);
  return zip.read(e);
}

/** Varint of a 64-bit value (negative int32s are sign-extended to 10 bytes, as protobuf writes them). */
function varint(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x ? b | 0x80 : b);
  } while (x);
  return out;
}

/** A hand-built protobuf message: a bigint is a varint field, a string or bytes a LEN field. */
function pb(...fields: [number, bigint | string | number[]][]): number[] {
  const out: number[] = [];
  for (const [n, v] of fields) {
    if (typeof v === 'bigint') {
      out.push(...varint(BigInt(n) << 3n), ...varint(v));
      continue;
    }
    const b = typeof v === 'string' ? [...new TextEncoder().encode(v)] : v;
    out.push(...varint((BigInt(n) << 3n) | 2n), ...varint(BigInt(b.length)));
    for (const x of b) out.push(x);
  }
  return out;
}

/** A resources.pb with one package 0x7f, one type and one entry (id 0x7f010000) holding `value` (aapt.pb.Value). */
function oneValueTable(typeName: string, value: number[]): Uint8Array {
  const entry = pb([1, pb([1, 0n])], [2, 'v'], [6, pb([1, []], [2, value])]);
  const type = pb([1, pb([1, 1n])], [2, typeName], [3, entry]);
  return Uint8Array.from(pb([2, pb([1, pb([1, 0x7fn])], [2, 'com.example'], [3, type])]));
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
  const shards = [0, 1, 2].map((index) => walkShardSync(path, { shard: { index, count: 3 } }));
  const merged = mergeShards(path, whole.artifact.sha256, whole.artifact.size, shards, true, 0);
  const key = (r: Report) => r.findings.map((f) => `${f.ruleId} ${f.secret} ${f.locations.map((l) => `${l.entry} ${l.pointer}`).sort().join(',')}`).sort();
  t.same(key(merged), key(whole), 'same findings and locations');
  t.same(merged.artifact.app, whole.artifact.app, 'metadata from the base even when another shard owns its manifest');
  t.equal(merged.stats.entries, whole.stats.entries, 'each entry counted once');
  t.same(merged.diagnostics.map((d) => d.code).sort(), whole.diagnostics.map((d) => d.code).sort(), 'no duplicated diagnostics');
});

t.test('AAB protobuf decoders', async (t) => {
  const aab = readFileSync(join(DIR, 'bundle-app.aab'));
  const manifest = entryOf(aab, 'base/manifest/AndroidManifest.xml');
  const table = entryOf(aab, 'base/resources.pb');
  const res = AaptResourceTable.parse(table);
  const info = aaptManifestInfo(manifest, res);
  t.equal(info.package, 'com.leakdex.sample.bundle');
  t.equal(info.label, 'Leakdex Bundle Sample');
  t.same(info.permissions, ['android.permission.INTERNET']);
  t.match(info.metaData['com.google.android.geo.API_KEY'] ?? '', /^AIza/, 'meta-data reference resolved through resources.pb');
  t.equal(info.metaData['com.leakdex.CONFIG'], 'res/xml/remote_config.xml', 'a file reference resolves to its path, as through resources.arsc');
  const strings = decodeAll(decodeAaptTable, table, 'base/resources.pb').strings;
  t.ok(strings.some((s) => s.location.pointer === 'string/greeting [fr]' && s.text === 'Bonjour depuis le bundle'), 'locale configuration in the pointer, as resources.arsc gives it');
  t.ok(strings.some((s) => s.location.pointer === 'xml/remote_config' && s.text === 'res/xml/remote_config.xml' && s.context === undefined), 'file references as their path, not bound to the resource name');
  t.throws(() => AaptResourceTable.parse(manifest), DecodeError, 'an XmlNode is not a resource table');
  t.equal(AaptResourceTable.parse(table), res, 'the same bytes are parsed once');

  t.throws(() => decodeAll(decodeAaptXml, new TextEncoder().encode('<manifest package="x"/>')), DecodeError, 'text XML is not protobuf XML');
});

t.test('resources.pb warnings are reported once per scan', async (t) => {
  // An array of 65,537 items (over the per-value cap) makes the table warn 'too_many_items'.
  const items: number[] = [];
  for (let i = 0; i <= 65_536; i++) items.push(0x0a, 0x00);
  const table = oneValueTable('array', pb([5, pb([4, items])]));
  const first = collectingContext('base/resources.pb');
  AaptResourceTable.parse(table, (w) => first.warn(w));
  t.same(first.warnings.map((w) => w.code), ['aapt-table.too_many_items'], 'the table warns');
  t.same(decodeAll(decodeAaptTable, table).warnings, [], 'decoding the bytes the resolver parsed does not warn again');
  // The scan parses base/resources.pb for its resolver, then decodes it.
  const aab = readFileSync(join(DIR, 'bundle-app.aab'));
  const writer = new JSZip();
  writer.file('base/manifest/AndroidManifest.xml', entryOf(aab, 'base/manifest/AndroidManifest.xml'));
  writer.file('base/resources.pb', table);
  const zip = await writer.generateAsync({ type: 'uint8array' });
  const r = scanBytesSync(zip, 'one.aab');
  t.equal(r.artifact.kind, 'aab');
  t.equal(r.diagnostics.filter((d) => d.code === 'aapt-table.too_many_items').length, 1, 'one warning in the report');
  const keys = r.diagnostics.map((d) => `${d.entry} ${d.code} ${d.message} ${d.offset ?? ''}`);
  t.same(keys, [...new Set(keys)], 'no diagnostic is duplicated');
});

t.test('protobuf wire reader', async (t) => {
  // field 1 varint 150 | field 2 LEN "hi" | field 3 fixed32 | field 4 LEN { field 1 varint 1 }
  const bytes = Uint8Array.from([0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x1d, 1, 0, 0, 0, 0x22, 0x02, 0x08, 0x01]);
  const r = new ProtoReader(bytes);
  const f = [...r.fields()];
  t.same(f.map((x) => [x.field, x.wire, x.value]), [[1, 0, 150], [2, 2, 2], [3, 5, 1], [4, 2, 2]]);
  t.equal(r.string(f[1]!), 'hi');
  t.same([...r.sub(f[3]!).fields()].map((x) => x.value), [1]);
  t.throws(() => [...new ProtoReader(Uint8Array.from([0x12, 0x05, 0x68])).fields()], DecodeError, 'length past the end');
  t.throws(() => [...new ProtoReader(Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).fields()], DecodeError, 'varint over 10 bytes');
  t.throws(() => [...new ProtoReader(Uint8Array.from([0x0b])).fields()], DecodeError, 'groups are not supported');
  // Negative int32s are 10-byte varints: their low 32 bits must survive.
  t.same(varint(-1n), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 'the test encodes -1 as protobuf does');
  const ints = [-1n, -5n, -100_000n, 2_147_483_647n, 4_000_000_000n, 2n ** 40n + 7n];
  const neg = [...new ProtoReader(Uint8Array.from(pb(...ints.map((v): [number, bigint] => [1, v])))).fields()];
  t.same(neg.map((f) => f.lo32 | 0), [-1, -5, -100_000, 2_147_483_647, -294_967_296, 7], 'low 32 bits as int32');
  t.same(neg.slice(3).map((f) => f.value), [2_147_483_647, 4_000_000_000, 2 ** 40 + 7], 'positive values below 2^53 exact');
  t.equal(neg[4]!.lo32, 4_000_000_000, 'lo32 is unsigned');
  // <integer>-100000</integer> in resources.pb and android:x="-1" compiled in a protobuf manifest, as the APK reads them.
  const prim = (v: bigint) => pb([7, pb([6, v])]);
  // A FileReference (aapt.pb.Item field 5) is a path in the archive: emitted, but not bound to the resource name.
  const one = (typeName: string, item: number[]) => decodeAll(decodeAaptTable, oneValueTable(typeName, pb([4, item]))).strings;
  const shortPath = (field: number) => pb([field, pb([1, 'res/FS.xml'])]);
  t.same(one('drawable', shortPath(5)).map((s) => [s.text, s.location.pointer, s.context]), [['res/FS.xml', 'drawable/v', undefined]], 'a shortened drawable path is unbound');
  t.same(one('string', shortPath(5)).map((s) => s.context), [undefined], 'a FileReference is a path whatever its type');
  t.same(one('raw', shortPath(2)).map((s) => s.context), [undefined], 'a string value of a file type is a path, as in resources.arsc');
  t.same(one('string', shortPath(2)).map((s) => s.context), ['v'], 'a string resource stays bound to its name');
  t.equal(AaptResourceTable.parse(oneValueTable('integer', pb([4, prim(-100_000n)]))).value(0x7f010000), '-100000');
  t.equal(AaptResourceTable.parse(oneValueTable('integer', pb([4, prim(-5n)]))).value(0x7f010000), '-5');
  const xml = pb([1, pb([3, 'manifest'], [4, pb([2, 'x'], [6, prim(-1n)])])]);
  t.equal(parseAaptXml(Uint8Array.from(xml)).attributes[0]?.compiled, '-1', 'compiled int attribute');
});

t.test('Hermes bytecode: the string table gives exact boundaries', async (t) => {
  const hbc = readFileSync(join(RUNTIMES, 'index.android.bundle'));
  t.equal(sniff(hbc.subarray(0, 512)), 'hermes', 'detected by magic');
  const exp = SAMPLES.find((s) => s.kind === 'aab')!.planted.find((p) => p.ruleId === 'slack-token')!;
  const table = [...hermesStrings(hbc)];
  t.ok(table.some((s) => s.text === exp.secret), 'the token is one literal of the table');
  t.ok(table.some((s) => s.text === 'deploys-and-alerts'), 'its neighbour is another');
  const runs = decodeAll(decodeRuns, hbc).strings.map((s) => s.text);
  t.notOk(runs.includes(exp.secret), 'printable runs merge neighbouring literals (why the table matters)');
  const old = Uint8Array.from(hbc);
  old[8] = 60;
  const r = scanBytesSync(old, 'index.android.bundle', { showSecrets: true });
  t.ok(r.diagnostics.some((d) => d.code === 'hermes.unknown_version'), 'unknown version is a diagnostic');
  t.ok(r.stats.strings > 0, 'and the bytes are still scanned as printable runs');
});

t.test('Hermes code context: each planted secret bound to its property through the real pipeline, no decoy', async (t) => {
  const dir = join(ROOT, 'samples/hermes');
  const exp = JSON.parse(readFileSync(join(dir, 'index.android.bundle.expected.json'), 'utf8')) as {
    planted: { ruleId: string; severity: string; secret: string; context: string; scope?: string; via?: string }[];
    shapePair: { ruleId: string; severity: string; confidence: string; secret: string }[];
    decoys: { text: string }[];
  };
  const r = scanFileSync(join(dir, 'index.android.bundle'), { showSecrets: true });
  t.equal(exp.planted.length, 5);
  for (const p of exp.planted) {
    const f = r.findings.find((x) => x.ruleId === p.ruleId && x.secret === p.secret);
    t.ok(f, `${p.ruleId} (${p.context}) found`);
    t.equal(f?.severity, p.severity, `${p.ruleId} (${p.context}) at ${p.severity}`);
    const at = f?.locations.find((l) => l.context === p.context);
    t.ok(at, `${p.ruleId} bound to ${p.context}`);
    t.match(at?.pointer ?? '', /^function\[\d+\][^+]*\+0x[0-9a-f]+: put /, 'pointer names the function, offset and use');
    if (p.scope) t.match(at?.pointer ?? '', `put ${p.scope}.${p.context}`, `object literal stored as ${p.scope}`);
    if (p.via) t.match(at?.pointer ?? '', p.via, `through a ${p.via}`);
  }
  for (const d of exp.decoys) t.notOk(r.findings.some((f) => f.secret === d.text || (f.secret !== undefined && d.text.includes(f.secret))), `decoy not reported: ${d.text.slice(0, 12)}`);
  // The string table is sorted, not in program order: a key and its secret in a constant array are seen side by side
  // as the array's elements (NewArrayWithBuffer), with no name, and reported as a shape pair.
  const pair = exp.shapePair.map((p) => r.findings.find((x) => x.ruleId === p.ruleId && x.secret === p.secret));
  t.same(pair.map((f) => [f?.severity, f?.confidence]), exp.shapePair.map((p) => [p.severity, p.confidence]), 'shape pair at the rules\' severities, medium confidence');
  t.ok(pair.every((f) => /^shape pair/.test(f?.reason ?? '') && f!.locations.some((l) => /: element [01] of 2$/.test(l.pointer))), 'found as the elements of the array');
  t.ok(pair[1]?.pairedWith?.includes(pair[0]!.fingerprint), 'the secret is paired with its key');
  t.same(r.findings.filter((f) => ![...exp.planted, ...exp.shapePair].some((p) => p.secret === f.secret)).map((f) => f.ruleId), [], 'nothing else');
  // Golden: hermesc's own listing. Each use sits on an instruction the compiler printed at that offset, of the
  // kind the use says (a property store, or the object literal for a key of a constant object).
  const golden = readFileSync(join(dir, 'golden/index.bytecode.txt'), 'utf8');
  const listings = new Map<string, Map<number, string>>();
  let cur: Map<number, string> | undefined;
  for (const line of golden.split('\n')) {
    const fn = /^\w+<([^>]*)>\(\d+ params/.exec(line);
    if (fn) listings.set(`${fn[1]}#${listings.size}`, (cur = new Map()));
    const insn = /^\[@ (\d+)\] (\w+)/.exec(line);
    if (insn && cur) cur.set(Number(insn[1]), insn[2]!);
  }
  const strings = decodeAll(decodeHermes, readFileSync(join(dir, 'index.android.bundle'))).strings.filter((s) => s.code !== undefined || /: element \d+ of \d+$/.test(s.location.pointer));
  t.ok(strings.length >= 7, `${strings.length} code uses and array elements`);
  for (const s of strings) {
    const m = /^function\[(\d+)\](?: (\S+))?\+0x([0-9a-f]+): (\w+)/.exec(s.location.pointer)!;
    const pc = parseInt(m[3]!, 16);
    const candidates = [...listings].filter(([k]) => (m[2] === undefined ? true : k.startsWith(`${m[2]}#`))).map(([, l]) => l.get(pc));
    const want = m[4] === 'put' ? /^(PutById|TryPutById|PutNewOwn|DefineOwnById|NewObjectWithBuffer)/ : m[4] === 'arg' ? /^Call/ : m[4] === 'element' ? /^NewArrayWithBuffer/ : /^Ret$/;
    t.ok(candidates.some((op) => op !== undefined && want.test(op)), `${s.location.pointer} is a ${m[4]} instruction in hermesc's listing`);
  }
  // A version without an opcode table keeps its strings and says why there is no code context.
  const v97 = Uint8Array.from(readFileSync(join(dir, 'index.android.bundle')));
  v97[8] = 97;
  const other = decodeAll(decodeHermes, v97);
  t.ok(other.strings.length > 0 && other.strings.every((s) => s.code === undefined), 'strings only');
  t.ok(other.warnings.some((w) => (w as { code: string }).code === 'hermes.no_opcode_table'));
});

const JS_DIR = join(ROOT, 'samples/js');
interface JsExpected {
  files: string[];
  planted: { ruleId: string; severity: string; secret: string; context: string; scope?: string; code: string | null }[];
  shapePair: { ruleId: string; severity: string; confidence: string; secret: string }[];
  decoys: { text: string }[];
}
const JS_EXPECTED = JSON.parse(readFileSync(join(JS_DIR, 'expected.json'), 'utf8')) as JsExpected;

for (const file of JS_EXPECTED.files) {
  t.test(`JavaScript code context (${file}): each planted secret bound through the real pipeline, the shape pair, no decoy`, async (t) => {
    const exp = JS_EXPECTED;
    const bytes = readFileSync(join(JS_DIR, file));
    const r = scanFileSync(join(JS_DIR, file), { showSecrets: true });
    t.same(r.diagnostics, [], 'no diagnostics');
    // What the decoder binds each literal to (scope is not part of a finding's location).
    const decoded = [...decodeText(bytes, collectingContext(file))];
    t.equal(exp.planted.length, 7);
    for (const p of exp.planted) {
      const f = r.findings.find((x) => x.ruleId === p.ruleId && x.secret === p.secret);
      t.ok(f, `${p.ruleId} (${p.context}) found`);
      t.equal(f?.severity, p.severity, `${p.ruleId} (${p.context}) at ${p.severity}`);
      t.ok(f?.locations.some((l) => l.context === p.context && l.decoder === 'js'), `bound to ${p.context}`);
      const d = decoded.find((s) => s.text === p.secret)!;
      t.equal(d.context, p.context);
      t.equal(d.scope, p.scope, `scope ${p.scope ?? 'none'}`);
      if (p.code === null) t.equal(d.code, undefined, 'a variable has no code use');
      else {
        t.match(d.code ?? '', new RegExp(p.code), `code: ${p.code}`);
        t.ok(f?.locations.some((l) => l.pointer.endsWith(`: ${d.code}`)), 'the pointer carries the use');
      }
    }
    // A key and its secret side by side with no name: found by shape, as a pair, at medium confidence.
    const pair = exp.shapePair.map((p) => r.findings.find((x) => x.ruleId === p.ruleId && x.secret === p.secret));
    t.ok(pair.every((f) => /^shape pair/.test(f?.reason ?? '')), 'both halves reported as a shape pair');
    t.same(pair.map((f) => [f?.severity, f?.confidence]), exp.shapePair.map((p) => [p.severity, p.confidence]), 'each at its rule\'s severity, medium confidence');
    t.ok(pair[1]?.pairedWith?.includes(pair[0]!.fingerprint), 'the secret is paired with its key');
    const inArray = decoded.filter((s) => exp.shapePair.some((p) => p.secret === s.text));
    t.same(inArray.map((s) => [s.context, s.code, s.scope]), [[undefined, undefined, file.endsWith('.js') ? 'pair' : 'r'], [undefined, undefined, file.endsWith('.js') ? 'pair' : 'r']], 'array elements: no name, the array as scope');
    for (const d of exp.decoys) t.notOk(r.findings.some((f) => f.secret !== undefined && d.text.includes(f.secret)), `decoy not reported: ${d.text.slice(0, 12)}`);
    // Every finding is on a planted value (a consumer secret found through its class's scope marker also keeps the
    // generic fallback finding: the engine drops fallbacks only beside a finding that needs no pair or marker).
    const known = new Set([...exp.planted, ...exp.shapePair].map((p) => p.secret));
    t.same(r.findings.filter((f) => f.secret === undefined || !known.has(f.secret)).map((f) => f.ruleId), [], 'nothing on any other value');
    // Golden: acorn's parser lists every string literal and template element at the same line and column.
    const golden = JSON.parse(readFileSync(join(JS_DIR, 'golden', `${file.replace(/^.*\//, '')}.literals.json`), 'utf8')) as { literals: [number, number, string, string][] };
    const ours = decoded.map((s) => {
      const m = /^line (\d+) col (\d+)/.exec(s.location.pointer)!;
      return [Number(m[1]), Number(m[2]), s.text];
    });
    t.same(ours, golden.literals.filter((l) => l[2] !== '').map((l) => l.slice(0, 3)), `${ours.length} literals where acorn puts them, with the same values`);
  });
}

t.test('JavaScript bindings: tokenizer-level details', async (t) => {
  const bind = (src: string) => [...textStrings(src, collectingContext('x.js'), 'js')].map((s) => [s.text, s.context ?? null, s.scope ?? null, s.code ?? null]);
  t.same(bind('class TwitterKeys { constructor() { this.consumerKey = "ck" } get consumerSecret() { return "cs" } static host = "h" }'), [
    ['ck', 'consumerKey', 'TwitterKeys', 'put TwitterKeys.consumerKey in TwitterKeys.constructor'],
    ['cs', 'consumerSecret', 'TwitterKeys', 'return in TwitterKeys.consumerSecret'],
    ['h', 'host', 'TwitterKeys', 'put TwitterKeys.host'],
  ], 'class fields, this-members and getters');
  t.same(bind('const init = (t) => { t.setApiKey("ak"); new SecretKeySpec("sk"); h.set("Authorization", "Bearer x"); f(a, "two"); }'), [
    ['ak', 'setApiKey', null, 'arg 0 of t.setApiKey in init'],
    ['sk', 'SecretKeySpec', null, 'arg 0 of new SecretKeySpec in init'],
    ['Authorization', null, null, 'arg 0 of h.set in init'],
    ['Bearer x', 'Authorization', null, 'arg 1 of h.set after "Authorization" in init'],
    ['two', null, null, 'arg 1 of f in init'],
  ], 'call arguments: a one-argument callee or a naming literal before gives the name');
  t.same(bind('switch (v) { case "A": w = "B"; break; default: w = "C" } o = {default: "d"}; x[\'k\'] = "v"; y = a ? "p" : "q"; z = "s" + t;'), [
    ['A', null, null, null],
    ['B', 'w', null, null],
    ['C', 'w', null, null],
    ['d', 'default', 'o', 'put o.default'],
    ['k', null, null, null],
    ['v', 'k', 'x', 'put x.k'],
    ['p', 'y', null, null],
    ['q', 'y', null, null],
    ['s', 'z', null, null],
  ], 'case labels bind nothing; a computed string member is a member; a literal inside an expression keeps the name but has no use');
  t.same(bind('var q = /["\']/g, r = a / b / "c"; (0, m.default)("interop"); g = `${x}tail`; h = `whole`; window.K = "w";'), [
    ['c', 'r', null, null],
    ['interop', null, null, null],
    ['tail', 'g', null, null],
    ['whole', 'h', null, null],
    ['w', 'K', null, 'put window.K'],
  ], 'regex quotes, divisions, calls of an expression, templates, the global object');
  // Malformed and hostile input: warnings, bounded time.
  const warnings = (src: string) => {
    const ctx = collectingContext('x.js');
    let strings = 0;
    for (const s of textStrings(src, ctx, 'js')) if (s.text !== '') strings++;
    return strings === 0 ? ctx.warnings.map((w) => w.code) : [...ctx.warnings.map((w) => w.code), `${strings} strings`];
  };
  t.same(warnings('a = "open\nb = `tmpl ${x'), ['js.unterminated_string', 'js.unterminated_template', '2 strings']);
  t.same(warnings('/* open "no string"'), ['js.unterminated_comment']);
  const big = 10 * 1024 * 1024;
  for (const [what, head, unit, want] of [['unclosed regex classes', '', '[/', 'js.lookahead_budget'], ['nested calls', '', 'a("x",', 'js.too_deep'], ['an open string of escapes', '"', '\\u{', 'js.unterminated_string']] as const) {
    const src = head + unit.repeat(Math.ceil(big / unit.length));
    const start = performance.now();
    const codes = warnings(src);
    const ms = performance.now() - start;
    t.ok(codes.includes(want), `10 MB of ${what}: ${want} (${codes.join(', ')})`);
    t.ok(ms < 10_000, `10 MB of ${what} in ${Math.round(ms)} ms`);
  }
});

t.test('.NET assemblies: #US heap, XALZ (LZ4) and assembly stores', async (t) => {
  const dll = readFileSync(join(RUNTIMES, 'Leakdex.Secrets.dll'));
  t.equal(sniff(dll.subarray(0, 512)), 'pe');
  const us = [...userStrings(dll)].map((s) => s.text);
  t.ok(us.includes('https://api.stripe.com/v1/charges'), 'UTF-16 literals of the #US heap');
  t.ok(us.some((s) => s.startsWith('rk_live_')), 'the restricted key');
  const xalz = readFileSync(join(RUNTIMES, 'Leakdex.Groq.xalz.dll'));
  t.equal(sniff(xalz.subarray(0, 512)), 'xalz');
  const plain = unwrapXalz(xalz);
  t.equal(sniff(plain.subarray(0, 512)), 'pe', 'XALZ decompresses to a PE image');
  t.ok(decodeAll(decodeDotnet, xalz).strings.some((s) => s.text.startsWith('gsk_') && s.location.pointer.startsWith('xalz!#US+0x')));
  const store = readFileSync(join(RUNTIMES, 'assemblies.blob'));
  t.equal(sniff(store.subarray(0, 512)), 'assembly-store');
  const ptrs = decodeAll(decodeAssemblyStore, store).strings.map((s) => s.location.pointer);
  t.ok(ptrs.some((p) => p.startsWith('assembly[0]#US')) && ptrs.some((p) => p.startsWith('assembly[1]xalz!#US')), 'both assemblies of the store');
  // A store of another version is searched by magic; an XALZ envelope has no compressed size, so each LZ4 block is
  // followed by the next assembly's bytes.
  const v2 = Buffer.alloc(16);
  v2.write('XABA');
  v2.writeUInt32LE(2, 4);
  const two = decodeAll(decodeAssemblyStore, Buffer.concat([v2, xalz, xalz]));
  const prefixes = [...new Set(two.strings.map((s) => s.location.pointer.replace(/#US.*/, '')))];
  t.same(prefixes, ['assembly[0]xalz!', 'assembly[1]xalz!'], 'both compressed assemblies of a v2 store');
  t.same(two.warnings.map((w) => (w as { code: string }).code), ['dotnet.store_version']);
  t.same([...unwrapXalz(Buffer.concat([xalz, Buffer.from('trailing bytes')]))], [...plain], 'bytes after the LZ4 block are not decoded');
  // LZ4: overlapping match (offset 1, length 8) and a literal-only tail.
  t.same([...lz4BlockDecompress(Uint8Array.from([0x14, 0x61, 0x01, 0x00, 0x10, 0x62]), 10)], [...'aaaaaaaaab'].map((c) => c.charCodeAt(0)));
  t.throws(() => lz4BlockDecompress(Uint8Array.from([0x14, 0x61, 0x05, 0x00]), 9), DecodeError, 'offset before the output');
  t.throws(() => lz4BlockDecompress(Uint8Array.from([0x10, 0x61]), 5), DecodeError, 'shorter than declared');
  t.throws(() => lz4BlockDecompress(Uint8Array.from([0xf0, 0xff, 0xff]), 5), DecodeError, 'literal length past the input');
});

t.test('Unity IL2CPP metadata: literals by the table', async (t) => {
  const md = readFileSync(join(RUNTIMES, 'global-metadata.dat'));
  t.equal(sniff(md.subarray(0, 512)), 'il2cpp');
  const s = decodeAll(decodeIl2cpp, md).strings;
  t.same(s.map((x) => x.location.pointer).slice(0, 3), ['string_literals[0]', 'string_literals[1]', 'string_literals[2]']);
  t.ok(s[1]!.text.startsWith('r8_') && s[1]!.text.length === 40, 'the token alone, not merged with its neighbours');
  const v = Uint8Array.from(md);
  v[4] = 99;
  t.throws(() => decodeAll(decodeIl2cpp, v), { code: 'il2cpp.unknown_version' });
});

interface UnityExpected {
  file: string;
  metadataVersion: string;
  entry: string;
  planted: { ruleId: string; severity: string; confidence: string; secret: string; entry: string; pointer: string; context: string | null }[];
  decoys: { text: string; entry: string; why: string }[];
}
interface UnityGolden {
  version: string;
  literals: string[];
  fieldDefaults: { index: number; class: string; field: string; value: string | null }[];
  parameterDefaults: { index: number; class: string; method: string; parameter: string; value: string | null }[];
}
const UNITY_SAMPLES: UnityExpected[] = readdirSync(UNITY)
  .filter((f) => f.endsWith('.expected.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(UNITY, f), 'utf8')) as UnityExpected);

t.test('Unity IL2CPP samples: const fields, parameter defaults and literal pairs through the pipeline', async (t) => {
  t.ok(new Set(UNITY_SAMPLES.map((e) => e.metadataVersion)).size >= 4, 'several metadata versions');
  t.ok(UNITY_SAMPLES.some((e) => e.file.endsWith('.apk')), 'and an APK carrying one');
  for (const exp of UNITY_SAMPLES) {
    const r = scanFileSync(join(UNITY, exp.file), { showSecrets: true });
    for (const p of exp.planted) {
      const f = r.findings.find((x) => x.ruleId === p.ruleId && x.secret === p.secret);
      t.ok(f, `${exp.file}: ${p.ruleId} at ${p.pointer}`);
      if (!f) continue;
      t.equal(f.severity, p.severity, `${exp.file}: ${p.ruleId} at ${p.pointer} is ${p.severity}`);
      t.equal(f.confidence, p.confidence, `${exp.file}: ${p.ruleId} at ${p.pointer} confidence`);
      const at = f.locations.find((l) => l.entry === p.entry && l.pointer === p.pointer);
      t.ok(at, `${exp.file}: located at ${p.pointer} (got ${f.locations.map((l) => l.pointer).join(' | ')})`);
      t.equal(at?.context, p.context ?? undefined, `${exp.file}: ${p.pointer} bound to ${p.context}`);
    }
    for (const d of exp.decoys) {
      const bad = r.findings.filter((f) => (f.secret ?? '').includes(d.text) && f.severity !== 'info');
      t.same(bad.map((f) => f.ruleId), [], `${exp.file}: decoy not reported (${d.why})`);
    }
    t.same(r.diagnostics.map((d) => d.code), [], `${exp.file}: no diagnostics`);
  }
});

t.test('Unity IL2CPP: the decoder agrees with the independent reader (golden) on every version', async (t) => {
  for (const f of readdirSync(UNITY).filter((x) => x.endsWith('.dat'))) {
    const golden = JSON.parse(readFileSync(join(UNITY, 'golden', `${f}.json`), 'utf8')) as UnityGolden;
    const { strings, warnings } = decodeAll(decodeIl2cpp, readFileSync(join(UNITY, f)));
    t.same(warnings, [], `${f}: no warnings`);
    t.same(strings.filter((s) => s.location.pointer.startsWith('string_literals[')).map((s) => s.text), golden.literals.filter((x) => x), `${f}: literals in table order`);
    const bound = strings.filter((s) => s.context !== undefined).map((s) => [s.location.pointer, s.context, s.scope, s.text]);
    const want = [
      ...golden.fieldDefaults.filter((d) => d.value).map((d) => [`field_defaults[${d.index}] ${d.class}.${d.field}`, d.field, d.class, d.value]),
      ...golden.parameterDefaults.filter((d) => d.value).map((d) => [`parameter_defaults[${d.index}] ${d.class}.${d.method}(${d.parameter})`, d.parameter, d.class, d.value]),
    ];
    t.same(bound, want, `${f} (v${golden.version}): string defaults bound to field/parameter and class`);
  }
  // Without the System.String type definition the string type is recognised by its values alone (written back to back).
  for (const f of ['global-metadata-v24.0.dat', 'global-metadata-v29.dat']) {
    const md = Buffer.from(readFileSync(join(UNITY, f)));
    const at = md.indexOf('\0String\0');
    t.ok(at > 0, 'System.String is named in the string table');
    md.write('Strinx', at + 1);
    const bound = decodeAll(decodeIl2cpp, md).strings.filter((s) => s.context !== undefined).map((s) => s.context);
    t.same(bound, ['TwitterConsumerKey', 'TwitterConsumerSecret', 'FacebookAppId', 'FacebookAppSecret', 'TwitterConsumerSecretHint', 'Region', 'StripeSecretKey', 'apiKey'], `${f}: by structure`);
  }
  // Version 24 has three layouts under one number; each sample resolves to its own.
  t.equal(il2cppLayout(readFileSync(join(UNITY, 'global-metadata-v24.0.dat')), 24).layout?.version, 24.0);
  t.equal(il2cppLayout(readFileSync(join(UNITY, 'global-metadata-v24.2.dat')), 24).layout?.version, 24.2);
  // Compressed int32 (libil2cpp ReadCompressedInt32): sign in bit 0, 1/2/4/5-byte forms, 0xff = INT32_MIN.
  const c = (...b: number[]) => compressedInt32(Uint8Array.from(b), 0, b.length);
  t.same([c(0x06), c(0x01), c(0x81, 0x00), c(0xc0, 0x01, 0x00, 0x00), c(0xf0, 0x02, 0, 0, 0), c(0xff)], [[3, 1], [-1, 1], [128, 2], [32768, 4], [1, 5], [-0x80000000, 1]]);
  t.equal(c(0x81), undefined, 'a 2-byte form cut short');
  t.equal(c(0xe0), undefined, 'an invalid first byte');
  // Hostile tables: a default naming a field past the table, a type whose fields run past it.
  const md = Buffer.from(readFileSync(join(UNITY, 'global-metadata-v29.dat')));
  const l = il2cppLayout(md, 29).layout!;
  const fdv = l.tables.get('fieldDefaultValues')!;
  md.writeInt32LE(0x7fffffff, fdv.off + 12);
  const r1 = decodeAll(decodeIl2cpp, md);
  t.ok(r1.warnings.some((w) => (w as { code: string }).code === 'il2cpp.bad_default'), 'a default naming a missing field is a warning');
  t.ok(r1.strings.some((s) => s.context === 'TwitterConsumerSecret'), 'the other defaults are still read');
  const td = l.tables.get('typeDefinitions')!;
  md.writeUInt16LE(0xffff, td.off + l.typeDef.counts + 4);
  const r2 = decodeAll(decodeIl2cpp, md);
  t.ok(r2.warnings.some((w) => (w as { code: string }).code === 'il2cpp.layout'), 'fields outside the field table: layout rejected, a warning');
  t.ok(r2.strings.some((s) => s.location.pointer === 'string_literals[5]'), 'literals are still read');
  // Every byte of two versions flipped two ways (the shared sweep below steps over most of a small file).
  for (const f of ['global-metadata-v24.0.dat', 'global-metadata-v29.dat']) {
    const good = readFileSync(join(UNITY, f));
    let bad = 0;
    for (let i = 0; i < good.length; i++) {
      for (const x of [0xff, 0x80]) {
        const v = Uint8Array.from(good);
        v[i] = v[i]! ^ x;
        try {
          for (const s of decodeIl2cpp(v, collectingContext(f))) if (typeof s.text !== 'string' || s.text.length > 65536) bad++;
        } catch (e) {
          if (!(e instanceof DecodeError)) bad++;
        }
      }
    }
    t.equal(bad, 0, `${f}: ${2 * good.length} byte flips end in strings or a DecodeError`);
  }
});

t.test('base64 and hex blobs are decoded and rescanned', async (t) => {
  const aws = 'AWS_ACCESS_KEY_ID=AKIAQWERTYUIOPASDFGH\n';
  const b64 = Buffer.from(aws).toString('base64');
  const hex = Buffer.from('{"token":"ghp_abcdefghijklmnopqrstuvwxyz0123456789"}').toString('hex');
  t.same(encodedBlobs(`x=${b64}`).map((b) => [b.encoding, b.start, b.text]), [['base64', 2, aws]]);
  t.same(encodedBlobs(hex).map((b) => b.encoding), ['hex']);
  const s: DecodedString = { text: hex, location: { entry: 'e', decoder: 'text', pointer: '$.blob' }, context: 'blob' };
  const out = [...decodedStrings(s)];
  t.ok(out.some((d) => d.location.pointer === '$.blob decoded:hex $.token' && d.context === 'token'), 'structured decoded text gets its own keys');
  const twice = Buffer.from(b64).toString('base64');
  t.ok([...decodedStrings({ ...s, text: twice })].some((d) => d.text === aws), 'base64 of base64 decodes twice');
  const binary = Buffer.from(Uint8Array.from({ length: 48 }, (_, i) => (i * 37 + 11) & 0xff)).toString('base64');
  t.same(encodedBlobs(binary), [], 'binary payloads (keys, hashes, images) are not rescanned');
  t.same(encodedBlobs('com_example_app_SomeVeryLongIdentifierNameHere'), [], 'identifiers are not base64 text');
});

t.test('truncation and byte-flip sweep over the new decoders', async (t) => {
  const aab = readFileSync(join(DIR, 'bundle-app.aab'));
  const inputs: [string, Decoder, Uint8Array][] = [
    ['aapt-xml', decodeAaptXml, entryOf(aab, 'base/manifest/AndroidManifest.xml')],
    ['aapt-xml res', decodeAaptXml, entryOf(aab, 'base/res/xml/remote_config.xml')],
    ['aapt-table', decodeAaptTable, entryOf(aab, 'base/resources.pb')],
    ['hermes', decodeHermes, readFileSync(join(RUNTIMES, 'index.android.bundle'))],
    ['hermes code', decodeHermes, readFileSync(join(ROOT, 'samples/hermes/index.android.bundle'))],
    ['dotnet', decodeDotnet, readFileSync(join(RUNTIMES, 'Leakdex.Secrets.dll'))],
    ['xalz', decodeDotnet, readFileSync(join(RUNTIMES, 'Leakdex.Groq.xalz.dll'))],
    ['store', decodeAssemblyStore, readFileSync(join(RUNTIMES, 'assemblies.blob'))],
    ['il2cpp', decodeIl2cpp, readFileSync(join(RUNTIMES, 'global-metadata.dat'))],
    ['il2cpp v24.0', decodeIl2cpp, readFileSync(join(UNITY, 'global-metadata-v24.0.dat'))],
    ['il2cpp v24.2', decodeIl2cpp, readFileSync(join(UNITY, 'global-metadata-v24.2.dat'))],
    ['il2cpp v29', decodeIl2cpp, readFileSync(join(UNITY, 'global-metadata-v29.dat'))],
    ['il2cpp v31', decodeIl2cpp, readFileSync(join(UNITY, 'global-metadata-v31.dat'))],
    ['js bundle', (b, ctx) => decodeText(b, { ...ctx, entry: 'index.android.bundle' }), readFileSync(join(ROOT, 'samples/js/index.android.bundle'))],
    ['js readable', (b, ctx) => decodeText(b, { ...ctx, entry: 'www/js/app.js' }), readFileSync(join(ROOT, 'samples/js/www/js/app.js'))],
  ];
  let runs = 0;
  for (const [name, decode, good] of inputs) {
    const variants: Uint8Array[] = [];
    const step = Math.max(1, Math.floor(good.length / 97));
    for (let n = 0; n < good.length; n += step) variants.push(good.subarray(0, n));
    for (let i = 0; i < good.length; i += step) {
      for (const x of [0xff, 0x80, 0x01]) {
        const v = Uint8Array.from(good);
        v[i] = v[i]! ^ x;
        variants.push(v);
      }
    }
    let bad = 0;
    for (const v of variants) {
      runs++;
      try {
        let k = 0;
        for (const s of decode(v, collectingContext(name))) {
          if (typeof s.text !== 'string') bad++;
          if (++k > 1_000_000) break;
        }
      } catch (e) {
        if (!(e instanceof DecodeError)) {
          bad++;
          if (bad < 3) t.fail(`${name}: ${(e as Error).name}: ${(e as Error).message}`);
        }
      }
    }
    t.equal(bad, 0, `${name}: ${variants.length} variants end in strings or a DecodeError`);
  }
  t.ok(runs > 2000, `${runs} hostile inputs`);
  // The whole pipeline over hostile split sets and bundles.
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
