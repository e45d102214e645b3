/**
 * iOS end to end and decoder checks: the committed iOS samples (built by samples/ios/build.sh with clang, ld64.lld,
 * llvm-lipo, plistlib and openssl) scanned by the real pipeline and CLI; decoders checked against the golden outputs of
 * llvm-objdump and plistlib; hostile inputs (bplist bomb, cycles, lying trailers, overrunning load commands,
 * truncated fat headers, absurd section counts) and a truncation/byte-flip sweep over every iOS sample.
 */
import t from 'tap';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { scanBytesSync, scanFileSync } from '../../src/pipeline/index.js';
import { severityRank, type Severity } from '../../src/detect/types.js';
import type { Report } from '../../src/report/types.js';
import { collectingContext } from '../../decoders/types.js';
import { parseBinaryPlist, plistStrings, parsePlist, plistToJson, decodePlist, parseOpenStepPlist, parseXmlPlistText, PlistUid, type PlistValue } from '../../decoders/plist.js';
import { cstrings, machoSlices, machoStrings, parseMachoSlice } from '../../decoders/macho.js';
import { fatSlices } from '../../decoders/macho-fat.js';
import { decodeMobileProvision, profileInfo, profilePlist } from '../../decoders/mobileprovision.js';
import { decodeStringsFile } from '../../decoders/strings-file.js';
import { cliSync as cli } from '../helpers/cli.js';
import { decodeErrorCode } from '../helpers/decode.js';
import { ROOT, sampleExpectations, tempDir, zipEntries as entries } from '../helpers/files.js';

const IOS = join(ROOT, 'samples/ios');

interface Planted {
  ruleId: string;
  severity: Severity;
  secret: string;
  entry: string;
  context?: string;
}
interface Expected {
  file: string;
  quirk?: string;
  expectDiagnostics?: string[];
  app: Record<string, unknown>;
  planted: Planted[];
  decoys: { text: string; entry: string; why: string; context?: string }[];
}

const SAMPLES = sampleExpectations<Expected>(IOS).map(({ base, expected }) => ({ file: join(IOS, expected.file), base, expected }));

t.test('the iOS samples are there', async (t) => {
  t.ok(SAMPLES.length >= 5, `${SAMPLES.length} iOS samples with expectations`);
  t.ok(SAMPLES.some((s) => s.expected.file === 'leaky-ios.ipa'));
});

for (const { file, expected } of SAMPLES) {
  t.test(`iOS sample ${expected.file}`, async (t) => {
    const report = scanFileSync(file, { showSecrets: true });
    t.equal(report.artifact.platform, 'ios');
    t.equal(report.artifact.kind, (expected.app.kind as string | undefined) ?? 'ipa');
    for (const p of expected.planted) {
      const f = report.findings.find((h) => h.ruleId === p.ruleId && (h.secret ?? '').includes(p.secret));
      t.ok(f, `${p.ruleId} planted in ${p.entry} is found`);
      if (!f) continue;
      t.equal(f.severity, p.severity, `${p.ruleId} in ${p.entry} has severity ${p.severity}`);
      t.ok(f.locations.some((l) => l.entry === p.entry), `${p.ruleId} located in ${p.entry} (got ${f.locations.map((l) => l.entry).join(', ')})`);
      if (p.context) t.ok(f.locations.some((l) => l.entry === p.entry && l.context === p.context), `${p.ruleId} bound to ${p.context}`);
      for (const l of f.locations.filter((x) => x.decoder === 'macho')) t.match(l.pointer, /^\[(arm64|x86_64|arm64e|i386|armv7)\] __[A-Z_]+,__[a-z_0-9]+(\+0x[0-9a-f]+|\[\d+\])( -> __[A-Z_]+,__[a-z_0-9]+\+0x[0-9a-f]+)?( \S.*)?$/, 'Mach-O pointer names slice, segment, section and offset (a bound one: -> string, name)');
    }
    for (const d of expected.decoys) {
      const bad = report.findings.filter((f) => severityRank(f.severity) > severityRank('info') && (f.secret ?? '').includes(d.text));
      t.same(bad.map((f) => `${f.ruleId} at ${f.locations[0]?.entry}`), [], `decoy (${d.why}) is not reported above info`);
    }
    for (const code of expected.expectDiagnostics ?? []) t.ok(report.diagnostics.some((d) => d.code === code), `diagnostic ${code} is reported`);
    t.same(report.diagnostics.filter((d) => d.code.endsWith('.internal')), [], 'no internal errors');
    const app = report.artifact.app as Record<string, unknown>;
    for (const [key, want] of Object.entries(expected.app)) {
      if (key === 'platform' || key === 'kind') continue;
      const got = key === 'label' ? app.name : key === 'encrypted' ? app.encrypted === true : app[key];
      t.same(got, want, `app ${key}`);
    }
  });
}

t.test('an encrypted app says so and is never presented as clean', async (t) => {
  const sample = SAMPLES.find((s) => s.expected.file === 'encrypted-ios.ipa')!;
  const json = cli(['scan', sample.file, '--format', 'json', '--fail-on', 'none']);
  const report = JSON.parse(json.stdout) as Report;
  t.equal(report.artifact.app.encrypted, true, 'the JSON summary carries the flag');
  t.same(report.artifact.app.encryptedBinaries, ['Payload/Vault.app/Vault']);
  const d = report.diagnostics.find((x) => x.code === 'macho.encrypted');
  t.match(d?.message, /binary encrypted: resources only/);
  const text = cli(['scan', sample.file, '--fail-on', 'none']).stdout;
  t.match(text, /binary encrypted: resources only/, 'the text report says it');
  t.match(text, /not clean|cannot be called clean|NOT CLEAN/i, 'the text report does not present it as clean');
  t.notOk(scanFileSync(join(IOS, 'leaky-ios.ipa')).artifact.app.encrypted, 'an unencrypted app has no flag');
});

t.test('CLI: IPA report, redaction, exit code; a .app directory', async (t) => {
  const leaky = SAMPLES.find((s) => s.expected.file === 'leaky-ios.ipa')!;
  const r = cli(['scan', leaky.file, '--format', 'json']);
  t.equal(r.status, 1, 'secrets at or above high exit 1');
  for (const p of leaky.expected.planted) t.notOk(r.stdout.includes(p.secret), `report redacts ${p.ruleId}`);
  const report = JSON.parse(r.stdout) as Report;
  t.match(report.artifact, { kind: 'ipa', platform: 'ios', app: { id: 'com.leakdex.sample.ios', teamId: 'LDX9SAMPL3', profileType: 'ad-hoc' } });
  t.ok(report.artifact.app.frameworks?.includes('FBSDKCoreKit'), 'linked SDK frameworks are in the metadata');

  const dir = tempDir('leakdex-app-dir-');
  const zipped = SAMPLES.find((s) => s.expected.file === 'zipped-app.app.zip')!;
  for (const [name, bytes] of entries(zipped.file)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  const appDir = join(dir, 'LeakySim.app');
  const d = cli(['scan', appDir, '--format', 'json', '--show-secrets', '--fail-on', 'none']);
  t.equal(d.status, 0, `a .app directory scans (${d.stderr.trim()})`);
  const dirReport = JSON.parse(d.stdout) as Report;
  t.equal(dirReport.artifact.kind, 'app');
  t.equal(dirReport.artifact.path, appDir, 'the report names the directory');
  t.equal(dirReport.artifact.app.id, 'com.leakdex.sample.sim');
  for (const p of zipped.expected.planted) t.ok(dirReport.findings.some((f) => f.ruleId === p.ruleId && f.locations.some((l) => l.entry === p.entry)), `${p.ruleId} found in the directory`);
});

t.test('Mach-O __cstring equals llvm-objdump, plists equal plistlib (golden outputs)', async (t) => {
  let binaries = 0;
  let plists = 0;
  for (const { file, base } of SAMPLES) {
    const files = entries(file);
    const goldenC = JSON.parse(readFileSync(join(IOS, 'golden', `${base}.cstrings.json`), 'utf8')) as Record<string, string[]>;
    for (const [key, want] of Object.entries(goldenC)) {
      const [, entry, arch] = /^(.*) \[(\w+)\]$/.exec(key)!;
      if (base === 'encrypted-ios') continue; // recorded from the plain binary before the range was scrambled
      const slice = machoSlices(files.get(entry!)!, () => undefined).find((s) => s.arch === arch);
      t.ok(slice, `${key}: slice present`);
      const sect = slice!.sections.find((s) => s.segname === '__TEXT' && s.sectname === '__cstring');
      const got = sect ? [...cstrings(slice!.bytes.subarray(sect.offset, sect.offset + sect.size))].map(([, s]) => s) : [];
      t.same(got, want, `${key}: __TEXT,__cstring equals llvm-objdump`);
      binaries++;
    }
    const goldenP = JSON.parse(readFileSync(join(IOS, 'golden', `${base}.plists.json`), 'utf8')) as Record<string, unknown>;
    for (const [entry, want] of Object.entries(goldenP)) {
      const bytes = files.get(entry)!;
      if ((want as { $error?: string }).$error) continue;
      const got = entry.endsWith('.mobileprovision') ? plistToJson(profilePlist(bytes)) : plistToJson(parsePlist(bytes).value);
      t.same(got, want, `${base} ${entry} equals plistlib`);
      plists++;
    }
  }
  t.ok(binaries >= 8, `${binaries} slices compared`);
  t.ok(plists >= 12, `${plists} plists compared`);
});

t.test('formats: key paths, .strings encodings, OpenStep, provisioning profile, slices reported once', async (t) => {
  const files = entries(join(IOS, 'leaky-ios.ipa'));
  const app = 'Payload/LeakyApp.app/';
  const info = [...decodePlist(files.get(app + 'Info.plist')!, collectingContext(app + 'Info.plist'))];
  t.ok(info.some((s) => s.context === 'CFBundleURLTypes[0].CFBundleURLSchemes[0]' && s.text.startsWith('fb')), 'array values carry their key path');
  for (const lang of ['en', 'fr', 'de']) {
    const path = `${app}${lang}.lproj/Localizable.strings`;
    const out = [...decodeStringsFile(files.get(path)!, collectingContext(path))];
    t.ok(out.some((s) => s.context === 'checkout_title' && s.location.decoder === 'strings'), `${lang}: .strings values bound to their keys`);
  }
  const os = parseOpenStepPlist('{ a = ( "x\\n", <0aff> ); "b c" = { d = e; }; }') as Map<string, unknown>;
  t.same(plistToJson(os as never), { a: ['x\n', { $data: 'Cv8=' }], 'b c': { d: 'e' } });
  const p = profileInfo(files.get(app + 'embedded.mobileprovision')!);
  t.match(p, { teamId: 'LDX9SAMPL3', profileType: 'ad-hoc', expirationDate: '2031-12-31T23:59:59.000Z', deviceCount: 3 });
  const exe = [...machoStrings(files.get(app + 'LeakyApp')!, collectingContext(app + 'LeakyApp'))];
  const texts = exe.map((s) => s.text);
  t.equal(texts.length, new Set(texts.map((x, i) => `${exe[i]!.location.pointer.replace(/^\[\w+\] /, '').replace(/\+0x[0-9a-f]+|\[\d+\]/g, '')}\0${x}`)).size, 'a string of several slices is reported once');
  t.ok(exe.some((s) => s.location.pointer.includes('__TEXT,__ustring') && s.text.includes('✓')), 'UTF-16 literals come from __ustring');
});

function bplist(objects: number[][], top = 0, refSize = 1, trailer?: Partial<{ num: number; table: number; offSize: number }>): Uint8Array {
  const body: number[] = [...Buffer.from('bplist00')];
  const offsets: number[] = [];
  for (const o of objects) {
    offsets.push(body.length);
    body.push(...o);
  }
  const table = body.length;
  for (const off of offsets) body.push(off);
  const tr = Buffer.alloc(32);
  tr[6] = trailer?.offSize ?? 1;
  tr[7] = refSize;
  tr.writeBigUInt64BE(BigInt(trailer?.num ?? objects.length), 8);
  tr.writeBigUInt64BE(BigInt(top), 16);
  tr.writeBigUInt64BE(BigInt(trailer?.table ?? table), 24);
  return Uint8Array.from([...body, ...tr]);
}

t.test('hostile plists and Mach-O: diagnostics, never a crash, a hang or a huge allocation', async (t) => {
  const bomb = entries(join(IOS, 'bplist-bomb.ipa')).get('Payload/Bomb.app/bomb.plist')!;
  t.ok(bomb.length < 700, `the bomb is ${bomb.length} bytes`);
  const bombCtx = collectingContext('bomb.plist');
  const bombStrings = [...decodePlist(bomb, bombCtx)];
  // Each array is read once, under its first key path: work is the file's size, not the 2^40 nodes it expands to.
  t.ok(bombStrings.length > 0 && bombStrings.length < 100, `the bomb gives its ${bombStrings.length} strings once each`);
  t.same(bombCtx.warnings.map((w) => w.code), ['plist.shared_container'], 'one warning says shared containers were read once');
  // The visit budget still holds for a plist that is large without sharing (a flat array of 2,000 refs to one string).
  const wide = bplist([[0x51, 0x6b], [0xaf, 0x11, 0x07, 0xd0, ...Array<number>(2000).fill(0)]], 1);
  const wideCtx = collectingContext('wide.plist');
  const wideStrings = [...plistStrings(parseBinaryPlist(wide), wideCtx, 'plist', { maxNodes: 1000 })];
  t.equal(wideStrings.length, 999, 'strings up to the node budget are kept');
  t.match(wideCtx.warnings, [{ code: 'plist.too_many_nodes', message: /more than 1000 plist nodes/ }], 'and one warning says the rest were not read');

  // [a1: array of 1 ref -> object 0]: an array that contains itself.
  t.equal(decodeErrorCode(() => parseBinaryPlist(bplist([[0xa1, 0]]))), 'plist.cycle');
  // dict {0: key "k" -> value: the dict itself}
  t.equal(decodeErrorCode(() => parseBinaryPlist(bplist([[0xd1, 1, 0], [0x51, 0x6b]]))), 'plist.cycle');
  t.equal(decodeErrorCode(() => parseBinaryPlist(bplist([[0x51, 0x6b]], 0, 1, { num: 2 ** 40 }))), 'plist.bad_trailer', 'object count larger than the file');
  t.equal(decodeErrorCode(() => parseBinaryPlist(bplist([[0x51, 0x6b]], 0, 1, { table: 4 }))), 'plist.bad_trailer', 'offset table inside the header');
  t.equal(decodeErrorCode(() => parseBinaryPlist(bplist([[0x51, 0x6b]], 0, 1, { offSize: 9 }))), 'plist.bad_trailer', 'offset size 9');
  t.equal(decodeErrorCode(() => parseBinaryPlist(bplist([[0x51, 0x6b]], 5))), 'plist.bad_trailer', 'top object past the count');
  t.equal(decodeErrorCode(() => parseBinaryPlist(bplist([[0x5f, 0x12, 0x7f, 0xff, 0xff, 0xff]]))), 'plist.truncated', 'string longer than the file');
  t.equal(decodeErrorCode(() => parseBinaryPlist(bplist([[0xaf, 0x12, 0x7f, 0xff, 0xff, 0xff]]))), 'plist.truncated', 'array of 2^31 refs');
  t.equal(decodeErrorCode(() => parseXmlDeep()), 'plist.too_deep', 'deep XML nesting is refused before the recursive parser');

  const exe = entries(join(IOS, 'leaky-ios.ipa')).get('Payload/LeakyApp.app/PlugIns/ShareExt.appex/ShareExt')!;
  const warnings: string[] = [];
  const overrun = Uint8Array.from(exe);
  new DataView(overrun.buffer).setUint32(32 + 4, 0x7ffffff0, true); // first load command's cmdsize
  parseMachoSlice(overrun, (w) => warnings.push(w.code));
  t.ok(warnings.includes('macho.bad_load_command'), 'a load command overrunning the area is a warning');
  const absurd = Uint8Array.from(exe);
  // Second command (__TEXT segment) of a 64-bit file: nsects at +64.
  const firstSize = new DataView(absurd.buffer).getUint32(36, true);
  new DataView(absurd.buffer).setUint32(32 + firstSize + 64, 0xffffffff, true);
  warnings.length = 0;
  const slice = parseMachoSlice(absurd, (w) => warnings.push(w.code));
  t.ok(warnings.includes('macho.bad_section_count'), 'an absurd section count is a warning');
  t.ok(slice.sections.length < 100, 'and only what fits is read');
  const sizeofcmds = Uint8Array.from(exe);
  new DataView(sizeofcmds.buffer).setUint32(20, 0xfffffff0, true);
  warnings.length = 0;
  parseMachoSlice(sizeofcmds, (w) => warnings.push(w.code));
  t.ok(warnings.includes('macho.bad_load_commands'), 'sizeofcmds past the file is a warning');
  const fat = entries(join(IOS, 'fat64.ipa')).get('Payload/Fat64.app/Fat64')!;
  t.equal(decodeErrorCode(() => fatSlices(fat.subarray(0, 20), () => undefined)), 'macho.truncated', 'truncated fat header');
  const lying = Uint8Array.from(fat);
  new DataView(lying.buffer).setUint32(4, 1_000_000, false);
  t.equal(decodeErrorCode(() => fatSlices(lying, () => undefined)), 'macho.bad_fat', 'absurd architecture count');
});

/**
 * A bplist in which each marker of 0x80 and above follows a 0xc2 byte outside any object: for UID and array markers
 * (0x80-0xbf) and offsets below 0x80 the file is valid UTF-8 (0xc2 0xa2 is U+00A2), so a text decode keeps every byte.
 */
function textSafeBplist(objects: number[][], top: number): Uint8Array {
  const body: number[] = [...Buffer.from('bplist00')];
  const offsets: number[] = [];
  for (const o of objects) {
    if (o[0]! >= 0x80) body.push(0xc2);
    offsets.push(body.length);
    body.push(...o);
  }
  const table = body.length;
  body.push(...offsets);
  const tr = Buffer.alloc(32);
  tr[6] = 1;
  tr[7] = 1;
  tr.writeBigUInt64BE(BigInt(objects.length), 8);
  tr.writeBigUInt64BE(BigInt(top), 16);
  tr.writeBigUInt64BE(BigInt(table), 24);
  const out = Uint8Array.from([...body, ...tr]);
  if (Buffer.compare(Buffer.from(new TextDecoder().decode(out)), out) !== 0) throw new Error('not valid UTF-8');
  return out;
}

/** Array k holds object k-1 twice: `depth` objects that expand to 2^(depth+1) - 1 nodes. */
function bplistBomb(depth: number): Uint8Array {
  return textSafeBplist([[0x51, 0x61], ...Array.from({ length: depth }, (_, k) => [0xa2, k, k])], depth);
}

/** DER ContentInfo { id-signedData, [0] SignedData { version 1, digestAlgorithms {}, { id-data, [0] OCTET STRING } } }. */
function cmsSignedData(content: Uint8Array): Uint8Array {
  const len = (n: number) => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
  const tlv = (tag: number, body: number[]) => [tag, ...len(body.length), ...body];
  const oid = (last: number) => [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, last];
  const encap = tlv(0x30, [...oid(1), ...tlv(0xa0, tlv(0x04, [...content]))]);
  return Uint8Array.from(tlv(0x30, [...oid(2), ...tlv(0xa0, tlv(0x30, [...tlv(0x02, [1]), ...tlv(0x31, []), ...encap]))]));
}

/** Distinct arrays and dicts reachable from a parsed value: what the parse holds in memory. */
function distinctContainers(root: PlistValue): number {
  const seen = new Set<object>();
  const stack = [root];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (!Array.isArray(v) && !(v instanceof Map)) continue;
    if (seen.has(v)) continue;
    seen.add(v);
    stack.push(...(Array.isArray(v) ? v : v.values()));
  }
  return seen.size;
}

t.test('a provisioning profile whose content is a binary plist goes through the checked bplist parser', async (t) => {
  const small = profilePlist(cmsSignedData(bplistBomb(10)));
  t.equal(distinctContainers(small), 10, 'shared references stay shared: 10 arrays held, not 2^11 - 1');
  const ctx = collectingContext('embedded.mobileprovision');
  const strings = [...decodeMobileProvision(cmsSignedData(bplistBomb(20)), ctx)];
  t.same(strings.map((s) => s.text), ['a', 'a'], 'a bomb of 2^21 nodes gives its one string at the two paths of the first array read');
  t.same(ctx.warnings.map((w) => w.code), ['plist.shared_container'], 'with one warning');
  t.equal(decodeErrorCode(() => profilePlist(cmsSignedData(textSafeBplist([[0xa1, 0]], 0)))), 'plist.cycle', 'an array holding itself is a cycle');
  const binary = cmsSignedData(bplist([[0xd1, 1, 2], [0x58, ...Buffer.from('TeamName')], [0x52, 0x58, 0x59]]));
  t.match(profileInfo(binary), { teamName: 'XY', profileType: 'app-store' }, 'a well-formed binary profile is read');

  const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>a</key><string>b</string></dict></plist>';
  t.same(plistToJson(parseXmlPlistText(xml)), { a: 'b' }, 'XML still parses');
  t.equal(decodeErrorCode(() => parseXmlPlistText(new TextDecoder().decode(bplistBomb(3)))), 'plist.not_xml', 'bplist text is not handed to the XML parser');
  t.equal(decodeErrorCode(() => parseXmlPlistText('{ a = b; }')), 'plist.not_xml', 'OpenStep dict text is refused');
  t.equal(decodeErrorCode(() => parseXmlPlistText('  ( a, b )')), 'plist.not_xml', 'OpenStep array text is refused');
});

t.test('XML plists are read from the DOM in file order, with every malformed shape refused', async (t) => {
  const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">${body}</plist>`;
  const v = parseXmlPlistText(doc('<dict><key>b</key><string>x<![CDATA[<y>]]></string><key>10</key><integer>-7</integer><key>a</key><true/><key>2</key><data>\n QUJD\n</data><key>__proto__</key><string>p</string><key>r</key><real>2.5</real><key>d</key><date>2026-01-02T03:04:05Z</date><key>l</key><array><string>s</string><null/><false/></array><key>last</key></dict>'));
  t.ok(v instanceof Map, 'a dict is a Map');
  const m = v as Map<string, PlistValue>;
  // plistlib keeps file order too (python3 -c 'import plistlib; print(list(plistlib.loads(...)))' on this text).
  t.same([...m.keys()], ['b', '10', 'a', '2', '__proto__', 'r', 'd', 'l', 'last'], 'keys in file order, integer-like ones too; __proto__ is a key like any other');
  t.same(plistToJson(m), { b: 'x<y>', 10: -7, a: true, 2: { $data: 'QUJD' }, ['__proto__']: 'p', r: 2.5, d: { $date: '2026-01-02T03:04:05.000Z' }, l: ['s', false], last: '' }, 'values: CDATA joined, base64 with whitespace, <null/> dropped from arrays, a last key without value is empty');
  t.same(plistToJson(parseXmlPlistText(doc('<string>one</string>'))), 'one', 'one root value is the value');
  t.same(plistToJson(parseXmlPlistText(doc('<string>a</string><!-- c --><integer>1</integer>'))), ['a', 1], 'several root values are an array');
  t.same(plistToJson(parseXmlPlistText(doc(''))), [], 'an empty plist is an empty array');
  const bad = (body: string) => decodeErrorCode(() => parseXmlPlistText(doc(body)));
  t.equal(bad('<dict><string>v</string></dict>'), 'plist.bad_xml', 'a dict value without its key');
  t.equal(bad('<dict><key>a</key><key>b</key></dict>'), 'plist.bad_xml', 'two keys in a row');
  t.equal(bad('<dict><key>a</key><blob/></dict>'), 'plist.bad_xml', 'an element that is not a plist type');
  t.equal(bad('<integer></integer>'), 'plist.bad_xml', 'an empty integer');
  t.equal(bad('<data>*not base64*</data>'), 'plist.bad_xml', 'data that is not base64');
  t.equal(bad('<dict><key>a</key><string>b</string>'), 'plist.bad_xml', 'XML that does not close');
  t.equal(decodeErrorCode(() => parseXmlPlistText('<plist><array><string>a</string><string>b</string></array></plist>', { maxNodes: 2 })), 'plist.too_many_nodes', 'every value is charged to the node budget');
  t.same(plistToJson(parseXmlPlistText('<plist><array><string>a</string></array></plist>', { maxNodes: 2 })), ['a'], 'within it, read');
});

t.test('bplist UIDs: big-endian, any width, low 64 bits significant, at most 2^32 - 1', async (t) => {
  const uid = (bytes: number[]) => {
    const v = parseBinaryPlist(bplist([[0x80 | (bytes.length - 1), ...bytes]]));
    return v instanceof PlistUid ? v.value : v;
  };
  t.equal(uid([0x2a]), 42);
  t.equal(uid([0x01, 0x02]), 258);
  t.equal(uid([0, 0, 0, 0, 0, 0, 0x01, 0x02]), 258, '8 bytes: the low bytes are the value');
  t.equal(uid([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), 0xffffffff, '16 bytes');
  t.equal(uid([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 5]), 5, 'bytes above the low 64 bits are ignored, as CoreFoundation does');
  t.equal(decodeErrorCode(() => uid([0, 0, 0, 1, 0, 0, 0, 0])), 'plist.bad_uid', '2^32 is refused');
  t.equal(decodeErrorCode(() => uid([1, 0, 0, 0, 0])), 'plist.bad_uid', '5 bytes over 2^32 - 1');
});

/**
 * A 64-bit Mach-O with one __DATA segment: `__cfstring` first, then the given sections, each with its bytes. The
 * cfstring entries are {isa, flags, str, length} with the given flags, target addresses and lengths.
 */
function machoWithCfstrings(sections: { addr: number; bytes: Uint8Array }[], entries: { flags: number; addr: number; length: number }[]): Uint8Array {
  const n = sections.length + 1;
  const cmdsize = 72 + 80 * n;
  const cfAt = 32 + cmdsize;
  let dataAt = cfAt + entries.length * 32;
  const total = dataAt + sections.reduce((a, s) => a + s.bytes.length, 0);
  const b = Buffer.alloc(total);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(0x0100000c, 4); // arm64
  b.writeUInt32LE(2, 12); // MH_EXECUTE
  b.writeUInt32LE(1, 16);
  b.writeUInt32LE(cmdsize, 20);
  b.writeUInt32LE(0x19, 32); // LC_SEGMENT_64
  b.writeUInt32LE(cmdsize, 36);
  b.write('__DATA', 40);
  b.writeUInt32LE(n, 32 + 64);
  const header = (i: number, sectname: string, addr: number, size: number, offset: number) => {
    const p = 32 + 72 + i * 80;
    b.write(sectname, p);
    b.write('__DATA', p + 16);
    b.writeBigUInt64LE(BigInt(addr), p + 32);
    b.writeBigUInt64LE(BigInt(size), p + 40);
    b.writeUInt32LE(offset, p + 48);
  };
  header(0, '__cfstring', 0x10000000, entries.length * 32, cfAt);
  sections.forEach((s, i) => {
    header(i + 1, '__x', s.addr, s.bytes.length, dataAt);
    b.set(s.bytes, dataAt);
    dataAt += s.bytes.length;
  });
  entries.forEach((e, i) => {
    b.writeUInt32LE(e.flags, cfAt + i * 32 + 8);
    b.writeBigUInt64LE(BigInt(e.addr), cfAt + i * 32 + 16);
    b.writeBigUInt64LE(BigInt(e.length), cfAt + i * 32 + 24);
  });
  return Uint8Array.from(b);
}

t.test('__cfstring targets are found among thousands of sections, in any address order, overlaps included', async (t) => {
  const N = 3000;
  let seed = 7;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
  const slot = Array.from({ length: N }, (_, k) => k);
  for (let k = N - 1; k > 0; k--) {
    const j = rnd(k + 1);
    [slot[k], slot[j]] = [slot[j]!, slot[k]!];
  }
  const sections: { addr: number; bytes: Uint8Array }[] = [];
  const entries: { flags: number; addr: number; length: number }[] = [];
  const want: string[] = [];
  for (let k = 0; k < N; k++) {
    const text = `section-${String(k).padStart(5, '0')}`;
    const addr = 0x100000 + slot[k]! * 0x100;
    sections.push({ addr, bytes: Uint8Array.from(Buffer.from(text.padEnd(32, '\0'))) });
    const skip = k % 4;
    entries.push({ flags: 0x7c8, addr: addr + skip, length: text.length - skip });
    want.push(text.slice(skip));
  }
  entries.push({ flags: 0x7c8, addr: 0x100000 + 0x80, length: 4 }); // in the gap after a section: no string
  // Big B (header order first) holds small C: every address of C, and of B past C, belongs to B.
  sections.push({ addr: 0x50000, bytes: Uint8Array.from({ length: 0x100 }, (_, j) => 0x41 + (j % 26)) });
  sections.push({ addr: 0x50010, bytes: Uint8Array.from(Buffer.from('c'.repeat(0x10))) });
  entries.push({ flags: 0x7c8, addr: 0x50010, length: 4 }, { flags: 0x7c8, addr: 0x50030, length: 4 });
  want.push('QRST', 'WXYZ');
  // D (first) starts inside E (second): D's addresses belong to D, the rest of E to E.
  sections.push({ addr: 0x60000, bytes: Uint8Array.from(Buffer.from('d'.repeat(0x10))) });
  sections.push({ addr: 0x5fff8, bytes: Uint8Array.from(Buffer.from('e'.repeat(0x100))) });
  entries.push({ flags: 0x7c8, addr: 0x60004, length: 4 }, { flags: 0x7c8, addr: 0x60010, length: 3 }, { flags: 0x7c8, addr: 0x5fff8, length: 2 });
  want.push('dddd', 'eee', 'ee');
  sections.push({ addr: 0x70000, bytes: Uint8Array.from(Buffer.from('wide ✓\0', 'utf16le')) });
  entries.push({ flags: 0x7d0, addr: 0x70000, length: 6 });
  want.push('wide ✓');
  const got = [...machoStrings(machoWithCfstrings(sections, entries), collectingContext('X'))].filter((s) => s.location.pointer.includes('__cfstring'));
  t.same(got.map((s) => s.text), want, 'every entry resolves to the right section and offset');
  t.equal(got[N]?.location.pointer, `[arm64] __DATA,__cfstring[${N + 1}]`, 'the gap entry is skipped, not misplaced');
});

function parseXmlDeep(): unknown {
  const xml = '<?xml version="1.0"?><plist version="1.0">' + '<array>'.repeat(5000) + '</array>'.repeat(5000) + '</plist>';
  return parsePlist(Buffer.from(xml));
}

t.test('truncation and byte-flip sweep over every iOS sample and every entry in it', async (t) => {
  let scans = 0;
  for (const { file, expected } of SAMPLES) {
    const variants: [string, Uint8Array][] = [];
    const whole = readFileSync(file);
    for (let i = 1; i <= 6; i++) variants.push([expected.file, whole.subarray(0, Math.floor((whole.length * i) / 7))]);
    for (const [name, bytes] of entries(file)) {
      let seed = 0x9e3779b9 ^ bytes.length;
      const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      for (let i = 1; i <= 5; i++) variants.push([name, bytes.subarray(0, Math.floor((bytes.length * i) / 6))]);
      for (let i = 0; i < 5; i++) {
        const copy = Uint8Array.from(bytes);
        for (let k = 0; k < 6; k++) copy[Math.floor(rnd() * Math.min(copy.length, i % 2 ? copy.length : 4096))] ^= 1 + Math.floor(rnd() * 255);
        variants.push([name, copy]);
      }
    }
    for (const [name, v] of variants) {
      let report: Report;
      try {
        report = scanBytesSync(v, name.split('/').pop()!);
      } catch (e) {
        t.fail(`${expected.file} ${name} (${v.length} bytes) threw ${(e as Error).stack}`);
        continue;
      }
      scans++;
      const internal = report.diagnostics.filter((d) => d.code.endsWith('.internal'));
      if (internal.length) t.same(internal.map((d) => `${d.entry}: ${d.message}`), [], `${name} (${v.length} bytes): only decode diagnostics`);
      // A hang is caught by tap's timeout; wall-clock limits here only made the test depend on the machine's load.
    }
  }
  t.ok(scans >= 250, `${scans} hostile variants scanned`);
});
