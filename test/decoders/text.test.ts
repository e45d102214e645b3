/**
 * Text and printable runs: the text decoders (decoders/text.ts, text/: JSON, XML, .env, .properties, INI, YAML, JAR
 * manifests, HTML; js.ts for JavaScript) on the fixtures in test/fixtures/text and on hand-made input, JavaScript code
 * context on the samples/js bundles (acorn goldens), printable runs, sniffing, base64 and hex blobs decoded and
 * rescanned, and a truncation and byte-flip sweep.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodedStrings, encodedBlobs } from '../../decoders/encoded.js';
import { decodeRuns, printableRuns } from '../../decoders/runs.js';
import { sniff } from '../../decoders/sniff.js';
import { decodeText, MAX_STRING_LENGTH, textKind, textStrings } from '../../decoders/text.js';
import { collectingContext, DecodeError, type DecodedString } from '../../decoders/types.js';
import { Detector } from '../../src/detect/engine.js';
import { scanFileSync } from '../../src/pipeline/index.js';
import { decodeAll, hostileSweep } from '../helpers/decode.js';
import { readFixture, ROOT } from '../helpers/files.js';

const FAKE_GOOGLE_KEY = 'AIzaSyA-leakdexFAKEkey_0123456789abcdef';

const textFixture = (name: string) => readFixture('text', name);
const decodeTextFixture = (name: string) => decodeAll(decodeText, textFixture(name), `assets/${name}`);

/** [pointer, text, context] triples, for compact assertions. */
const triples = (out: DecodedString[]) => out.map((s) => [s.location.pointer, s.text, s.context]);
const find = (out: DecodedString[], text: string) => out.find((s) => s.text === text);

t.test('runs: ASCII and UTF-16LE printable runs with pointers', async (t) => {
  const bytes = new Uint8Array([
    0x01, 0x02, // junk
    ...new TextEncoder().encode('hello\tworld'), 0x00, // ASCII run with a tab at 0x2, NUL at 0xd
    ...new TextEncoder().encode('seven77'), 0xff, // 7 chars: below the minimum of 8
    ...[...'wide-str'].flatMap((c) => [c.charCodeAt(0), 0]), 0x00, 0x00, // UTF-16LE at 0x16
  ]);
  const { strings: out } = decodeAll(decodeRuns, bytes, 'assets/blob.bin');
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

t.test('runs: the skipping search finds exactly the maximal runs a byte-by-byte reading finds', async (t) => {
  // Reference: every maximal run of printable bytes (ASCII), or of printable code units at each byte parity
  // (UTF-16LE), of at least minLength, read one byte at a time. The decoder probes ahead and skips; it must agree.
  const printable = (b: number, nl: boolean) => (b >= 0x20 && b <= 0x7e) || b === 0x09 || (nl && (b === 0x0a || b === 0x0d));
  const reference = (b: Uint8Array, min: number, nl: boolean): string[] => {
    const out: string[] = [];
    for (let i = 0; i < b.length; ) {
      let j = i;
      while (j < b.length && printable(b[j]!, nl)) j++;
      if (j - i >= min) out.push(`+0x${i.toString(16)}|${Buffer.from(b.subarray(i, j)).toString('latin1')}`);
      i = j === i ? i + 1 : j;
    }
    for (const parity of [0, 1]) {
      for (let i = parity; i + 1 < b.length; ) {
        let j = i;
        while (j + 1 < b.length && b[j + 1] === 0 && printable(b[j]!, nl)) j += 2;
        if ((j - i) / 2 >= min) out.push(`utf16le+0x${i.toString(16)}|${Buffer.from(b.subarray(i, j)).toString('utf16le')}`);
        i = j === i ? i + 2 : j;
      }
    }
    return out;
  };
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const byte = (shape: number, i: number): number => {
    const r = rnd();
    if (shape === 0) return Math.floor(rnd() * 256); // binary
    if (shape === 1) return r < 0.8 ? 0x41 + Math.floor(rnd() * 26) : r < 0.9 ? 0 : 0x0a; // mostly text
    if (shape === 2) return i % 2 ? (r < 0.9 ? 0 : 1) : 0x41 + Math.floor(rnd() * 30); // mostly UTF-16LE
    return r < 0.5 ? 0x61 : r < 0.75 ? 0 : Math.floor(rnd() * 256);
  };
  const differing: string[] = [];
  let runs = 0;
  for (let c = 0; c < 4000; c++) {
    const bytes = Uint8Array.from({ length: Math.floor(rnd() * 300) }, (_, i) => byte(c % 4, i));
    const min = 1 + Math.floor(rnd() * 10);
    const newlines = rnd() < 0.3;
    const got = [...printableRuns(bytes, collectingContext('x'), { minLength: min, maxLength: 1000, newlines })].map((s) => `${s.location.pointer}|${s.text}`);
    const want = reference(bytes, min, newlines);
    if (JSON.stringify(got) !== JSON.stringify(want)) differing.push(`case ${c}: min ${min}, newlines ${newlines}, bytes ${Buffer.from(bytes).toString('hex')}`);
    runs += want.length;
  }
  t.same(differing.slice(0, 3), [], `inputs where the decoder and the reference differ (${differing.length} of 4000)`);
  t.ok(runs > 10_000, `the inputs hold runs of every kind (${runs})`);
});

t.test('sniff: magic bytes and text', async (t) => {
  const b = (...xs: number[]) => new Uint8Array(xs);
  const enc = (s: string) => new TextEncoder().encode(s);
  t.equal(sniff(b(0x50, 0x4b, 3, 4, 0, 0)), 'zip');
  t.equal(sniff(b(0x50, 0x4b, 0x30, 0x30, 0x50, 0x4b, 3, 4)), 'zip', 'the PK00 marker some tools write first (uploads and downloads accept it too)');
  t.not(sniff(b(0x50, 0x4b, 3, 0, 0, 0)), 'zip', 'all four magic bytes count');
  t.equal(sniff(enc('dex\n035\0rest')), 'dex');
  t.equal(sniff(readFixture('elf', 'libarm64.so')), 'elf');
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
  const { strings: out, warnings } = decodeTextFixture('google-services.json');
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
  const { strings: out, warnings } = decodeTextFixture('strings.xml');
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
  const apiKey = find(plist.strings, FAKE_GOOGLE_KEY);
  t.same([apiKey?.location.pointer, apiKey?.context], ['/plist/dict/string[1]', 'API_KEY'], 'plist value bound to its <key>');
  t.equal(find(plist.strings, '123456789012-fakefakefakefake.apps.googleusercontent.com')?.context, 'CLIENT_ID');
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
  t.same(triples(env.strings), [
    ['line 2', 'https://api.example.com', 'API_BASE_URL'],
    ['line 3', 'sk_test_FAKE4eC39HqLyjWDarjtT1zdp7dc', 'STRIPE_SECRET_KEY'],
    ['line 4', 'https://hooks.example.com/services/T000/B000/XXXX', 'SLACK_WEBHOOK'],
    ['line 5', 'true', 'DEBUG'],
    ['line 6', '-----BEGIN FAKE KEY-----\nZmFrZS1rZXk=\n-----END FAKE KEY-----', 'MULTI_LINE_KEY'],
  ]);
  t.equal(env.strings[0]!.location.decoder, 'env');

  const props = decodeTextFixture('config.properties');
  t.same(triples(props.strings), [
    ['line 3', 'Leakdex Demo', 'app.name'],
    ['line 4', 'xvz1evFS4wEEPTGEFPHBog', 'twitter.consumer.key'],
    ['line 5', 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw', 'twitter.consumer.secret'],
    ['line 6', 'first part second part', 'long.value'],
    ['line 8', 'café', 'unicode.value'],
    ['line 9', 'spaced', 'key with spaces'],
  ]);

  const ini = decodeTextFixture('settings.ini');
  t.same(triples(ini.strings), [
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
    const { strings: out, warnings } = decodeAll(decodeText, bytes, entry);
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
  for (const s of decodeAll(decodeText, bytes, 'META-INF/MANIFEST.MF').strings) detector.feed(s);
  const token = detector.findings().find((f) => f.ruleId === 'github-token');
  t.equal(token?.secret, 'ghp_Zq3xW8vN2mR7tY5uK1pL9sD4fG6hJ0aBcE1x', 'the wrapped token is found whole');
  // A line that is no header is kept whole; an empty manifest yields nothing.
  t.same(triples(decodeAll(decodeText, Buffer.from('not a header line\nKey: v\n'), 'META-INF/MANIFEST.MF').strings), [['line 1', 'not a header line', undefined], ['line 2', 'v', 'Key']]);
  t.same(decodeAll(decodeText, Buffer.from('\r\n\r\n'), 'META-INF/MANIFEST.MF').strings, []);
});

t.test('YAML: dotted paths from indentation, lists, quotes and block scalars', async (t) => {
  const { strings: out, warnings } = decodeTextFixture('settings.yaml');
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
  const { strings: out, warnings } = decodeTextFixture('bundle.min.js');
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

t.test('HTML: attributes and inline scripts', async (t) => {
  const { strings: out, warnings } = decodeTextFixture('index.html');
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
  const expected = triples(decodeTextFixture('config.properties').strings);
  const le = Buffer.from(source, 'utf16le');
  const be = Buffer.from(le).swap16();
  for (const [name, bytes] of [
    ['utf8-bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(source)])],
    ['utf16le', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
    ['utf16be', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
  ] as const) {
    t.same(triples(decodeAll(decodeText, new Uint8Array(bytes), 'config.properties').strings), expected, name);
  }
  t.throws(() => decodeAll(decodeText, new Uint8Array([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00]), 'x.json'), { code: 'text.not_text' });
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

t.test('base64 and hex blobs: the skipping search examines exactly the maximal alphabet runs a regex finds', async (t) => {
  // Reference: every maximal run of the base64/base64url alphabet of 32 or more characters with up to two '=',
  // found by a regex and examined alone; the blobs of a string are theirs, at their offsets, in order (16 at most).
  const runs = /[A-Za-z0-9+/_-]{32,}={0,2}/g;
  const reference = (str: string) =>
    [...str.matchAll(runs)].flatMap((m) => encodedBlobs(m[0]).map((b) => ({ ...b, start: b.start + m.index! }))).slice(0, 16);
  let seed = 11;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-';
  const piece = (): string => {
    const r = rnd();
    const printable = (n: number) => Buffer.from(Array.from({ length: n }, () => 32 + Math.floor(rnd() * 95)));
    if (r < 0.3) return printable(10 + Math.floor(rnd() * 60)).toString('base64');
    if (r < 0.45) return printable(20 + Math.floor(rnd() * 20)).toString('hex');
    if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 50) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    if (r < 0.8) return '='.repeat(Math.floor(rnd() * 4));
    return rnd() < 0.5 ? ` ${String.fromCharCode(Math.floor(rnd() * 0x3000))}` : '\u00e9\u2603\ud83d\ude00 ';
  };
  const differing: string[] = [];
  let blobs = 0;
  for (let c = 0; c < 5000; c++) {
    const str = Array.from({ length: Math.floor(rnd() * 6) }, piece).join(rnd() < 0.5 ? '' : ' ');
    if (JSON.stringify(encodedBlobs(str)) !== JSON.stringify(reference(str))) differing.push(`case ${c}: ${JSON.stringify(str)}`);
    blobs += reference(str).length;
  }
  t.same(differing.slice(0, 3), [], `strings whose blobs differ from the reference's (${differing.length} of 5000)`);
  t.ok(blobs > 1000, `the strings hold blobs, base64 and hex (${blobs})`);
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
  for (const [entry, file] of [['index.android.bundle', 'index.android.bundle'], ['www/js/app.js', 'www/js/app.js']]) {
    const r = hostileSweep(decodeText, readFileSync(join(JS_DIR, file)), entry);
    t.equal(r.bad, 0, `${file}: ${r.inputs} variants end in strings or a DecodeError ${r.first.join('; ')}`);
  }
});
