/**
 * App runtimes: Hermes bytecode (samples/bundles/runtimes, built with hermesc; samples/hermes with hermesc's own
 * listing as golden), .NET assemblies (#US heap, XALZ, assembly stores; built with mcs) and Unity IL2CPP metadata
 * (samples/unity, every metadata version against an independent reader): strings, code context through the real
 * pipeline, and truncated and byte-flipped input.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanBytesSync, scanFileSync } from '../../src/pipeline/index.js';
import { decodeHermes, hermesStrings } from '../../decoders/hermes.js';
import { decodeAssemblyStore, decodeDotnet, lz4BlockDecompress, unwrapXalz, userStrings } from '../../decoders/dotnet.js';
import { decodeIl2cpp } from '../../decoders/il2cpp.js';
import { compressedInt32, il2cppLayout } from '../../decoders/il2cpp-metadata.js';
import { decodeRuns } from '../../decoders/runs.js';
import { sniff } from '../../decoders/sniff.js';
import { DecodeError, collectingContext, type Decoder } from '../../decoders/types.js';
import { decodeAll, hostileSweep } from '../helpers/decode.js';
import { ROOT, sampleExpectations } from '../helpers/files.js';

const RUNTIMES = join(ROOT, 'samples/bundles/runtimes');
const UNITY = join(ROOT, 'samples/unity');
/** The bundle samples' expectations: the Hermes bundle of the AAB holds a planted Slack token. */
const BUNDLE_SAMPLES = sampleExpectations<{ kind: string; planted: { ruleId: string; secret: string }[] }>(join(ROOT, 'samples/bundles'));

t.test('Hermes bytecode: the string table gives exact boundaries', async (t) => {
  const hbc = readFileSync(join(RUNTIMES, 'index.android.bundle'));
  t.equal(sniff(hbc.subarray(0, 512)), 'hermes', 'detected by magic');
  const exp = BUNDLE_SAMPLES.find((s) => s.expected.kind === 'aab')!.expected.planted.find((p) => p.ruleId === 'slack-token')!;
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
const UNITY_SAMPLES = sampleExpectations<UnityExpected>(UNITY).map((s) => s.expected);

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

t.test('truncation and byte-flip sweep over the runtime decoders', async (t) => {
  const inputs: [string, Decoder, Uint8Array][] = [
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
  ];
  let runs = 0;
  for (const [name, decode, good] of inputs) {
    const r = hostileSweep(decode, good, name);
    runs += r.inputs;
    t.equal(r.bad, 0, `${name}: ${r.inputs} variants end in strings or a DecodeError ${r.first.join('; ')}`);
  }
  t.ok(runs > 2000, `${runs} hostile inputs`);
});
