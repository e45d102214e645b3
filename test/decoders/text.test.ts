import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeElf, elfStrings } from '../../decoders/elf.js';
import { decodeRuns, printableRuns } from '../../decoders/runs.js';
import { sniff } from '../../decoders/sniff.js';
import { decodeText, MAX_STRING_LENGTH, textKind, textStrings } from '../../decoders/text.js';
import { collectingContext, DecodeError, type DecodedString, type Decoder } from '../../decoders/types.js';
import { Detector } from '../../src/detect/engine.js';

const ELF_DIR = join(process.cwd(), 'test/fixtures/elf');
const TEXT_DIR = join(process.cwd(), 'test/fixtures/text');
const ARCHES = ['arm64', 'armv7', 'x86_64', 'arm64be', 'mips32be'];
const FAKE_GOOGLE_KEY = 'AIzaSyA-leakdexFAKEkey_0123456789abcdef';

const elf = (name: string) => new Uint8Array(readFileSync(join(ELF_DIR, name)));
const textFixture = (name: string) => new Uint8Array(readFileSync(join(TEXT_DIR, name)));

function run(decoder: Decoder, bytes: Uint8Array, entry = 'entry') {
  const ctx = collectingContext(entry);
  const out = [...decoder(bytes, ctx)];
  return { out, warnings: ctx.warnings, codes: ctx.warnings.map((w) => w.code) };
}

function decodeTextFixture(name: string) {
  return run(decodeText, textFixture(name), `assets/${name}`);
}

/** [pointer, text, context] triples, for compact assertions. */
const triples = (out: DecodedString[]) => out.map((s) => [s.location.pointer, s.text, s.context]);
const find = (out: DecodedString[], text: string) => out.find((s) => s.text === text);

/** Golden `readelf -p` output recorded by build.sh: section -> [offset, text][]. */
function readelfGolden(arch: string): Map<string, Array<[number, string]>> {
  const golden = new Map<string, Array<[number, string]>>();
  let section = '';
  for (const line of readFileSync(join(ELF_DIR, `lib${arch}.readelf.txt`), 'utf8').split('\n')) {
    if (line.startsWith('== ')) golden.set((section = line.slice(3)), []);
    else if (line.includes('\t')) {
      const [off, text] = line.split('\t') as [string, string];
      golden.get(section)!.push([parseInt(off, 16), text.replace(/\\n/g, '\n')]);
    }
  }
  return golden;
}

function u16(bytes: Uint8Array, at: number, le: boolean, value: number) {
  new DataView(bytes.buffer, bytes.byteOffset).setUint16(at, value, le);
}
function u32(bytes: Uint8Array, at: number, le: boolean, value: number) {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value, le);
}

t.test('ELF: data-section strings match readelf -p on every fixture ABI', async (t) => {
  for (const arch of ARCHES) {
    const { out, warnings } = run(decodeElf, elf(`lib${arch}.so`), `lib/${arch}/libx.so`);
    t.same(warnings, [], `${arch}: no warnings`);
    t.ok(out.every((s) => s.location.decoder === 'elf' && s.location.entry === `lib/${arch}/libx.so`), `${arch}: locations`);
    let compared = 0;
    for (const [section, strings] of readelfGolden(arch)) {
      for (const [offset, text] of strings) {
        if (text.length < 6) continue;
        const hit = out.find((s) => s.location.pointer === `${section}+0x${offset.toString(16)}`);
        t.equal(hit?.text, text, `${arch}: ${section}+0x${offset.toString(16)} as readelf shows it`);
        compared++;
      }
    }
    t.equal(compared, 5, `${arch}: five golden strings of 6+ characters compared`);
    t.equal(find(out, 'AIzaSyFAKEfakeFAKEfake-leakdex_000000000')?.location.pointer, '.rodata+0x0');
    t.equal(find(out, 'sk_test_FAKEmutableDataString0001')?.location.pointer, '.data+0x0', `${arch}: non-const global from .data`);
    t.ok(find(out, '-----BEGIN FAKE KEY-----\nZmFrZS1rZXktZm9yLXRlc3Rz\n-----END FAKE KEY-----'), `${arch}: multi-line string kept whole`);
    t.ok(out.some((s) => s.text.endsWith('wide-utf16-fake-token-1234') && s.location.pointer.startsWith('.rodata:utf16le+0x')), `${arch}: UTF-16 string`);
    t.notOk(out.some((s) => s.text === 'google_api_key' || s.text === 'mutable_secret'), `${arch}: symbol names (.dynstr/.strtab) are skipped`);
    t.notOk(out.some((s) => s.text.includes('clang version')), `${arch}: .comment is skipped`);
  }
});

t.test('ELF: symbols option adds .dynstr/.strtab names', async (t) => {
  const ctx = collectingContext('libx.so');
  const out = [...elfStrings(elf('libarm64.so'), ctx, { symbols: true })];
  t.ok(out.some((s) => s.text === 'google_api_key' && /^\.(dyn)?strtab\+0x|^\.dynstr\+0x/.test(s.location.pointer)));
});

t.test('ELF: stripped section headers fall back to PT_LOAD segments, matching strings(1)', async (t) => {
  for (const arch of ARCHES) {
    const { out, codes } = run(decodeElf, elf(`lib${arch}-stripped.so`));
    t.same(codes, ['elf.no_sections'], `${arch}: warns once`);
    const loads = readFileSync(join(ELF_DIR, `lib${arch}-stripped.loads.txt`), 'utf8').trim().split('\n').map((l) => l.split(' ').map((v) => parseInt(v, 16)) as [number, number]);
    const golden = readFileSync(join(ELF_DIR, `lib${arch}-stripped.strings.txt`), 'utf8').trim().split('\n').map((l) => l.split('\t') as [string, string]);
    let compared = 0;
    for (const [hexOffset, text] of golden) {
      const fileOffset = parseInt(hexOffset, 16);
      const k = loads.findIndex(([off, size]) => fileOffset >= off && fileOffset + text.length <= off + size);
      if (k < 0) continue;
      const rel = fileOffset - loads[k]![0];
      const covered = out.some((s) => {
        const m = /^load\[(\d+)\]\+0x([0-9a-f]+)$/.exec(s.location.pointer);
        if (!m || Number(m[1]) !== k) return false;
        const start = parseInt(m[2]!, 16);
        return start <= rel && s.text.slice(rel - start, rel - start + text.length) === text;
      });
      t.ok(covered, `${arch}: strings(1) ${JSON.stringify(text)} at load[${k}]+0x${rel.toString(16)}`);
      compared++;
    }
    t.ok(compared >= 8, `${arch}: compared ${compared} strings`);
    t.ok(out.some((s) => s.text === 'AIzaSyFAKEfakeFAKEfake-leakdex_000000000'));
  }
});

t.test('ELF: malformed headers', async (t) => {
  const original = elf('libarm64.so');
  const le = true;
  const patched = (patch: (b: Uint8Array) => void) => {
    const b = original.slice();
    patch(b);
    return b;
  };
  const keyFound = (out: DecodedString[]) => out.some((s) => s.text === 'AIzaSyFAKEfakeFAKEfake-leakdex_000000000');

  const pastEnd = run(decodeElf, patched((b) => u32(b, 40, le, b.length + 100)));
  t.same(pastEnd.codes, ['elf.sections_past_end'], 'section table past EOF: warn');
  t.ok(keyFound(pastEnd.out) && pastEnd.out.every((s) => s.location.pointer.startsWith('load[')), 'and read the load segments');

  const absurd = run(decodeElf, patched((b) => u16(b, 60, le, 0xfeff)));
  t.same(absurd.codes, ['elf.sections_past_end'], 'absurd e_shnum: warn');
  t.ok(keyFound(absurd.out));

  // Extended numbering (gABI): e_shnum = 0 and e_shstrndx = SHN_XINDEX defer to section 0's sh_size and sh_link.
  const shoff = new DataView(original.buffer).getUint32(40, true);
  const shnum = new DataView(original.buffer).getUint16(60, true);
  const shstrndx = new DataView(original.buffer).getUint16(62, true);
  const extended = run(
    decodeElf,
    patched((b) => {
      u16(b, 60, le, 0);
      u16(b, 62, le, 0xffff);
      u32(b, shoff + 32, le, shnum);
      u32(b, shoff + 40, le, shstrndx);
    }),
  );
  t.same(triples(extended.out), triples(run(decodeElf, original).out), 'extended section numbering reads like the original');
  t.same(extended.codes, []);

  const hugeExtended = run(decodeElf, patched((b) => (u16(b, 60, le, 0), u32(b, shoff + 32, le, 0xffffffff))));
  t.same(hugeExtended.codes, ['elf.sections_past_end'], 'absurd extended count: warn and fall back');

  const badNames = run(decodeElf, patched((b) => u16(b, 62, le, 0x7777)));
  t.ok(badNames.codes.includes('elf.bad_shstrndx'), 'bad e_shstrndx: warn');
  t.ok(keyFound(badNames.out), 'sections still chosen by flags');

  // Point .data's sh_offset at .rodata: overlapping ranges are scanned once.
  const sections = readelfSections(original);
  const rodata = sections.find((s) => s.name === '.rodata')!;
  const data = sections.find((s) => s.name === '.data')!;
  const overlap = run(decodeElf, patched((b) => u32(b, shoff + data.index * 64 + 24, le, rodata.offset)));
  t.ok(overlap.codes.includes('elf.overlap'));
  t.equal(overlap.out.filter((s) => s.text === 'AIzaSyFAKEfakeFAKEfake-leakdex_000000000').length, 1, 'no string emitted twice');

  const sectionPastEnd = run(decodeElf, patched((b) => u32(b, shoff + rodata.index * 64 + 24, le, b.length)));
  t.ok(sectionPastEnd.codes.includes('elf.section_past_end'), 'a section outside the file: warn and skip it');
  t.ok(sectionPastEnd.out.some((s) => s.text === 'sk_test_FAKEmutableDataString0001'), 'other sections still read');

  t.throws(() => run(decodeElf, new TextEncoder().encode('not an elf file at all')), { code: 'elf.bad_magic' });
  t.throws(() => run(decodeElf, original.subarray(0, 10)), { code: 'elf.truncated' });
  const noSegments = patched((b) => (u32(b, 40, le, 0), u16(b, 56, le, 0)));
  t.throws(() => run(decodeElf, noSegments), { code: 'elf.no_data' }, 'no sections and no segments');
  t.throws(() => run(decodeElf, patched((b) => (b[4] = 7))), { code: 'elf.bad_class' });
});

/** Section index, name and offset of a 64-bit LE fixture, read with fixed offsets (independent of the decoder). */
function readelfSections(b: Uint8Array) {
  const v = new DataView(b.buffer, b.byteOffset);
  const shoff = v.getUint32(40, true);
  const count = v.getUint16(60, true);
  const names = shoff + v.getUint16(62, true) * 64;
  const namesOffset = v.getUint32(names + 24, true);
  const out: Array<{ index: number; name: string; offset: number }> = [];
  for (let i = 0; i < count; i++) {
    const at = shoff + i * 64;
    const nameAt = namesOffset + v.getUint32(at, true);
    const name = new TextDecoder().decode(b.subarray(nameAt, b.indexOf(0, nameAt)));
    out.push({ index: i, name, offset: v.getUint32(at + 24, true) });
  }
  return out;
}

t.test('ELF: truncation and byte-flip sweep ends in a result or a DecodeError', async (t) => {
  let results = 0;
  let errors = 0;
  const check = (bytes: Uint8Array) => {
    try {
      const out = [...decodeElf(bytes, collectingContext('x.so'))];
      if (out.length > bytes.length) throw new Error('more strings than bytes');
      results++;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      errors++;
    }
  };
  for (const name of ['libarm64.so', 'libarmv7.so', 'libmips32be.so', 'libarm64-stripped.so', 'libarmv7-stripped.so']) {
    const original = elf(name);
    for (let n = 0; n <= original.length; n += 7) check(original.subarray(0, n));
    // Every header byte and every 5th byte beyond, flipped two ways.
    for (let i = 0; i < original.length; i += i < 64 ? 1 : 5) {
      for (const flip of [0xff, 0x80]) {
        const b = original.slice();
        b[i] ^= flip;
        check(b);
      }
    }
  }
  t.ok(results > 1000 && errors > 100, `${results} results, ${errors} DecodeErrors`);
});

t.test('runs: ASCII and UTF-16LE printable runs with pointers', async (t) => {
  const bytes = new Uint8Array([
    0x01, 0x02, // junk
    ...new TextEncoder().encode('hello\tworld'), 0x00, // ASCII run with a tab at 0x2, NUL at 0xd
    ...new TextEncoder().encode('seven77'), 0xff, // 7 chars: below the minimum of 8
    ...[...'wide-str'].flatMap((c) => [c.charCodeAt(0), 0]), 0x00, 0x00, // UTF-16LE at 0x16
  ]);
  const { out } = run(decodeRuns, bytes, 'assets/blob.bin');
  t.same(triples(out), [
    ['+0x2', 'hello\tworld', undefined],
    ['utf16le+0x16', 'wide-str', undefined],
  ]);
  t.equal(out[0]!.location.decoder, 'runs');
  t.equal(out[0]!.location.entry, 'assets/blob.bin');

  const ctx = collectingContext('x');
  const prefixed = [...printableRuns(bytes, ctx, { pointerPrefix: 'blob', baseOffset: 0x100, minLength: 4 }, 'custom')];
  t.same(triples(prefixed), [
    ['blob+0x102', 'hello\tworld', undefined],
    ['blob+0x10e', 'seven77', undefined],
    ['blob:utf16le+0x116', 'wide-str', undefined],
  ]);
  t.equal(prefixed[0]!.location.decoder, 'custom');

  const newline = new TextEncoder().encode('line-one\nline-two');
  t.same(
    [...printableRuns(newline, ctx, { newlines: true })].map((s) => s.text),
    ['line-one\nline-two'],
  );
  t.same(
    [...printableRuns(newline, ctx)].map((s) => s.text),
    ['line-one', 'line-two'],
  );
});

t.test('runs: long runs are split, preferring separators', async (t) => {
  const token = 'x'.repeat(40);
  const text = `${'a'.repeat(90)} ${token}`;
  const out = [...printableRuns(new TextEncoder().encode(text), collectingContext('x'), { maxLength: 100, utf16: false })];
  t.same(
    out.map((s) => [s.location.pointer, s.text]),
    [
      ['+0x0', `${'a'.repeat(90)} `],
      ['+0x5b', token],
    ],
    'the token after the space is not cut',
  );
  const solid = [...printableRuns(new TextEncoder().encode('b'.repeat(250)), collectingContext('x'), { maxLength: 100, utf16: false })];
  t.same(solid.map((s) => s.text.length), [100, 100, 50]);
});

t.test('sniff: magic bytes and text', async (t) => {
  const b = (...xs: number[]) => new Uint8Array(xs);
  const enc = (s: string) => new TextEncoder().encode(s);
  t.equal(sniff(b(0x50, 0x4b, 3, 4, 0, 0)), 'zip');
  t.equal(sniff(b(0x50, 0x4b, 0x30, 0x30, 0x50, 0x4b, 3, 4)), 'zip', 'the PK00 marker some tools write first (uploads and downloads accept it too)');
  t.not(sniff(b(0x50, 0x4b, 3, 0, 0, 0)), 'zip', 'all four magic bytes count');
  t.equal(sniff(enc('dex\n035\0rest')), 'dex');
  t.equal(sniff(elf('libarm64.so')), 'elf');
  t.equal(sniff(b(3, 0, 8, 0, 0x10, 0, 0, 0)), 'axml');
  t.equal(sniff(b(2, 0, 0x0c, 0, 0x10, 0, 0, 0)), 'arsc');
  t.equal(sniff(enc('bplist00\xd1')), 'bplist');
  t.equal(sniff(b(0x1f, 0x8b, 8, 0)), 'gzip');
  t.equal(sniff(b(0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1)), 'macho');
  t.equal(sniff(b(0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2)), 'macho', 'fat binary with 2 archs');
  t.equal(sniff(b(0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52)), 'binary', 'Java class file (major 52) is not Mach-O');
  t.equal(sniff(textFixture('google-services.json')), 'text');
  t.equal(sniff(enc('héllo wörld: ünïcode')), 'text');
  t.equal(sniff(b(0xef, 0xbb, 0xbf, ...enc('bom text'))), 'text');
  t.equal(sniff(b(0xff, 0xfe, ...[...'utf16 text'].flatMap((c) => [c.charCodeAt(0), 0]))), 'text');
  t.equal(sniff(b(0xfe, 0xff, ...[...'utf16 text'].flatMap((c) => [0, c.charCodeAt(0)]))), 'text');
  t.equal(sniff(b(...enc('text with a NUL'), 0, ...enc('inside'))), 'binary');
  t.equal(sniff(b(0xc3, 0x28, 0x41, 0x42)), 'binary', 'invalid UTF-8');
  t.equal(sniff(b(...enc('abc'), 0xe2, 0x82)), 'text', 'a multi-byte character cut by the end of the head');
  t.equal(sniff(b(1, 2, 3, 4, 5, 6, 7, 8, 9)), 'binary', 'control characters');
  t.equal(sniff(new Uint8Array(0)), 'binary');
});

t.test('textKind: content first, extension as a hint', async (t) => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const expected: Record<string, string> = {
    'google-services.json': 'json',
    'app.env': 'env',
    'config.properties': 'properties',
    'settings.yaml': 'yaml',
    'settings.ini': 'ini',
    'strings.xml': 'xml',
    'Info.plist': 'xml',
    'index.html': 'html',
    'bundle.min.js': 'js',
  };
  for (const [name, kind] of Object.entries(expected)) t.equal(textKind(`assets/${name}`, textFixture(name)), kind, name);
  t.equal(textKind('assets/data.txt', enc('  {"a": 1}')), 'json', 'JSON content under .txt');
  t.equal(textKind('assets/config', enc('[main]\nkey=value\n')), 'ini');
  t.equal(textKind('assets/data.json', enc('[1, 2, 3]')), 'json');
  t.equal(textKind('assets/page', enc('<!DOCTYPE html><html></html>')), 'html');
  t.equal(textKind('assets/noext', enc('export API_KEY=abc\nOTHER=1\n')), 'env');
  t.equal(textKind('assets/noext', enc('a.b=1\nc.d=2\n')), 'properties');
  t.equal(textKind('assets/noext', enc('root:\n  child: value\n')), 'yaml');
  t.equal(textKind('assets/noext', enc('var a = 1;\nfunction f() { return 2; }\n')), 'js');
  t.equal(textKind('assets/noext', enc('just some words\nand more words\n')), 'plain');
  t.equal(textKind('assets/.env.production', enc('KEY=1')), 'env');
  t.equal(textKind('assets/index.android.bundle', enc('var __BUNDLE_START_TIME__=1')), 'js');
  t.equal(textKind('assets/x.json', new Uint8Array([0, 1, 2, 3, 0xff])), undefined, 'binary is not text');
});

t.test('JSON: google-services.json values with keys and JSON paths', async (t) => {
  const { out, warnings } = decodeTextFixture('google-services.json');
  t.same(warnings, []);
  t.ok(out.every((s) => s.location.decoder === 'json' && s.location.entry === 'assets/google-services.json'));
  t.same(triples(out), [
    ['$.project_info.project_number', '123456789012', 'project_number'],
    ['$.project_info.project_id', 'leakdex-fake', 'project_id'],
    ['$.project_info.storage_bucket', 'leakdex-fake.appspot.com', 'storage_bucket'],
    ['$.client[0].client_info.mobilesdk_app_id', '1:123456789012:android:0123456789abcdef', 'mobilesdk_app_id'],
    ['$.client[0].client_info.android_client_info.package_name', 'com.example.leakdex', 'package_name'],
    ['$.client[0].oauth_client[0].client_id', '123456789012-fakefakefakefake.apps.googleusercontent.com', 'client_id'],
    ['$.client[0].api_key[0].current_key', FAKE_GOOGLE_KEY, 'current_key'],
    ['$.numbers.long_id', '123456789012345', 'long_id'],
    ["$['weird key']['it\\'s']", 'quoted-path-value', "it's"],
    ['$.configuration_version', '1', 'configuration_version'],
  ]);
});

t.test('JSON: array elements take the nearest key; malformed and hostile input', async (t) => {
  const ctx = collectingContext('a.json');
  t.same(triples([...textStrings('{"keys": ["k1", {"inner": ["k2"]}]}', ctx, 'json')]), [
    ['$.keys[0]', 'k1', 'keys'],
    ['$.keys[1].inner[0]', 'k2', 'inner'],
  ]);

  const truncated = new TextDecoder().decode(textFixture('google-services.json')).slice(0, 700);
  const broken = collectingContext('assets/google-services.json');
  const out = [...textStrings(truncated, broken, 'json')];
  t.same(broken.warnings.map((w) => w.code), ['json.invalid'], 'truncated JSON: warn');
  t.notOk(broken.warnings[0]!.message.includes('AIza'), 'the warning quotes no input');
  const key = find(out, FAKE_GOOGLE_KEY);
  t.equal(key?.context, 'current_key', 'literal fallback still binds the key');
  t.equal(key?.location.decoder, 'js');
  t.match(key?.location.pointer, /^line \d+ col \d+: put api_key\.current_key$/, 'with its use, as in JS');

  const deepCtx = collectingContext('deep.json');
  const deep = '['.repeat(5000) + '"bottom"' + ']'.repeat(5000);
  t.same([...textStrings(deep, deepCtx, 'json')], []);
  t.same(deepCtx.warnings.map((w) => w.code), ['json.too_deep']);

  const long = 'z'.repeat(MAX_STRING_LENGTH + 10);
  const pieces = [...textStrings(JSON.stringify({ blob: long }), collectingContext('x'), 'json')];
  t.same(
    pieces.map((s) => [s.location.pointer, s.text.length, s.context]),
    [
      ['$.blob', MAX_STRING_LENGTH, 'blob'],
      [`$.blob [${MAX_STRING_LENGTH}:]`, 10, 'blob'],
    ],
    'long values are split',
  );
});

t.test('XML: Android resources and plist with XPath pointers', async (t) => {
  const { out, warnings } = decodeTextFixture('strings.xml');
  t.same(warnings, []);
  const values = out.filter((s) => !s.location.pointer.includes('/@'));
  t.same(triples(values), [
    ["/resources/string[@name='app_name']", 'Leakdex Demo', 'app_name'],
    ["/resources/string[@name='google_api_key']", FAKE_GOOGLE_KEY, 'google_api_key'],
    ["/resources/string[@name='facebook_client_token']", 'fakefacebookclienttoken0000000000', 'facebook_client_token'],
    ['/resources/item', 'apostrophe-name', "it's"],
    ["/resources/integer-array[@name='ids']/item[1]", '1', 'ids'],
    ["/resources/integer-array[@name='ids']/item[2]", '22', 'ids'],
  ]);
  const meta = find(out, 'meta-fake-value-1234');
  t.same([meta?.location.pointer, meta?.context], ["/resources/meta-data[@android:name='com.example.API_KEY']/@android:value", 'com.example.API_KEY']);
  t.equal(find(out, 'false')?.context, 'translatable');
  t.notOk(out.some((s) => s.text.startsWith('http://schemas.android.com')), 'namespace declarations are not values');

  const plist = decodeTextFixture('Info.plist');
  const apiKey = find(plist.out, FAKE_GOOGLE_KEY);
  t.same([apiKey?.location.pointer, apiKey?.context], ['/plist/dict/string[1]', 'API_KEY'], 'plist value bound to its <key>');
  t.equal(find(plist.out, '123456789012-fakefakefakefake.apps.googleusercontent.com')?.context, 'CLIENT_ID');
});

t.test('XML: broken, hostile and deep documents', async (t) => {
  const broken = collectingContext('res/values/strings.xml');
  const out = [...textStrings('<resources><string name="google_api_key">AIzaBrokenButReadable</string><string name="b">unclosed', broken, 'xml')];
  t.same(broken.warnings.map((w) => w.code), ['xml.invalid']);
  const hit = find(out, 'AIzaBrokenButReadable');
  t.same([hit?.context, hit?.location.pointer, hit?.location.decoder], ['google_api_key', 'line 1 col 42', 'xml'], 'markup fallback keeps the name');

  const entity = (n: number) => `&lol${n - 1};`.repeat(10);
  let dtd = '<!ENTITY lol0 "lol">';
  for (let n = 1; n < 9; n++) dtd += `<!ENTITY lol${n} "${entity(n)}">`;
  const laughs = collectingContext('lol.xml');
  const lolOut = [...textStrings(`<?xml version="1.0"?><!DOCTYPE l [${dtd}]><l>&lol8;</l>`, laughs, 'xml')];
  t.ok(lolOut.every((s) => s.text.length < 100), 'internal entities are not expanded');
  const external = [...textStrings('<!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]><f>&x;</f>', collectingContext('x.xml'), 'xml')];
  t.notOk(external.some((s) => s.text.includes('root:')), 'external entities are not fetched');

  const deep = collectingContext('deep.xml');
  const deepOut = [...textStrings('<a>'.repeat(2000) + 'bottom-value' + '</a>'.repeat(2000), deep, 'xml')];
  t.same(deep.warnings.map((w) => w.code), ['xml.too_deep']);
  t.ok(find(deepOut, 'bottom-value'), 'deep XML still scanned by the markup tokenizer');
});

t.test('.env, .properties and INI: key/value lines', async (t) => {
  const env = decodeTextFixture('app.env');
  t.same(env.warnings, []);
  t.same(triples(env.out), [
    ['line 2', 'https://api.example.com', 'API_BASE_URL'],
    ['line 3', 'sk_test_FAKE4eC39HqLyjWDarjtT1zdp7dc', 'STRIPE_SECRET_KEY'],
    ['line 4', 'https://hooks.example.com/services/T000/B000/XXXX', 'SLACK_WEBHOOK'],
    ['line 5', 'true', 'DEBUG'],
    ['line 6', '-----BEGIN FAKE KEY-----\nZmFrZS1rZXk=\n-----END FAKE KEY-----', 'MULTI_LINE_KEY'],
  ]);
  t.equal(env.out[0]!.location.decoder, 'env');

  const props = decodeTextFixture('config.properties');
  t.same(triples(props.out), [
    ['line 3', 'Leakdex Demo', 'app.name'],
    ['line 4', 'xvz1evFS4wEEPTGEFPHBog', 'twitter.consumer.key'],
    ['line 5', 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw', 'twitter.consumer.secret'],
    ['line 6', 'first part second part', 'long.value'],
    ['line 8', 'café', 'unicode.value'],
    ['line 9', 'spaced', 'key with spaces'],
  ]);

  const ini = decodeTextFixture('settings.ini');
  t.same(triples(ini.out), [
    ['line 2', 'top-level-value', 'global_key'],
    ['line 4', 'leakdex', 'database.user'],
    ['line 5', 'db-FAKE-password-123', 'database.password'],
    ['line 7', 'AKIAFAKEFAKEFAKE0000', 'aws.aws_access_key_id'],
    ['line 8', 'fakeSecretAccessKey0000000000000000000000', 'aws.aws_secret_access_key'],
  ]);
});

t.test('.env multi-line quoted values and .properties continuations: escapes across line ends', async (t) => {
  // Line 1 ends in an escaped quote (no close), line 2 in an escaped backslash, line 3 in a backslash that escapes the
  // line break, so the quote opening line 4 closes the value; C closes after an escaped backslash. Text after the
  // closing quote is dropped.
  const env = collectingContext('.env');
  t.same(triples([...textStrings('A="first \\"\nsecond \\\\\nthird\\\n" tail\nB=after\nC="x\ny\\\\" z\n', env, 'env')]), [
    ['line 1', 'first "\nsecond \\\nthird\\\n', 'A'],
    ['line 5', 'after', 'B'],
    ['line 6', 'x\ny\\', 'C'],
  ]);
  t.same(env.warnings, []);

  // An odd run of trailing backslashes continues the line, an even run (escaped backslashes) does not; a continuation
  // line made only of backslashes counts its own run.
  const props = collectingContext('a.properties');
  const source = ['a.key = one \\', '   two \\\\\\', '   three\\\\', 'next=value', 'c = x\\\\\\\\\\', '  y', 'd=p\\', '  \\\\\\', 'q', 'e=r\\', '\\\\', 'f=s'].join('\n');
  t.same(triples([...textStrings(source, props, 'properties')]), [
    ['line 1', 'one two \\three\\', 'a.key'],
    ['line 4', 'value', 'next'],
    ['line 5', 'x\\\\y', 'c'],
    ['line 7', 'p\\q', 'd'],
    ['line 10', 'r\\', 'e'],
    ['line 12', 's', 'f'],
  ]);
  t.same(props.warnings, []);
});

t.test('.env and .properties: a value spanning many wide lines is read whole', async (t) => {
  // 2,000 lines of 1,000 characters each (2 MB): joining and re-scanning the whole value per line took tens of seconds.
  const row = 'x'.repeat(1000);
  const env = collectingContext('.env');
  const envOut = [...textStrings('A="' + ('\n' + row).repeat(2000) + '\nB=after\n', env, 'env')];
  const envValue = ('\n' + row).repeat(2000) + '\nB=after\n';
  t.equal(envOut.length, Math.ceil(envValue.length / MAX_STRING_LENGTH), 'the unclosed value runs to the end, split into pieces');
  t.ok(envOut.every((s) => s.context === 'A' && s.location.pointer.startsWith('line 1')));
  t.ok(envOut.map((s) => s.text).join('') === envValue, 'the unclosed value is every following line');
  t.same(env.warnings, []);

  const props = collectingContext('a.properties');
  const propsOut = [...textStrings('a=' + (row + '\\\n').repeat(2000) + 'end\nb=after\n', props, 'properties')];
  const propsValue = row.repeat(2000) + 'end';
  t.equal(propsOut.length, Math.ceil(propsValue.length / MAX_STRING_LENGTH) + 1);
  t.ok(propsOut.slice(0, -1).map((s) => s.text).join('') === propsValue, 'the continued value is joined whole');
  t.same(triples(propsOut.slice(-1)), [['line 2002', 'after', 'b']]);
  t.same(props.warnings, []);
});

t.test('JAR manifest: continuation lines joined, header names as context', async (t) => {
  // Made by the JDK's `jar cfm` (17.0.15) from a manifest whose token header is longer than 72 bytes: jar wraps it.
  const bytes = textFixture('MANIFEST.MF');
  t.match(Buffer.from(bytes).toString('latin1'), /\r\n cE1x\r\n/, 'the fixture really has the token wrapped onto a continuation line');
  for (const entry of ['META-INF/MANIFEST.MF', 'assets/plugin.jar!/META-INF/MANIFEST.MF', 'META-INF/CERT.SF']) {
    const { out, warnings } = run(decodeText, bytes, entry);
    t.same(warnings, []);
    t.same(triples(out), [
      ['line 1', '1.0', 'Manifest-Version'],
      ['line 2', 'ghp_Zq3xW8vN2mR7tY5uK1pL9sD4fG6hJ0aBcE1x', 'Leakdex-Sample-Deploy-GitHub-Token'],
      ['line 4', 'leakdex manifest fixture', 'Implementation-Title'],
      ['line 5', '17.0.15 (Debian)', 'Created-By'],
      ['line 7', 'com/leakdex/fixture/a/very/long/package/name/that/wraps/past/seventy/two/bytes/Config.class', 'Name'],
      ['line 9', 'plain value', 'X-Note'],
    ], entry);
    t.equal(out[0]!.location.decoder, 'manifest');
  }
  const detector = new Detector();
  for (const s of run(decodeText, bytes, 'META-INF/MANIFEST.MF').out) detector.feed(s);
  const token = detector.findings().find((f) => f.ruleId === 'github-token');
  t.equal(token?.secret, 'ghp_Zq3xW8vN2mR7tY5uK1pL9sD4fG6hJ0aBcE1x', 'the wrapped token is found whole');
  // A line that is no header is kept whole; an empty manifest yields nothing.
  t.same(triples(run(decodeText, Buffer.from('not a header line\nKey: v\n'), 'META-INF/MANIFEST.MF').out), [['line 1', 'not a header line', undefined], ['line 2', 'v', 'Key']]);
  t.same(run(decodeText, Buffer.from('\r\n\r\n'), 'META-INF/MANIFEST.MF').out, []);
});

t.test('YAML: dotted paths from indentation, lists, quotes and block scalars', async (t) => {
  const { out, warnings } = decodeTextFixture('settings.yaml');
  t.same(warnings, []);
  t.same(triples(out), [
    ['line 4', 'example.com', 'server.host'],
    ['line 5', '8080', 'server.port'],
    ['line 7', 'sk_live_FAKEyamlKey0000000000', 'server.auth.api_key'],
    ['line 8', "single 'quoted' token", 'server.auth.token'],
    ['line 10', 'alpha', 'servers.name'],
    ['line 11', 'alpha-secret-value', 'servers.secret'],
    ['line 12', 'plain-list-item', 'servers'],
    ['line 13', '-----BEGIN FAKE CERT-----\nZmFrZQ==\n-----END FAKE CERT-----', 'certificate'],
    ['line 17', 'done', 'after_block'],
    ['line 18', 'anchored-value', 'anchored'],
  ]);
});

t.test('JS: minified bundle literals with their keys', async (t) => {
  const { out, warnings } = decodeTextFixture('bundle.min.js');
  t.same(warnings, []);
  t.same(triples(out), [
    ['line 1 col 86: put o.apiKey', FAKE_GOOGLE_KEY, 'apiKey'],
    ['line 1 col 139: put o.authDomain', 'leakdex-fake.firebaseapp.com', 'authDomain'],
    ['line 1 col 176: put o.appId', '1:123456789012:web:0123456789abcdef', 'appId'],
    ['line 1 col 245', 'https://api.example.com/', 's'],
    ['line 1 col 280', '/v1', 's'],
    ['line 1 col 303: put window.STRIPE_KEY', 'pk_test_FAKEminifiedBundle0000', 'STRIPE_KEY'],
    ['line 1 col 347: arg 0 of n.setToken', 'tok_FAKE_called_with_arg', 'setToken'],
    ['line 1 col 382', 'quoted-key', undefined],
    ['line 1 col 395: put c.quoted-key', 'quoted-value', 'quoted-key'],
  ]);
});

t.test('JS: tokenizer details', async (t) => {
  const scan = (src: string) => triples([...textStrings(src, collectingContext('x.ts'), 'js')]);
  t.same(scan('const TWITTER_SECRET = "abc\\x41\\u0042\\u{43}"; // "not this"\n/* "nor this" */ x = \'y\''), [
    ['line 1 col 24', 'abcABC', 'TWITTER_SECRET'],
    ['line 2 col 22', 'y', 'x'],
  ]);
  t.same(scan('let k: string = "typed"; a = c ? "p" : "q"; o["member"] = "v";'), [
    ['line 1 col 17', 'typed', 'k'],
    ['line 1 col 34', 'p', 'a'],
    ['line 1 col 40', 'q', 'a'],
    ['line 1 col 47', 'member', undefined],
    ['line 1 col 59: put o.member', 'v', 'member'],
  ]);
  t.same(scan('r = /["\']+/g; s = a / b / "c"; if (x) return /\'/.test(y)'), [['line 1 col 27', 'c', 's']], 'regex literals are skipped, divisions are not');
  t.same(scan('u = `a${`nested ${"deep"}`}b`'), [
    ['line 1 col 6', 'a', 'u'],
    ['line 1 col 10', 'nested ', 'u'],
    ['line 1 col 19', 'deep', 'u'],
    ['line 1 col 28', 'b', 'u'],
  ]);
  t.same(scan('"key" = "value";'), [['line 1 col 1', 'key', undefined], ['line 1 col 9', 'value', 'key']], 'iOS .strings syntax');
  t.same(scan('f("unterminated\ng = "next"'), [['line 1 col 3: arg 0 of f', 'unterminated', undefined], ['line 2 col 5', 'next', 'g']], 'an unterminated literal is not known to be the only argument');
});

t.test('HTML: attributes and inline scripts', async (t) => {
  const { out, warnings } = decodeTextFixture('index.html');
  t.same(warnings, []);
  t.same(triples(out), [
    ['line 4 col 15', 'google-site-verification', 'name'],
    ['line 4 col 50', 'fake-site-verification-token', 'google-site-verification'],
    ['line 6 col 16', `https://maps.example.com/api/js?key=${FAKE_GOOGLE_KEY}`, 'src'],
    ['line 10 col 36: put firebaseConfig.apiKey', FAKE_GOOGLE_KEY, 'apiKey'],
    ['line 10 col 90: put firebaseConfig.projectId', 'leakdex-fake', 'projectId'],
    ['line 11 col 26', 'pk.fakeMapboxToken0000', 'MAPBOX_TOKEN'],
    ['line 14 col 20', 'attr-secret-value', 'data-secret'],
  ]);
  t.ok(out.every((s) => s.location.decoder === 'html'));
});

t.test('text encodings: UTF-8 BOM, UTF-16LE/BE with BOM', async (t) => {
  const source = new TextDecoder().decode(textFixture('config.properties'));
  const expected = triples(decodeTextFixture('config.properties').out);
  const le = Buffer.from(source, 'utf16le');
  const be = Buffer.from(le).swap16();
  for (const [name, bytes] of [
    ['utf8-bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(source)])],
    ['utf16le', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
    ['utf16be', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
  ] as const) {
    t.same(triples(run(decodeText, new Uint8Array(bytes), 'config.properties').out), expected, name);
  }
  t.throws(() => run(decodeText, new Uint8Array([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00]), 'x.json'), { code: 'text.not_text' });
});

t.test('plain text: key/value lines keep their key, other lines are emitted whole', async (t) => {
  const out = [...textStrings('notes about the app\nAPI_TOKEN=plain-token-value\n\n  indented line  ', collectingContext('notes.txt'), 'plain')];
  t.same(triples(out), [
    ['line 1', 'notes about the app', undefined],
    ['line 2', 'plain-token-value', 'API_TOKEN'],
    ['line 4', 'indented line', undefined],
  ]);
  t.equal(out[0]!.location.decoder, 'text');
});

t.test('XML fallback tokenizer: text takes the enclosing element name after siblings close', async (t) => {
  const ctx = collectingContext('broken.xml');
  const out = [...textStrings('<r><string name="first">one</string><plain>two</plain><string name="x">unclosed', ctx, 'xml')];
  t.same(ctx.warnings.map((w) => w.code), ['xml.invalid']);
  t.same(
    out.filter((s) => s.context !== 'name').map((s) => [s.text, s.context]),
    [
      ['one', 'first'],
      ['two', 'plain'],
      ['unclosed', 'x'],
    ],
  );
});

t.test('text: truncation and byte-flip sweep ends in a result or a DecodeError', async (t) => {
  let results = 0;
  const names = ['google-services.json', 'strings.xml', 'Info.plist', 'index.html', 'bundle.min.js', 'settings.yaml', 'app.env', 'config.properties', 'settings.ini'];
  for (const name of names) {
    const original = textFixture(name);
    const variants: Uint8Array[] = [];
    for (let n = 0; n <= original.length; n += 3) variants.push(original.subarray(0, n));
    for (let i = 0; i < original.length; i += 2) {
      for (const value of [0x22, 0x27, 0x3c, 0x5c, 0x60, 0x0a, 0x7b, 0x7d, 0x00]) {
        const b = original.slice();
        b[i] = value;
        variants.push(b);
      }
    }
    for (const bytes of variants) {
      try {
        for (const s of decodeText(bytes, collectingContext(`assets/${name}`))) if (typeof s.text !== 'string' || s.text === '') throw new Error('empty string emitted');
        results++;
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
    }
  }
  t.ok(results > 10000, `${results} results`);
});
