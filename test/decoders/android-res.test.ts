/**
 * Android resources and manifests: resources.arsc, binary XML and their string pools (decoders/arsc.ts, axml.ts,
 * manifest.ts, stringpool.ts) against aapt and aapt2 dumps of the fixtures in test/fixtures/res (every encoding and
 * table layout) and hand-made quirks; their protobuf forms in an AAB (aapt-pb.ts, protobuf.ts); a truncation and
 * byte-flip sweep over both.
 */
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { ResourceTable, ResType, decodeArsc, formatTypedValue, isFileResourceType } from '../../decoders/arsc.js';
import { ZipArchive, bufferSource } from '../../decoders/zip.js';
import { ANDROID_NS, decodeAxml, parseAxml, type AxmlElement } from '../../decoders/axml.js';
import { manifestInfo } from '../../decoders/manifest.js';
import { StringPool } from '../../decoders/stringpool.js';
import { Reader } from '../../decoders/reader.js';
import { AaptResourceTable, aaptManifestInfo, decodeAaptTable, decodeAaptXml, parseAaptXml } from '../../decoders/aapt-pb.js';
import { ProtoReader } from '../../decoders/protobuf.js';
import { DecodeError, collectingContext, type DecodeWarning } from '../../decoders/types.js';
import { scanBytesSync } from '../../src/pipeline/index.js';
import { decodeAll, hostileSweep } from '../helpers/decode.js';
import { readFixture, ROOT, zipEntries } from '../helpers/files.js';

const dir = join(ROOT, 'test/fixtures/res');
const read = (name: string) => readFixture('res', name);
/** The entries of the AAB sample (samples/bundles, built with bundletool): protobuf manifest and resources. */
const AAB = zipEntries(join(ROOT, 'samples/bundles/bundle-app.aab'));
const text = (name: string) => readFileSync(join(dir, name), 'utf8');
const VARIANTS = ['aapt1-utf16', 'aapt1-utf8', 'aapt2-dense', 'aapt2-sparse', 'aapt2-compact'];

// ---------------------------------------------------------------- golden dump parsers
interface GoldenValue { id: number; key: string; config: string; text?: string; items?: string[]; typed?: { type: number; data: number }; unordered?: boolean; dimension?: number }

const unquote = (s: string) => JSON.parse(s) as string;

/** `aapt dump --values resources` (aapt1). */
function parseAapt1Values(dump: string): GoldenValue[] {
  const out: GoldenValue[] = [];
  let config = '';
  let cur: GoldenValue | undefined;
  for (const line of dump.split('\n')) {
    let m = /^\s+config (.+):$/.exec(line);
    if (m) { config = m[1] === '(default)' ? '' : m[1]!; continue; }
    m = /^\s+resource (0x[0-9a-f]{8}) [^:]+:([\w-]+\/\S+): (?:<bag>|t=0x([0-9a-f]+) d=0x([0-9a-f]+))/.exec(line);
    if (m) {
      cur = { id: parseInt(m[1]!, 16), key: m[2]!, config };
      if (m[3] !== undefined) cur.typed = { type: parseInt(m[3], 16), data: parseInt(m[4]!, 16) };
      else cur.items = [];
      out.push(cur);
      continue;
    }
    m = /^\s+\((?:string8|string16)\) (".*")$/.exec(line);
    if (m && cur && !cur.items) { cur.text = unquote(m[1]!); continue; }
    m = /^\s+#\d+ \(Key=0x[0-9a-f]+\): \((?:string8|string16)\) (".*")$/.exec(line);
    if (m && cur?.items) cur.items.push(unquote(m[1]!));
  }
  return out;
}

/** `aapt2 dump resources`. */
function parseAapt2Values(dump: string): GoldenValue[] {
  const out: GoldenValue[] = [];
  const lines = dump.split('\n');
  let id = 0;
  let key = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m = /^\s+resource (0x[0-9a-f]{8}) ([\w-]+\/\S+)/.exec(line);
    if (m) { id = parseInt(m[1]!, 16); key = m[2]!; continue; }
    m = /^ {6}\((.*?)\) (.*)$/.exec(line);
    if (!m) continue;
    const v: GoldenValue = { id, key, config: m[1]! };
    const rest = m[2]!;
    if (rest.startsWith('"')) v.text = unquote(rest);
    else if (rest.startsWith('(array)')) v.items = JSON.parse(lines[++i]!.trim()) as string[];
    else if (rest.startsWith('(plurals)')) {
      v.items = [];
      v.unordered = true;
      while (i + 1 < lines.length && /^\s+\w+=".*"$/.test(lines[i + 1]!)) v.items.push(unquote(lines[++i]!.trim().replace(/^\w+=/, '')));
    } else if (rest.startsWith('(file) ')) v.text = rest.slice(7).replace(/ type=\w+$/, '');
    else if (/^-?[\d.]+dp$/.test(rest)) v.dimension = parseFloat(rest);
    else v.text = rest;
    out.push(v);
  }
  return out;
}

interface GoldenElement { name: string; line: number; attrs: { name: string; resId?: number; value: string }[] }

/** `aapt dump xmltree` / `aapt2 dump xmltree`: elements in document order. */
function parseXmltree(dump: string): GoldenElement[] {
  const out: GoldenElement[] = [];
  for (const line of dump.split('\n')) {
    let m = /^\s*E: (\S+) \(line=(\d+)\)$/.exec(line);
    if (m) { out.push({ name: m[1]!, line: Number(m[2]), attrs: [] }); continue; }
    m = /^\s*A: (.*?)(?:\((0x[0-9a-f]{8})\))?=(.*)$/.exec(line);
    if (m && out.length) {
      const a: GoldenElement['attrs'][number] = { name: m[1]!.slice(m[1]!.lastIndexOf(':') + 1), value: m[3]! };
      if (m[2]) a.resId = parseInt(m[2], 16);
      out[out.length - 1]!.attrs.push(a);
    }
  }
  return out;
}

function preorder(root: AxmlElement): AxmlElement[] {
  const out: AxmlElement[] = [];
  const walk = (e: AxmlElement) => { out.push(e); e.children.forEach(walk); };
  walk(root);
  return out;
}

// ---------------------------------------------------------------- golden comparisons
for (const variant of VARIANTS) {
  t.test(`${variant}: resources.arsc matches the aapt dump`, async (t) => {
    const warnings: DecodeWarning[] = [];
    const table = ResourceTable.parse(read(`${variant}.arsc`), (w) => warnings.push(w));
    t.same(warnings, [], 'a clean table gives no warning');
    t.same(table.packages, [{ id: 0x7f, name: 'dev.leakdex.fixture.res' }]);
    const golden = variant.startsWith('aapt1') ? parseAapt1Values(text(`${variant}.values.txt`)) : parseAapt2Values(text(`${variant}.values.txt`));
    t.ok(golden.length >= 25, `golden dump lists ${golden.length} values`);
    const ours = new Map<string, unknown>();
    for (const e of table.entries()) ours.set(`${e.id}|${e.config}`, e.value);
    t.equal(ours.size, golden.length, 'same number of (id, config) values');
    for (const g of golden) {
      const mine = ours.get(`${g.id}|${g.config}`);
      const what = `${g.key} [${g.config}]`;
      t.equal(table.name(g.id), g.key, `name of 0x${g.id.toString(16)}`);
      if (g.items) {
        const items = mine as string[];
        t.same(g.unordered ? [...items].sort() : items, g.unordered ? [...g.items].sort() : g.items, what);
      } else if (g.text !== undefined) t.equal(mine, g.text, what);
      else if (g.typed) t.equal(mine, formatTypedValue(g.typed, undefined, (id) => table.name(id)), what);
      else if (g.dimension !== undefined) t.equal(mine, `${g.dimension.toFixed(1)}dip`, what);
    }
  });

  t.test(`${variant}: AndroidManifest.xml matches the xmltree dump`, async (t) => {
    const warnings: DecodeWarning[] = [];
    const ours = preorder(parseAxml(read(`${variant}.manifest.axml`), (w) => warnings.push(w)));
    t.same(warnings, []);
    const golden = parseXmltree(text(`${variant}.manifest.txt`));
    t.same(ours.map((e) => `${e.name}@${e.line}`), golden.map((e) => `${e.name}@${e.line}`), 'elements and lines');
    for (let i = 0; i < golden.length; i++) {
      const g = golden[i]!;
      const el = ours[i]!;
      t.equal(el.attributes.length, g.attrs.length, `${g.name} attribute count`);
      g.attrs.forEach((ga, k) => {
        const a = el.attributes[k]!;
        const what = `${g.name}@${ga.name}`;
        t.equal(a.name, ga.name, what);
        t.equal(a.resId, ga.resId, `${what} resource id`);
        let m: RegExpExecArray | null;
        if ((m = /^(".*?")(?: \(Raw: (".*")\))?$/.exec(ga.value))) {
          t.equal(a.value, unquote(m[1]!), what);
          if (m[2]) t.equal(a.rawValue, unquote(m[2]), `${what} raw`);
        } else if ((m = /^\(type 0x([0-9a-f]+)\)0x([0-9a-f]+)(?: \(Raw: (".*")\))?$/.exec(ga.value))) {
          t.same(a.typed, { type: parseInt(m[1]!, 16), data: parseInt(m[2]!, 16) }, what);
        } else if ((m = /^@0x([0-9a-f]{8})$/.exec(ga.value))) {
          t.same(a.typed, { type: ResType.REFERENCE, data: parseInt(m[1]!, 16) }, what);
          t.equal(a.value, `@0x${m[1]}`, `${what} text`);
        } else t.equal(a.value, ga.value, what);
      });
    }
  });
}

t.test('fixtures really use each encoding', async (t) => {
  const poolFlags = (name: string) => new DataView(read(name).buffer).getUint32(12 + 16, true);
  t.equal(poolFlags('aapt1-utf16.arsc') & 0x100, 0, 'aapt1 minSdk 4: UTF-16 value pool');
  t.equal(poolFlags('aapt1-utf8.arsc') & 0x100, 0x100, 'aapt1 minSdk 21: UTF-8 value pool');
  // Walk the package's type chunks and collect ResTable_type flags and entry flags.
  const kinds = (name: string) => {
    const b = read(name);
    const v = new DataView(b.buffer, b.byteOffset);
    const found = new Set<string>();
    let pos = v.getUint16(2, true);
    while (pos < b.length) {
      const size = v.getUint32(pos + 4, true);
      if (v.getUint16(pos, true) === 0x200) {
        for (let p = pos + v.getUint16(pos + 2, true); p < pos + size; p += v.getUint32(p + 4, true)) {
          if (v.getUint16(p, true) !== 0x201) continue;
          const flags = v.getUint8(p + 9);
          if (flags & 1) found.add('sparse');
          if (flags & 2) found.add('offset16');
          const hs = v.getUint16(p + 2, true);
          const entries = p + v.getUint32(p + 16, true);
          const first = flags & 1 ? v.getUint16(p + hs + 2, true) * 4 : flags & 2 ? v.getUint16(p + hs, true) * 4 : v.getUint32(p + hs, true);
          if (first !== 0xffffffff && first !== 0xffff * 4 && v.getUint16(entries + first + 2, true) & 8) found.add('compact');
        }
      }
      pos += size;
    }
    return [...found].sort();
  };
  t.same(kinds('aapt2-dense.arsc'), []);
  t.same(kinds('aapt2-sparse.arsc'), ['sparse']);
  t.same(kinds('aapt2-compact.arsc'), ['compact', 'offset16', 'sparse']);
});

// ---------------------------------------------------------------- resolver, decoders, manifest
t.test('ResourceTable resolves names, default values and references', async (t) => {
  for (const variant of VARIANTS) {
    const table = ResourceTable.parse(read(`${variant}.arsc`));
    const byName = new Map<string, number>();
    for (const e of table.entries()) byName.set(`${e.type}/${e.name}`, e.id);
    const id = (n: string) => byName.get(n)!;
    t.equal(table.value(id('string/app_name')), 'Leak Fixture', `${variant}: default config preferred over fr`);
    t.equal(table.value(id('string/alias_of_greeting')), 'Hello, world', `${variant}: reference followed`);
    t.equal(table.value(id('string/unicode')), 'Grüße ☃ 日本語 😀', `${variant}: non-ASCII and a surrogate pair`);
    t.equal(table.value(id('string/long_text'))?.length, 175, `${variant}: 2-byte length prefix`);
    t.equal(table.value(id('integer/max_items')), '12');
    t.equal(table.value(id('bool/feature_on')), 'true');
    t.equal(table.value(id('color/brand')), '#ff3366cc');
    t.equal(table.value(id('array/planets')), undefined, 'a bag has no simple value');
    t.equal(table.value(0x7f7f0000), undefined, 'unknown id');
    const configs = [...table.entries()].filter((e) => e.name === 'greeting').map((e) => e.config).sort();
    t.same(configs, ['', 'b+sr+Latn', 'de', 'fr', 'fr-rCA'], `${variant}: locale configurations`);
  }
});

t.test('decodeArsc emits string values bound to their resource names', async (t) => {
  const ctx = collectingContext('base.apk!/resources.arsc');
  const out = [...decodeArsc(read('aapt1-utf16.arsc'), ctx)];
  const find = (pointer: string) => out.find((d) => d.location.pointer === pointer);
  t.same(find('string/twitter_consumer_secret'), {
    text: 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9Z8y7X6w5V4u3',
    location: { entry: 'base.apk!/resources.arsc', decoder: 'arsc', pointer: 'string/twitter_consumer_secret' },
    context: 'twitter_consumer_secret',
  });
  t.equal(find('string/twitter_consumer_secret [de]')?.context, 'twitter_consumer_secret');
  t.equal(find('string/greeting [fr-rCA]')?.text, 'Allô le monde');
  t.equal(find('string/title_main [v21]')?.text, 'Main screen (v21)');
  t.equal(find('array/planets[1] [fr]')?.text, 'Vénus');
  t.equal(find('array/planets[2]')?.text, 'Earth');
  t.ok(out.some((d) => d.location.pointer.startsWith('plurals/apples[') && d.text === '%d apple'));
  t.notOk(out.some((d) => d.location.pointer.startsWith('integer/')), 'only string values');
  t.same(ctx.warnings, []);
});

t.test('file resources: their values are paths in the archive, not strings bound to the resource name', async (t) => {
  const fixture = [...decodeArsc(read('aapt2-dense.arsc'), collectingContext('resources.arsc'))];
  const config = fixture.find((d) => d.location.pointer === 'xml/config');
  t.equal(config?.text, 'res/xml/config.xml', 'the path is still emitted (and scanned)');
  t.equal(config?.context, undefined, 'xml/config is not bound to "config"');

  // aapt2 optimize --shorten-resource-paths (samples/quirks/arsc-shortened-paths.apk): drawable/avd_show_password -> res/FS.xml.
  const apk = ZipArchive.open(bufferSource(new Uint8Array(readFileSync(join(process.cwd(), 'samples/quirks/arsc-shortened-paths.apk')))));
  const entry = (name: string) => apk.read(apk.entries.find((e) => e.name === name)!);
  const arsc = entry('resources.arsc');
  const table = ResourceTable.parse(arsc);
  const out = [...decodeArsc(arsc, collectingContext('resources.arsc'))];
  const show = out.find((d) => d.location.pointer === 'drawable/avd_show_password');
  t.same(show, { text: 'res/FS.xml', location: { entry: 'resources.arsc', decoder: 'arsc', pointer: 'drawable/avd_show_password' } }, 'a shortened path is unbound');
  const files = [...table.entries()].filter((e) => isFileResourceType(e.type));
  t.same([...new Set(files.map((e) => e.type))].sort(), ['anim', 'color', 'drawable', 'layout', 'menu', 'mipmap', 'raw', 'xml']);
  for (const f of files) {
    const d = out.find((x) => x.location.pointer === `${f.type}/${f.name}${f.config ? ` [${f.config}]` : ''}`);
    t.ok(d && d.text.startsWith('res/') && d.context === undefined, `${f.type}/${f.name}: path without a bound name`);
  }
  t.equal(out.find((d) => d.location.pointer === 'string/password_toggle_content_description')?.context, 'password_toggle_content_description', 'string resources stay bound');

  // References to file resources resolve to the path, which is not bound to the attribute or meta-data name either.
  const manifest = [...decodeAxml(entry('AndroidManifest.xml'), collectingContext('AndroidManifest.xml', table))];
  const icon = manifest.find((d) => d.location.pointer === 'manifest/application@android:icon -> @mipmap/ic_launcher_password');
  t.ok(icon && icon.text.startsWith('res/') && icon.context === undefined, 'android:icon -> @mipmap/...: path, unbound');
  const label = manifest.find((d) => d.location.pointer === 'manifest/application@android:label -> @string/app_name');
  t.equal(label?.context, 'label', 'a reference to a string resource keeps the attribute name');
  const layoutPath = table.value(files.find((e) => e.name === 'activity_reset_password')!.id)!;
  const layout = [...decodeAxml(entry(layoutPath), collectingContext(layoutPath, table))];
  const src = layout.find((d) => d.location.pointer.endsWith('@android:src -> @drawable/avd_show_password'));
  t.same([src?.text, src?.context], ['res/FS.xml', undefined], 'android:src -> @drawable/avd_show_password');
});

const EXPECTED_META = {
  'com.google.android.geo.API_KEY': 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW',
  'com.facebook.sdk.ApplicationId': 'fb1234567890123',
  'io.fabric.ApiKey': '0123456789abcdef0123456789abcdef01234567',
  'dev.leakdex.MAX_RETRIES': '7',
  'dev.leakdex.ENABLED': 'true',
  'dev.leakdex.CONFIG': 'res/xml/config.xml',
  'dev.leakdex.ACTIVITY_TOKEN': 'tok_live_5f3c2a1b9e8d7c6b',
};

t.test('manifestInfo reads identity, meta-data and permissions through resources', async (t) => {
  for (const variant of VARIANTS) {
    const table = ResourceTable.parse(read(`${variant}.arsc`));
    const info = manifestInfo(read(`${variant}.manifest.axml`), table);
    t.same(info, {
      package: 'dev.leakdex.fixture.res', versionCode: '42', versionName: '1.4.2-fixture',
      minSdk: variant === 'aapt1-utf16' ? '4' : variant === 'aapt2-sparse' ? '33' : variant === 'aapt2-compact' ? '35' : '21',
      targetSdk: '33', label: 'Leak Fixture', metaData: EXPECTED_META,
      permissions: ['android.permission.INTERNET', 'android.permission.ACCESS_NETWORK_STATE'],
    }, variant);
    const bare = manifestInfo(read(`${variant}.manifest.axml`));
    t.match(bare.versionName, /^@0x7f[0-9a-f]{6}$/, `${variant}: unresolved reference without resources`);
    t.match(bare.metaData['com.google.android.geo.API_KEY'], /^@0x7f/);
  }
});

t.test('decodeAxml emits attributes, meta-data bound to its name, resolved references and text', async (t) => {
  const table = ResourceTable.parse(read('aapt2-compact.arsc'));
  const ctx = collectingContext('AndroidManifest.xml', table);
  const out = [...decodeAxml(read('aapt2-compact.manifest.axml'), ctx)];
  const byPointer = new Map(out.map((d) => [d.location.pointer, d]));
  t.same(byPointer.get('meta-data[com.google.android.geo.API_KEY] -> @string/google_maps_key'), {
    text: 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW',
    location: { entry: 'AndroidManifest.xml', decoder: 'axml', pointer: 'meta-data[com.google.android.geo.API_KEY] -> @string/google_maps_key' },
    context: 'com.google.android.geo.API_KEY',
  });
  t.equal(byPointer.get('meta-data[io.fabric.ApiKey]')?.text, '0123456789abcdef0123456789abcdef01234567');
  t.equal(byPointer.get('meta-data[dev.leakdex.ACTIVITY_TOKEN] -> @string/activity_token')?.context, 'dev.leakdex.ACTIVITY_TOKEN');
  t.equal(byPointer.get('manifest@package')?.text, 'dev.leakdex.fixture.res');
  t.equal(byPointer.get('manifest/uses-permission[1]@android:name')?.text, 'android.permission.ACCESS_NETWORK_STATE');
  t.equal(byPointer.get('manifest/application/meta-data[2]@android:name')?.text, 'io.fabric.ApiKey');
  t.equal(byPointer.get('manifest/application@android:label -> @string/app_name')?.text, 'Leak Fixture');
  t.same(ctx.warnings, []);

  const cfg = [...decodeAxml(read('aapt1-utf16.config.axml'), collectingContext('res/xml/config.xml'))];
  t.equal(cfg.find((d) => d.location.pointer === 'config/endpoint@key')?.text, 'sk_test_51LeakdexFixtureKey0000zz');
  t.equal(cfg.find((d) => d.location.pointer === 'config/note/text()')?.text, 'Fixture text node');
  const root = parseAxml(read('aapt2-dense.config.axml'));
  t.equal(root.name, 'config');
  t.equal(root.children[1]?.text, 'Fixture text node');
});

// ---------------------------------------------------------------- quirks (one fixture each, made by make-quirks.mjs)
t.test('binary XML quirks the runtime tolerates', async (t) => {
  const table = ResourceTable.parse(read('aapt1-utf16.arsc'));
  const expect = (name: string, codes: string[], meta = EXPECTED_META) => {
    const warnings: DecodeWarning[] = [];
    const info = manifestInfo(read(`quirks/${name}`), table, (w) => warnings.push(w));
    t.equal(info.package, 'dev.leakdex.fixture.res', `${name}: package`);
    t.equal(info.versionCode, '42', `${name}: versionCode`);
    t.same(info.metaData, meta, `${name}: meta-data`);
    t.same(info.permissions.length, 2, `${name}: permissions`);
    t.same([...new Set(warnings.map((w) => w.code))].sort(), codes, `${name}: warnings`);
  };
  expect('wrong-filesize.axml', ['axml.bad_size']);
  expect('header-type-zero.axml', ['axml.bad_header_type']);
  expect('unterminated-string.axml', ['axml.bad_string']);
  expect('nonzero-style.axml', []);
  expect('null-bytes.axml', [], { ...EXPECTED_META, 'io.fabric.ApiKey': '0123456789' });
  expect('obfuscated-attribute-names.axml', ['axml.obfuscated_attribute']);
  expect('empty-attribute-names.axml', ['axml.obfuscated_attribute']);
  expect('masking-namespace.axml', []);
  expect('extra-namespace.axml', []);
  expect('unknown-chunks.axml', ['axml.unknown_chunk']);
  const nul = [...decodeAxml(read('quirks/null-bytes.axml'), collectingContext('m'))].find((d) => d.location.pointer === 'meta-data[io.fabric.ApiKey]');
  t.equal(nul?.text, '0123456789\0bcdef0123456789abcdef01234567', 'the decoder keeps the whole string');
  const names = parseAxml(read('quirks/obfuscated-attribute-names.axml')).attributes.map((a) => a.name);
  t.same(names.slice(0, 2), ['versionCode', 'versionName'], 'names come from the resource map');
});

t.test('resources.arsc quirks', async (t) => {
  for (const [name, codes] of [['unknown-chunks.arsc', ['arsc.unknown_chunk']], ['pool-offsets-zero.arsc', ['arsc.pool_offset']], ['table-size-too-large.arsc', ['arsc.bad_size']]] as const) {
    const warnings: DecodeWarning[] = [];
    const table = ResourceTable.parse(read(`quirks/${name}`), (w) => warnings.push(w));
    t.equal([...table.entries()].length, 27, `${name}: all values`);
    t.equal(table.name(0x7f040003), 'string/google_maps_key', name);
    t.equal(table.value(0x7f040003), 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW', name);
    t.same([...new Set(warnings.map((w) => w.code))], codes, `${name}: warnings`);
  }
});

// ---------------------------------------------------------------- hand-made chunks
/** Little-endian byte builder: u16/u32 fields, UTF-16 and UTF-8 strings. */
class Bytes {
  private parts: number[] = [];
  u8(...v: number[]) { for (const x of v) this.parts.push(x & 0xff); return this; }
  u16(...v: number[]) { for (const x of v) this.parts.push(x & 0xff, (x >>> 8) & 0xff); return this; }
  u32(...v: number[]) { for (const x of v) this.parts.push(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff); return this; }
  get length() { return this.parts.length; }
  done() { return new Uint8Array(this.parts); }
}

t.test('string pool: UTF-8 and UTF-16 length prefixes, bounds, warnings', async (t) => {
  const long = 'k'.repeat(300);
  const utf8 = new Bytes()
    //   type    hdr  size
    .u16(0x0001, 28).u32(28 + 12 + 8 + 305 + 4)
    //   count styles flags  stringsStart stylesStart
    .u32(3, 0, 0x100, 28 + 12, 0)
    //   offsets: "é" at 0, 300 x 'k' at 8, a bad one past the data
    .u32(0, 8, 5000)
    //   utf16 len, utf8 len, bytes, NUL, pad
    .u8(1, 2, 0xc3, 0xa9, 0, 0, 0, 0)
    //   2-byte lengths (high bit set): 0x812c = 300 units, 0x812c = 300 bytes
    .u8(0x81, 0x2c, 0x81, 0x2c, ...Buffer.from(long), 0)
    .u8(0, 0, 0, 0)
    .done();
  const warnings: DecodeWarning[] = [];
  const pool = StringPool.parse(new Reader(utf8, 'arsc'), 0, (w) => warnings.push(w));
  t.equal(pool.utf8, true);
  t.equal(pool.count, 3);
  t.equal(pool.get(0), 'é');
  t.equal(pool.get(1), long);
  t.equal(pool.get(2), undefined, 'offset outside the data');
  t.equal(pool.get(2), undefined, 'cached');
  t.equal(pool.get(3), undefined, 'index past the count');
  t.equal(warnings.length, 1, 'one warning for the bad string, even when asked twice');

  const chars = 0x8001; // needs the 2-unit UTF-16 length form
  const utf16 = new Bytes()
    .u16(0x0001, 28).u32(28 + 4 + 4 + chars * 2 + 2 + 2)
    .u32(1, 0, 0, 28 + 4, 0)
    .u32(0)
    //   0x8000 | high, low   = 0x00008001 units
    .u16(0x8000, 0x8001);
  for (let i = 0; i < chars; i++) utf16.u16(0x41 + (i % 26));
  const pool16 = StringPool.parse(new Reader(utf16.u16(0, 0).done(), 'axml'), 0);
  t.equal(pool16.utf8, false);
  t.equal(pool16.get(0)?.length, chars);

  // count larger than the chunk can hold: fatal for the pool
  const lying = new Bytes().u16(0x0001, 28).u32(36).u32(1000, 0, 0, 36, 0).u32(0, 0).done();
  t.throws(() => StringPool.parse(new Reader(lying, 'arsc'), 0), { code: 'arsc.bad_string_pool' });
  // length that runs past the pool: undefined + warning, not a throw
  const overrun = new Bytes().u16(0x0001, 28).u32(40).u32(1, 0, 0, 32, 0).u32(0).u16(500, 0x41, 0x42, 0).done();
  const w2: DecodeWarning[] = [];
  t.equal(StringPool.parse(new Reader(overrun, 'arsc'), 0, (w) => w2.push(w)).get(0), undefined);
  t.equal(w2[0]?.code, 'arsc.bad_string');
});

/** A minimal binary XML document: pool ["manifest", "package", "a.b", "", "android", ANDROID_NS], elements as given. */
function axmlDoc(body: (b: Bytes) => void, header = 0x0003): Uint8Array {
  const strings = ['manifest', 'package', 'a.b', 'name', 'android', ANDROID_NS];
  const data = new Bytes();
  const offsets: number[] = [];
  for (const s of strings) { offsets.push(data.length); data.u16(s.length, ...[...s].map((c) => c.charCodeAt(0)), 0); }
  while (data.length % 4) data.u8(0);
  const pool = new Bytes().u16(0x0001, 28).u32(28 + offsets.length * 4 + data.length).u32(offsets.length, 0, 0, 28 + offsets.length * 4, 0).u32(...offsets);
  const b = new Bytes();
  const poolBytes = [...pool.done(), ...data.done()];
  body(b);
  const bodyBytes = b.done();
  return new Bytes().u16(header, 8).u32(8 + poolBytes.length + bodyBytes.length).u8(...poolBytes, ...bodyBytes).done();
}

const startElement = (b: Bytes, name: number, attrs: [number, number, number, number, number][] = []) =>
  //     type    hdr  size                  line comment  ns          name  attrStart attrSize count id/class/style
  b.u16(0x0102, 16).u32(36 + attrs.length * 20).u32(1, 0xffffffff, 0xffffffff, name).u16(20, 20, attrs.length, 0, 0, 0)
    .u32(...attrs.flatMap(([ns, n, raw, type, data]) => [ns, n, raw, 0x08 | (type << 24), data]));
//                                               Res_value: size 8, res0 0, dataType in the high byte
const endElement = (b: Bytes, name: number) => b.u16(0x0103, 16).u32(24).u32(1, 0xffffffff, 0xffffffff, name);

t.test('binary XML: hand-made documents', async (t) => {
  const ok = axmlDoc((b) => { startElement(b, 0, [[0xffffffff, 1, 2, ResType.STRING, 2]]); endElement(b, 0); });
  t.same(manifestInfo(ok), { package: 'a.b', metaData: {}, permissions: [] });
  t.throws(() => parseAxml(axmlDoc(() => {})), { code: 'axml.no_root' }, 'no element at all');
  t.throws(() => parseAxml(axmlDoc((b) => startElement(b, 0), 0x3f3c)), { code: 'axml.bad_magic' }, 'text XML is not binary XML');
  t.throws(() => parseAxml(new Uint8Array([3, 0, 8, 0])), DecodeError, 'four bytes');
  // attribute count overrunning its node: attributes that fit are kept, with a warning
  const overrun = axmlDoc((b) => { b.u16(0x0102, 16).u32(36 + 20).u32(1, 0xffffffff, 0xffffffff, 0).u16(20, 20, 50, 0, 0, 0).u32(0xffffffff, 1, 2, 0x03000008, 2); endElement(b, 0); });
  const w: DecodeWarning[] = [];
  t.equal(parseAxml(overrun, (x) => w.push(x)).attributes.length, 1);
  t.equal(w[0]?.code, 'axml.bad_node');
  // nesting deeper than the cap is rejected, not recursed into
  const deep = axmlDoc((b) => { for (let i = 0; i < 300; i++) startElement(b, 0); });
  t.throws(() => parseAxml(deep), { code: 'axml.too_deep' });
  // unclosed elements are tolerated with a warning
  const w2: DecodeWarning[] = [];
  parseAxml(axmlDoc((b) => { startElement(b, 0); startElement(b, 0); }), (x) => w2.push(x));
  t.same(w2.map((x) => x.code), ['axml.unbalanced']);
});

t.test('resources.arsc: hand-made table with a reference cycle and a compact entry', async (t) => {
  const keyPool = (names: string[]) => {
    const data = new Bytes();
    const offs: number[] = [];
    for (const s of names) { offs.push(data.length); data.u8(s.length, s.length, ...Buffer.from(s), 0); }
    while (data.length % 4) data.u8(0);
    return [...new Bytes().u16(0x0001, 28).u32(28 + offs.length * 4 + data.length).u32(offs.length, 0, 0x100, 28 + offs.length * 4, 0).u32(...offs).done(), ...data.done()];
  };
  const types = keyPool(['string']);
  const keys = keyPool(['a', 'b', 'c']);
  const values = keyPool(['compact!']);
  // ResTable_type, dense u32 offsets: a -> @b, b -> @a (cycle); c is a compact entry holding string #0
  const entries = new Bytes()
    .u16(8, 0).u32(0).u16(8).u8(0, ResType.REFERENCE).u32(0x7f010001) // a: size, flags, key 0, Res_value -> b
    .u16(8, 0).u32(1).u16(8).u8(0, ResType.REFERENCE).u32(0x7f010000) // b -> a
    .u16(2, 0x0308).u32(0) //                                            c: compact key 2, flags COMPACT | type STRING << 8, data 0
    .done();
  const cfg = new Bytes().u32(64).u8(...new Array(60).fill(0)).done();
  const typeHeader = 20 + cfg.length;
  const type = new Bytes().u16(0x0201, typeHeader).u32(typeHeader + 12 + entries.length).u8(1, 0).u16(0).u32(3, typeHeader + 12).u8(...cfg).u32(0, 16, 32).u8(...entries).done();
  const pkgHeader = 288;
  const name = new Bytes().u16(...[...'x.y'].map((c) => c.charCodeAt(0))).u8(...new Array(256 - 6).fill(0)).done();
  const pkgBody = [...types, ...keys, ...type];
  const pkg = new Bytes().u16(0x0200, pkgHeader).u32(pkgHeader + pkgBody.length).u32(0x7f).u8(...name)
    .u32(pkgHeader, 0, pkgHeader + types.length, 0, 0).u8(...pkgBody).done();
  const table = new Bytes().u16(0x0002, 12).u32(12 + values.length + pkg.length).u32(1).u8(...values, ...pkg).done();
  const w: DecodeWarning[] = [];
  const rt = ResourceTable.parse(table, (x) => w.push(x));
  t.same(w, []);
  t.equal(rt.name(0x7f010000), 'string/a');
  t.equal(rt.value(0x7f010000), undefined, 'a reference cycle ends after the depth bound');
  t.equal(rt.value(0x7f010002), 'compact!', 'compact entry');
  t.same([...decodeArsc(table, collectingContext('r'))].map((d) => d.location.pointer), ['string/c']);
});

// ---------------------------------------------------------------- protobuf resources and manifests (AAB)
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

t.test('AAB protobuf decoders', async (t) => {
  const manifest = AAB.get('base/manifest/AndroidManifest.xml')!;
  const table = AAB.get('base/resources.pb')!;
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
  const writer = new JSZip();
  writer.file('base/manifest/AndroidManifest.xml', AAB.get('base/manifest/AndroidManifest.xml')!);
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

// ---------------------------------------------------------------- hostile input sweep
t.test('truncation and byte-flip sweep: a result or a DecodeError, nothing else', async (t) => {
  const files = [...VARIANTS.flatMap((v) => [`${v}.arsc`, `${v}.manifest.axml`, `${v}.config.axml`]), ...readdirSync(join(dir, 'quirks')).map((f) => `quirks/${f}`)];
  const table = ResourceTable.parse(read('aapt1-utf16.arsc'));
  let runs = 0;
  let decodeErrors = 0;
  const attempt = (name: string, bytes: Uint8Array) => {
    runs++;
    try {
      if (name.endsWith('.arsc')) {
        const rt = ResourceTable.parse(bytes);
        for (const e of rt.entries()) rt.value(e.id);
        for (const d of decodeArsc(bytes, collectingContext('r'))) void d;
      } else {
        manifestInfo(bytes, table);
        for (const d of decodeAxml(bytes, collectingContext('m', table))) void d;
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw new Error(`${name} (${bytes.length} bytes): ${String(e)}`);
      decodeErrors++;
    }
  };
  const start = performance.now();
  for (const name of files) {
    const orig = read(name);
    const step = Math.max(1, Math.floor(orig.length / 120));
    for (let n = 0; n < orig.length; n += step) attempt(name, orig.slice(0, n));
    for (let i = 0; i < orig.length; i += step) {
      for (const mask of [0xff, 0x80]) {
        const b = orig.slice();
        b[i] ^= mask;
        attempt(name, b);
      }
    }
  }
  t.ok(runs > 8000, `${runs} runs, ${decodeErrors} DecodeErrors, ${(performance.now() - start).toFixed(0)} ms`);
  for (const entry of ['base/manifest/AndroidManifest.xml', 'base/res/xml/remote_config.xml', 'base/resources.pb']) {
    const r = hostileSweep(entry.endsWith('.pb') ? decodeAaptTable : decodeAaptXml, AAB.get(entry)!, entry);
    t.equal(r.bad, 0, `${entry}: ${r.inputs} variants end in strings or a DecodeError ${r.first.join('; ')}`);
  }
});
