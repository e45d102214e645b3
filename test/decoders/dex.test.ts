import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeDex, dexStringCount } from '../../decoders/dex.js';
import { decodeMutf8 } from '../../decoders/mutf8.js';
import { DecodeError, collectingContext, type DecodedString } from '../../decoders/types.js';
import { decodeErrorCode } from '../helpers/decode.js';
import { ROOT } from '../helpers/files.js';

const FIXTURES = join(ROOT, 'test/fixtures/dex');

interface Golden {
  string_ids_size: number;
  strings: string[];
  static_strings: [string, string, string][];
}

function fixture(name: string): { bytes: Uint8Array; golden: Golden } {
  return {
    bytes: new Uint8Array(readFileSync(join(FIXTURES, `${name}.dex`))),
    golden: JSON.parse(readFileSync(join(FIXTURES, `${name}.golden.json`), 'utf8')) as Golden,
  };
}

function decode(bytes: Uint8Array, entry = 'classes.dex') {
  const ctx = collectingContext(entry);
  const out = [...decodeDex(bytes, ctx)];
  return { out, warnings: ctx.warnings };
}

/** The string_ids entries in emitted order, with their index parsed from the pointer. */
function table(out: DecodedString[]): { index: number; text: string }[] {
  return out
    .filter((s) => s.location.pointer.startsWith('string_ids['))
    .map((s) => ({ index: Number(/^string_ids\[(\d+)\]/.exec(s.location.pointer)![1]), text: s.text }));
}

const dotted = (descriptor: string) => descriptor.slice(1, -1).replaceAll('/', '.');

// ---------------------------------------------------------------- real fixtures (smali-built, androguard/dexdump goldens)

for (const name of ['main', 'second', 'static-nested-values']) {
  t.test(`${name}.dex: string table and static bindings match the golden`, (t) => {
    const { bytes, golden } = fixture(name);
    const { out, warnings } = decode(bytes, name === 'second' ? 'classes2.dex' : 'classes.dex');
    t.same(warnings, [], 'a valid file decodes without warnings');
    t.equal(dexStringCount(bytes), golden.string_ids_size);
    const rows = table(out);
    t.same(rows.map((r) => r.index), [...Array(golden.string_ids_size).keys()], 'every string_ids entry once, in table order');
    t.same(rows.map((r) => r.text), golden.strings);

    // Static values only: code uses (s.code) are checked against dexdump -d on the codeflow fixture below.
    const bound = out.filter((s) => s.context !== undefined && s.code === undefined);
    t.same(
      bound.map((s) => [s.scope, s.context, s.text]).sort(),
      golden.static_strings.map(([cls, field, value]) => [dotted(cls), field, value]).sort(),
      'every static String value bound to its field and class, nothing else bound',
    );
    for (const s of out) t.equal(s.location.decoder, 'dex');
    t.ok(out.every((s) => s.location.entry === (name === 'second' ? 'classes2.dex' : 'classes.dex')));
    t.end();
  });
}

t.test('main.dex: bindings carry field, class and pointer; one string bound thrice is emitted once plus extras', (t) => {
  const { bytes, golden } = fixture('main');
  const { out } = decode(bytes);
  const secret = 'Zq8vT3pL0aKx7WmN2cYb5RfH9sJd4GeU6iOo1QkVtXzBnMrAyE';
  const index = golden.strings.indexOf(secret);
  const hits = out.filter((s) => s.text === secret);
  t.same(
    hits.map((s) => [s.location.pointer, s.context, s.scope]),
    [
      [`string_ids[${index}] com.example.BuildConfig.TWITTER_SECRET`, 'TWITTER_SECRET', 'com.example.BuildConfig'],
      ['static_values com.example.BuildConfig.TWITTER_SECRET_COPY', 'TWITTER_SECRET_COPY', 'com.example.BuildConfig'],
      ['static_values com.example.Other.SECRET_AGAIN', 'SECRET_AGAIN', 'com.example.Other'],
    ],
  );
  const byField = new Map(out.filter((s) => s.context).map((s) => [s.context, s.text]));
  t.equal(byField.get('WITH_NUL'), 'nul\u0000inside', 'C0 80 decodes to U+0000');
  t.equal(byField.get('EMOJI'), 'key\u{1F600}end', 'surrogate pair forms one supplementary character');
  t.equal(byField.get('LONE_SURROGATE'), 'lone\ud800x', 'a lone surrogate stays lone');
  t.equal(byField.get('BMP'), 'café 中文');
  t.equal(byField.get('EMPTY'), '');
  t.equal(byField.get('LAST'), 'last-static', 'values after an unset (null) static still pair with the right field');
  t.notOk(byField.has('TYPE_VALUE'), 'a VALUE_TYPE is not a string binding');
  t.notOk(byField.has('UNSET'));
  const endpoint = out.find((s) => s.text === 'https://api.example.com/v1/');
  t.ok(endpoint && endpoint.context === undefined, 'code strings have no field name');
  t.equal(endpoint?.scope, 'com.example.BuildConfig', 'a string one class references from its code (const-string) carries that class as scope');
  t.match(endpoint?.location.pointer, /^string_ids\[\d+\]$/, 'its pointer stays the string_ids entry');
  t.end();
});

t.test('static-nested-values.dex: strings inside array/annotation values stay unbound, later fields still bind', (t) => {
  const { out } = decode(fixture('static-nested-values').bytes);
  for (const text of ['in-array-one', 'in-array-deeper', 'in-annotation', 'in-nested-annotation']) {
    const s = out.filter((x) => x.text === text);
    t.equal(s.length, 1, text);
    t.equal(s[0]?.context, undefined, `${text} unbound`);
  }
  t.equal(out.find((s) => s.text === 'after-annotation')?.context, 'AFTER_ANNOTATION');
  t.end();
});

// ---------------------------------------------------------------- MUTF-8

/** Straight transcription of mutf8_to_utf16_units in the corpus oracle (../shared/tools/oracle.py). */
function referenceMutf8(b: number[]): string {
  const units: number[] = [];
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      units.push(c);
      i += 1;
    } else if ((c & 0xe0) === 0xc0 && i + 1 < n) {
      units.push(((c & 0x1f) << 6) | (b[i + 1]! & 0x3f));
      i += 2;
    } else if ((c & 0xf0) === 0xe0 && i + 2 < n) {
      units.push(((c & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f));
      i += 3;
    } else {
      units.push(0xfffd);
      i += 1;
    }
  }
  return units.map((u) => String.fromCharCode(u)).join('');
}

t.test('decodeMutf8: hand-made sequences', (t) => {
  const d = (bytes: number[]) => decodeMutf8(Uint8Array.from(bytes), 0, bytes.length);
  t.equal(d([0x61, 0xc0, 0x80, 0x62]), 'a\u0000b', 'C0 80 is U+0000');
  t.equal(d([0xc3, 0xa9]), 'é');
  t.equal(d([0xe4, 0xb8, 0xad]), '中');
  t.equal(d([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]), '\u{1F600}', 'CESU-8 surrogate pair');
  t.equal(d([0xed, 0xa0, 0x80]), '\ud800', 'lone high surrogate');
  t.equal(d([0xed, 0xb0, 0x80, 0x41]), '\udc00A', 'lone low surrogate');
  t.equal(d([0xf0, 0x9f, 0x98, 0x80]), '\ufffd\ufffd\ufffd\ufffd', '4-byte UTF-8 is not MUTF-8: U+FFFD per byte');
  t.equal(d([0x80, 0x41]), '\ufffdA', 'stray continuation byte');
  t.equal(d([0x41, 0xe4, 0xb8]), 'A\ufffd\ufffd', 'sequence cut by the end');
  t.equal(d([0xc3]), '\ufffd');
  t.equal(d([]), '');
  const bytes = Uint8Array.from([0x78, 0xc3, 0xa9, 0x79]);
  t.equal(decodeMutf8(bytes, 1, 3), 'é', 'honours start/end');
  t.equal(decodeMutf8(bytes, 1, 2), '\ufffd', 'a range that cuts a sequence');
  t.end();
});

t.test('decodeMutf8: long and random inputs equal the oracle transcription', (t) => {
  const ascii = Array.from({ length: 70_000 }, (_, i) => 0x20 + (i % 90));
  t.equal(decodeMutf8(Uint8Array.from(ascii), 0, ascii.length), referenceMutf8(ascii), 'long ASCII');
  const mixed: number[] = [];
  for (let i = 0; i < 30_000; i++) mixed.push(0xe4, 0xb8, 0xad, 0x41, 0xc3, 0xa9);
  t.equal(decodeMutf8(Uint8Array.from(mixed), 0, mixed.length), referenceMutf8(mixed), 'long non-ASCII (chunked)');
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  let ok = 0;
  for (let k = 0; k < 2000; k++) {
    const len = rand() % 40;
    const b = Array.from({ length: len }, () => (rand() & 1 ? rand() : [0xc0, 0xe0, 0xed, 0x80, 0xbf, 0x41][rand() % 6]!));
    if (decodeMutf8(Uint8Array.from(b), 0, b.length) === referenceMutf8(b)) ok++;
  }
  t.equal(ok, 2000);
  t.end();
});

// ---------------------------------------------------------------- hand-made DEX bytes

interface TinyDex {
  /** string_data_item bytes per string (utf16_size ULEB128 + MUTF-8 + NUL); offsets are filled in. */
  strings: number[][];
  /** Replace the computed header fields (by byte offset) before writing. */
  header?: Record<number, number>;
  version?: string;
  /** With a class: encoded_array bytes for static_values (null = static_values_off 0). */
  staticValues?: number[] | null;
  /** class_data_item bytes; default: one static field, field_idx 0, ACC_PUBLIC|STATIC|FINAL. */
  classData?: number[];
}

/**
 * A tiny DEX: header, string_ids, and (when staticValues is given) type_ids[1] -> string 0, field_ids[1] named by
 * string 1, class_defs[1], class_data and the encoded_array. Layout follows dex-format "File layout".
 */
function tinyDex(o: TinyDex): Uint8Array {
  const withClass = o.staticValues !== undefined;
  const stringIdsOff = 0x70;
  const typeIdsOff = stringIdsOff + 4 * o.strings.length;
  const fieldIdsOff = typeIdsOff + (withClass ? 4 : 0);
  const classDefsOff = fieldIdsOff + (withClass ? 8 : 0);
  const classData = o.classData ?? [
    0x01, 0x00, 0x00, 0x00, //    static_fields_size=1, instance_fields_size, direct_methods_size, virtual_methods_size
    0x00, 0x19, //                encoded_field: field_idx_diff=0, access_flags=0x19
  ];
  const classDataOff = classDefsOff + (withClass ? 32 : 0);
  const staticValuesOff = classDataOff + (withClass ? classData.length : 0);
  let dataOff = staticValuesOff + (withClass ? (o.staticValues ?? []).length : 0);
  const stringOffs = o.strings.map((s) => {
    const at = dataOff;
    dataOff += s.length;
    return at;
  });
  const out = new Uint8Array(dataOff);
  const dv = new DataView(out.buffer);
  out.set([0x64, 0x65, 0x78, 0x0a, ...[...(o.version ?? '035')].map((c) => c.charCodeAt(0)), 0x00], 0); // "dex\n035\0"
  dv.setUint32(0x20, out.length, true); //          file_size
  dv.setUint32(0x24, 0x70, true); //                header_size
  dv.setUint32(0x28, 0x12345678, true); //          endian_tag
  dv.setUint32(0x38, o.strings.length, true); //    string_ids_size
  dv.setUint32(0x3c, stringIdsOff, true); //        string_ids_off
  if (withClass) {
    dv.setUint32(0x40, 1, true); //                 type_ids_size
    dv.setUint32(0x44, typeIdsOff, true); //        type_ids_off
    dv.setUint32(0x50, 1, true); //                 field_ids_size
    dv.setUint32(0x54, fieldIdsOff, true); //       field_ids_off
    dv.setUint32(0x60, 1, true); //                 class_defs_size
    dv.setUint32(0x64, classDefsOff, true); //      class_defs_off
    dv.setUint32(typeIdsOff, 0, true); //           type_ids[0].descriptor_idx = string 0
    dv.setUint16(fieldIdsOff, 0, true); //          field_ids[0].class_idx
    dv.setUint16(fieldIdsOff + 2, 0, true); //      field_ids[0].type_idx
    dv.setUint32(fieldIdsOff + 4, 1, true); //      field_ids[0].name_idx = string 1
    dv.setUint32(classDefsOff, 0, true); //         class_def.class_idx
    dv.setUint32(classDefsOff + 8, 0xffffffff, true); //  superclass_idx = NO_INDEX
    dv.setUint32(classDefsOff + 16, 0xffffffff, true); // source_file_idx = NO_INDEX
    dv.setUint32(classDefsOff + 24, classDataOff, true); // class_data_off
    dv.setUint32(classDefsOff + 28, o.staticValues === null ? 0 : staticValuesOff, true); // static_values_off
    out.set(classData, classDataOff);
    out.set(o.staticValues ?? [], staticValuesOff);
  }
  stringOffs.forEach((off, i) => {
    dv.setUint32(stringIdsOff + 4 * i, off, true);
    out.set(o.strings[i]!, off);
  });
  for (const [at, v] of Object.entries(o.header ?? {})) dv.setUint32(Number(at), v, true);
  return out;
}

const str = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0)), 0x00]; // ASCII string_data_item
const CLASS_AND_FIELD = [str('Lcom/x/K;'), str('API_SECRET'), str('s3cr3t-value')];

t.test('hand-made: minimal file with one bound static string', (t) => {
  const bytes = tinyDex({
    strings: CLASS_AND_FIELD,
    staticValues: [
      0x01, //       encoded_array size = 1
      0x17, 0x02, // VALUE_STRING (value_arg 0 -> 1 byte): string_ids[2]
    ],
  });
  const { out, warnings } = decode(bytes);
  t.same(warnings, []);
  t.same(
    out.map((s) => [s.text, s.location.pointer, s.context, s.scope]),
    [
      ['Lcom/x/K;', 'string_ids[0]', undefined, undefined],
      ['API_SECRET', 'string_ids[1]', undefined, undefined],
      ['s3cr3t-value', 'string_ids[2] com.x.K.API_SECRET', 'API_SECRET', 'com.x.K'],
    ],
  );
  t.end();
});

t.test('hand-made: header problems', (t) => {
  const good = tinyDex({ strings: [str('a')] });
  const bad = (patch: (b: Uint8Array, dv: DataView) => void) => {
    const b = good.slice();
    patch(b, new DataView(b.buffer));
    return b;
  };
  t.equal(decodeErrorCode(() => decode(bad((b) => (b[0] = 0x63)))), 'dex.bad_magic', 'magic "cex\\n"');
  t.equal(decodeErrorCode(() => decode(bad((b) => (b[7] = 0x20)))), 'dex.bad_magic', 'magic without its NUL');
  t.equal(decodeErrorCode(() => decode(good.subarray(0, 7))), 'dex.truncated', 'shorter than the magic');
  t.equal(decodeErrorCode(() => decode(good.subarray(0, 0x6f))), 'dex.truncated', 'shorter than header_item');
  t.equal(decodeErrorCode(() => decode(bad((_, dv) => dv.setUint32(0x28, 0x78563412, true)))), 'dex.reverse_endian');
  t.equal(decodeErrorCode(() => decode(bad((_, dv) => dv.setUint32(0x28, 0, true)))), 'dex.bad_endian');
  t.equal(decodeErrorCode(() => decode(bad((_, dv) => dv.setUint32(0x24, 0x20, true)))), 'dex.bad_header_size');
  t.equal(decodeErrorCode(() => dexStringCount(bad((b) => (b[1] = 0)))), 'dex.bad_magic', 'dexStringCount checks the header too');

  const v99 = decode(tinyDex({ strings: [str('a')], version: '099' }));
  t.same(v99.out.map((s) => s.text), ['a'], 'unknown version: read anyway');
  t.same(v99.warnings.map((w) => w.code), ['dex.unknown_version']);
  const v39 = decode(tinyDex({ strings: [str('a')], version: '039' }));
  t.same(v39.warnings, [], '039 is known');

  const short = decode(tinyDex({ strings: [str('a')], header: { 0x20: 0x10000 } }));
  t.same(short.out.map((s) => s.text), ['a']);
  t.same(short.warnings.map((w) => w.code), ['dex.truncated'], 'file_size beyond the buffer: warn, keep going');
  t.end();
});

t.test('hand-made: string table problems', (t) => {
  // string_ids_size 1000 at 0x70 in a file of a few dozen bytes
  t.equal(decodeErrorCode(() => decode(tinyDex({ strings: [str('a')], header: { 0x38: 1000 } }))), 'dex.bad_count', 'string_ids overrun');
  t.equal(decodeErrorCode(() => decode(tinyDex({ strings: [str('a')], header: { 0x38: 0xffffffff } }))), 'dex.bad_count', 'huge string_ids_size');
  t.equal(decodeErrorCode(() => decode(tinyDex({ strings: [str('a')], header: { 0x3c: 0xfffffff0 } }))), 'dex.bad_count', 'string_ids_off outside');
  t.equal(decodeErrorCode(() => dexStringCount(tinyDex({ strings: [str('a')], header: { 0x38: 1000 } }))), 'dex.bad_count');

  const outside = tinyDex({ strings: [str('a'), str('b'), str('c')], header: { 0x74: 0x7fffffff } }); // string_ids[1] -> far away
  const o = decode(outside);
  t.same(o.out.map((s) => [s.location.pointer, s.text]), [['string_ids[0]', 'a'], ['string_ids[2]', 'c']], 'bad offset skipped');
  t.same(o.warnings.map((w) => [w.code, w.offset]), [['dex.string_offset', 0x74]]);

  // 20 bad offsets: 8 warnings, then one summary
  const many = tinyDex({ strings: Array.from({ length: 20 }, () => str('z')) });
  for (let i = 0; i < 20; i++) new DataView(many.buffer).setUint32(0x70 + 4 * i, 0xffffff00, true);
  const m = decode(many);
  t.equal(m.out.length, 0);
  t.same(m.warnings.map((w) => w.code), new Array(9).fill('dex.string_offset'));
  t.match(m.warnings[8]!.message, /^12 more/);

  // last string_data_item loses its NUL: "xyz" runs to the end of the file
  const unterminated = tinyDex({ strings: [str('a'), [0x03, 0x78, 0x79, 0x7a]] });
  const u = decode(unterminated);
  t.same(u.out.map((s) => s.text), ['a', 'xyz'], 'decoded to the end of the buffer');
  t.same(u.warnings.map((w) => w.code), ['dex.string_unterminated']);

  // declared utf16_size disagrees: 5 for "ab", 1 for "cd"; decoded text wins, one warning with a count
  const lying = decode(tinyDex({ strings: [[0x05, 0x61, 0x62, 0x00], [0x01, 0x63, 0x64, 0x00], str('ok')] }));
  t.same(lying.out.map((s) => s.text), ['ab', 'cd', 'ok']);
  t.same(lying.warnings.map((w) => w.code), ['dex.string_length_mismatch']);
  t.match(lying.warnings[0]!.message, /^2 strings/);

  // ULEB128 utf16_size with five continuation bytes
  const badLeb = decode(tinyDex({ strings: [[0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00], str('ok')] }));
  t.same(badLeb.out.map((s) => s.text), ['ok']);
  t.same(badLeb.warnings.map((w) => w.code), ['dex.string_length']);

  // non-ASCII data in a hand-made item: 02 | C3 A9 | C0 80 | 00  -> "é\0"
  t.same(decode(tinyDex({ strings: [[0x02, 0xc3, 0xa9, 0xc0, 0x80, 0x00]] })).out[0]!.text, 'é\u0000');
  t.end();
});

t.test('hand-made: overlapping string offsets cannot make the walk quadratic', (t) => {
  const run = new Array(60_000).fill(0x41); // 60 KB of 'A' and no NUL
  const strings = Array.from({ length: 2000 }, () => [0x01]);
  strings[0] = [0x01, ...run];
  const bytes = tinyDex({ strings });
  const dv = new DataView(bytes.buffer);
  const first = dv.getUint32(0x70, true);
  for (let i = 1; i < 2000; i++) dv.setUint32(0x70 + 4 * i, first, true); // every entry -> the same long run
  // The work budget is what stops it (its own error code), not a clock.
  t.equal(decodeErrorCode(() => decode(bytes)), 'dex.string_overlap', 'stops within the work budget');
  t.end();
});

t.test('hand-made: static value problems are warnings; strings are still emitted', (t) => {
  const texts = (r: ReturnType<typeof decode>) => r.out.map((s) => s.text);
  const deep = decode(tinyDex({ strings: CLASS_AND_FIELD, staticValues: [0x01, ...new Array(20).fill([0x1c, 0x01]).flat(), 0x1e] }));
  t.same(texts(deep), ['Lcom/x/K;', 'API_SECRET', 's3cr3t-value']);
  t.ok(deep.out.every((s) => s.context === undefined));
  t.same(deep.warnings.map((w) => w.code), ['dex.too_deep'], 'VALUE_ARRAY nested 20 deep');

  const badIndex = decode(tinyDex({ strings: CLASS_AND_FIELD, staticValues: [0x01, 0x37, 0xff, 0x7f] })); // VALUE_STRING arg 1 -> 0x7fff
  t.same(texts(badIndex), ['Lcom/x/K;', 'API_SECRET', 's3cr3t-value']);
  t.same(badIndex.warnings.map((w) => w.code), ['dex.bad_index']);

  const badType = decode(tinyDex({ strings: CLASS_AND_FIELD, staticValues: [0x01, 0x05, 0x00] })); // 0x05 is not a value type
  t.same(badType.warnings.map((w) => w.code), ['dex.bad_value']);

  const overrun = decode(tinyDex({ strings: CLASS_AND_FIELD, staticValues: [0x7f, 0x17, 0x02] })); // 127 values in 2 bytes
  t.same(overrun.warnings.map((w) => w.code), ['dex.bad_count']);

  // two values for one static field: the first binds, the extra value is reported
  const extra = decode(tinyDex({ strings: CLASS_AND_FIELD, staticValues: [0x02, 0x17, 0x02, 0x17, 0x00] }));
  t.same(extra.out.filter((s) => s.context).map((s) => s.text), ['s3cr3t-value']);
  t.same(extra.warnings.map((w) => w.code), ['dex.static_values']);

  // field_idx_diff points past field_ids
  const badField = decode(tinyDex({ strings: CLASS_AND_FIELD, staticValues: [0x01, 0x17, 0x02], classData: [0x01, 0x00, 0x00, 0x00, 0x05, 0x19] }));
  t.same(badField.warnings.map((w) => w.code), ['dex.bad_index']);

  const hugeClasses = decode(tinyDex({ strings: CLASS_AND_FIELD, staticValues: [0x01, 0x17, 0x02], header: { 0x60: 0x7fffffff } }));
  t.same(texts(hugeClasses), ['Lcom/x/K;', 'API_SECRET', 's3cr3t-value'], 'huge class_defs_size: strings still emitted');
  t.same(hugeClasses.warnings.map((w) => w.code), ['dex.bad_count']);

  // the field's name (string_ids[1]) points outside the file: one warning (not one per pass), no binding
  const lostName = decode(tinyDex({ strings: CLASS_AND_FIELD, staticValues: [0x01, 0x17, 0x02], header: { 0x74: 0xfffffff0 } }));
  t.same(lostName.out.map((s) => [s.text, s.context]), [['Lcom/x/K;', undefined], ['s3cr3t-value', undefined]]);
  t.same(lostName.warnings.map((w) => w.code), ['dex.string_offset']);

  const noValues = decode(tinyDex({ strings: CLASS_AND_FIELD, staticValues: null }));
  t.same(noValues.warnings, []);
  t.ok(noValues.out.every((s) => s.context === undefined));
  t.end();
});

t.test('hand-made: class_defs outside the file: one warning, every string_ids entry still emitted', (t) => {
  const good = tinyDex({ strings: CLASS_AND_FIELD, staticValues: [0x01, 0x17, 0x02] });
  const bytes = good.slice();
  new DataView(bytes.buffer).setUint32(0x64, bytes.length - 8, true); // class_defs_off: 8 bytes before the end
  const r = decode(bytes);
  t.same(r.out.map((s) => [s.location.pointer, s.text, s.context]), [
    ['string_ids[0]', 'Lcom/x/K;', undefined],
    ['string_ids[1]', 'API_SECRET', undefined],
    ['string_ids[2]', 's3cr3t-value', undefined],
  ]);
  t.same(r.warnings.map((w) => w.code), ['dex.bad_count'], 'one warning for both class passes');
  t.end();
});

t.test('hand-made: a STRING encoded_value with value_arg above 3 is a bad value, not a binding', (t) => {
  const r = decode(tinyDex({ strings: CLASS_AND_FIELD, staticValues: [0x01, 0x97, 0x02, 0x00, 0x00, 0x00, 0x00] })); // arg 4: 5 bytes
  t.same(r.out.map((s) => [s.text, s.context]), [['Lcom/x/K;', undefined], ['API_SECRET', undefined], ['s3cr3t-value', undefined]]);
  t.same(r.warnings.map((w) => w.code), ['dex.bad_value']);
  const ok = decode(tinyDex({ strings: CLASS_AND_FIELD, staticValues: [0x01, 0x77, 0x02, 0x00, 0x00, 0x00] })); // arg 3: 4 bytes
  t.same(ok.warnings, []);
  t.equal(ok.out[2]?.context, 'API_SECRET', 'value_arg 3 is still read');
  t.end();
});

t.test('hand-made: a class descriptor with a wrong utf16_size is counted once in the length warning', (t) => {
  // class 0 has one direct method whose code is `const-string v0, string@3; return-void`, so the class name is looked
  // up for the scope of string 3 during the table pass, after the static-values pass looked it up too.
  const strings = [[0x0a, ...str('Lcom/x/K;').slice(1)], str('API_SECRET'), str('s3cr3t-value'), str('https://x')];
  const probe = tinyDex({ strings, staticValues: [0x01, 0x17, 0x02] });
  const pdv = new DataView(probe.buffer);
  const classDataOff = pdv.getUint32(pdv.getUint32(0x64, true) + 24, true);
  const codeOff = classDataOff + 10;
  const classData = [
    0x01, 0x00, 0x01, 0x00, //                       1 static field, 1 direct method
    0x00, 0x19, //                                   encoded_field
    0x00, 0x09, 0x80 | (codeOff & 0x7f), codeOff >> 7, // encoded_method: method_idx_diff, access_flags, code_off (2-byte ULEB)
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // code_item: registers_size 1, ins_size, outs_size, tries_size
    0x00, 0x00, 0x00, 0x00, //                       debug_info_off
    0x03, 0x00, 0x00, 0x00, //                       insns_size = 3 code units
    0x1a, 0x00, 0x03, 0x00, 0x0e, 0x00, //           const-string v0, string@3; return-void
  ];
  const r = decode(tinyDex({ strings, staticValues: [0x01, 0x17, 0x02], classData }));
  t.same(r.out.map((s) => [s.text, s.context, s.scope]), [
    ['Lcom/x/K;', undefined, undefined],
    ['API_SECRET', undefined, undefined],
    ['s3cr3t-value', 'API_SECRET', 'com.x.K'],
    ['https://x', undefined, 'com.x.K'],
  ]);
  t.same(r.warnings.map((w) => w.code), ['dex.string_length_mismatch']);
  t.match(r.warnings[0]!.message, /^1 string decodes .*first: string_ids\[0\]/);
  t.end();
});

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    const b = n & 0x7f;
    n >>>= 7;
    out.push(n ? b | 0x80 : b);
  } while (n);
  return out;
};

/**
 * main.dex with `offsets.length` class_defs appended after its own (class_idx 0, no static values), each pointing at
 * blob + offset, where blob is appended to the file as class_data.
 */
function mainWithClassData(blob: number[], offsets: number[]): Uint8Array {
  const orig = fixture('main').bytes;
  const odv = new DataView(orig.buffer, orig.byteOffset);
  const origDefs = orig.subarray(odv.getUint32(0x64, true), odv.getUint32(0x64, true) + odv.getUint32(0x60, true) * 32);
  const blobOff = orig.length;
  const defsOff = (blobOff + blob.length + 3) & ~3;
  const out = new Uint8Array(defsOff + origDefs.length + offsets.length * 32);
  const dv = new DataView(out.buffer);
  out.set(orig, 0);
  out.set(blob, blobOff);
  out.set(origDefs, defsOff);
  offsets.forEach((off, k) => {
    const def = defsOff + origDefs.length + k * 32;
    dv.setUint32(def + 8, 0xffffffff, true); //  superclass_idx = NO_INDEX
    dv.setUint32(def + 16, 0xffffffff, true); // source_file_idx = NO_INDEX
    dv.setUint32(def + 24, blobOff + off, true); // class_data_off
  });
  dv.setUint32(0x20, out.length, true);
  dv.setUint32(0x60, origDefs.length / 32 + offsets.length, true);
  dv.setUint32(0x64, defsOff, true);
  return out;
}

t.test('hand-made: many class_defs sharing one big class_data_item: walked once, same result as without them', (t) => {
  // 1000 classes x one class_data of 5000 methods without code: read per class, that is 15 MB of ULEB128s for a
  // 49 KB file; the code pass charges class_data bytes to its budget, so only walking it once avoids a warning.
  const methods = 5000;
  const blob = [0x00, 0x00, ...uleb(methods), 0x00, ...new Array(methods).fill([0x00, 0x01, 0x00]).flat()];
  const bytes = mainWithClassData(blob, new Array(1000).fill(0));
  const shared = decode(bytes);
  const plain = decode(fixture('main').bytes);
  t.same(shared.warnings, []);
  t.same(shared.out, plain.out, 'same strings, bindings and scopes as main.dex alone');
  t.end();
});

t.test('hand-made: class_data items overlapping at different offsets are charged to the code budget', (t) => {
  // 200 records of 7 bytes, then zeros. At each record a class_data header says 8000 direct methods; the methods that
  // follow are the later records and the zeros, read as (0, 0, 0) and (0, 8000, 0) triples: no code, 24 KB per class.
  const record = [0x00, 0x00, ...uleb(8000), 0x00, 0x00, 0x00];
  const blob = [...new Array(200).fill(record).flat(), ...new Array(3 * 8000).fill(0)];
  const bytes = mainWithClassData(blob, Array.from({ length: 200 }, (_, k) => k * record.length));
  const r = decode(bytes);
  t.same(r.warnings.map((w) => w.code), ['dex.code_budget'], 'stops once class_data read exceeds the budget');
  t.same(r.out, decode(fixture('main').bytes).out, 'main.dex classes (read first) keep their results');
  t.end();
});

// ---------------------------------------------------------------- hostile sweep

t.test('truncation and byte-flip sweep over main.dex ends in results or a DecodeError', (t) => {
  const { bytes } = fixture('main');
  let results = 0;
  let errors = 0;
  const attempt = (b: Uint8Array) => {
    try {
      let n = 0;
      for (const s of decodeDex(b, collectingContext('classes.dex'))) if (typeof s.text === 'string') n++;
      results++;
      return n;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      errors++;
      return -1;
    }
  };
  for (let len = 0; len < bytes.length; len++) attempt(bytes.subarray(0, len));
  for (let i = 0; i < bytes.length; i++) {
    for (const v of [0xff, 0x80, 0x00, bytes[i]! ^ 0x01]) {
      const b = bytes.slice();
      b[i] = v;
      attempt(b);
    }
  }
  t.ok(results > 0 && errors > 0, `${results} results, ${errors} DecodeErrors, nothing else`);
  t.equal(attempt(bytes), 44 + 2 + 1, 'the unmodified file still decodes fully (44 string_ids + 2 extra bindings + 1 code use)');
  t.end();
});

// ---------------------------------------------------------------- code context (register walk), against dexdump -d

/** `dexdump -d` golden: method header -> { pc -> instruction text }. */
function dexdumpInstructions(text: string): Map<string, Map<number, string>> {
  const methods = new Map<string, Map<number, string>>();
  let current: Map<number, string> | undefined;
  for (const line of text.split('\n')) {
    const head = /\|\[[0-9a-f]+\] ([\w.$<>]+):(\(.*)$/.exec(line);
    if (head) {
      current = new Map();
      methods.set(`${head[1]}:${head[2]}`, current);
      continue;
    }
    const ins = /\|([0-9a-f]{4}): (.*)$/.exec(line);
    if (ins && current) current.set(parseInt(ins[1]!, 16), ins[2]!);
  }
  return methods;
}

t.test('codeflow.dex: every code use, at the pc and instruction dexdump -d shows', (t) => {
  const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'codeflow.dex')));
  const golden = dexdumpInstructions(readFileSync(join(FIXTURES, 'codeflow.dexdump.txt'), 'utf8'));
  const { out, warnings } = decode(bytes, 'codeflow.dex');
  t.same(warnings, [], 'decodes without warnings');
  const uses = out.filter((s) => s.code !== undefined);
  const got = uses.map((s) => [s.text, s.location.pointer, s.context ?? null, s.scope, s.code]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
  const K = 'Lcom/flow/Keys;->';
  const want: (string | null)[][] = [
    ['clinit-assigned-value', `${K}<clinit>()V+0x0002: sput com.flow.Keys.apiSecret`, 'apiSecret', 'com.flow.Keys', 'sput com.flow.Keys.apiSecret in com.flow.Keys.<clinit>'],
    ['ctor-assigned-value', `${K}<init>()V+0x0005: iput com.flow.Keys.clientSecret`, 'clientSecret', 'com.flow.Keys', 'iput com.flow.Keys.clientSecret in com.flow.Keys.<init>'],
    ['compared-as-receiver', `${K}checkPassword(Ljava/lang/String;)Z+0x0002: receiver of java.lang.String.equals`, null, 'com.flow.Keys', 'receiver of java.lang.String.equals in com.flow.Keys.checkPassword'],
    ['compared-as-argument', `${K}checkPassword(Ljava/lang/String;)Z+0x000a: arg 0 of java.lang.String.equals`, 'equals', 'com.flow.Keys', 'arg 0 of java.lang.String.equals in com.flow.Keys.checkPassword'],
    ['returned-by-getter', `${K}consumerSecret()Ljava/lang/String;+0x0003: return`, 'consumerSecret', 'com.flow.Keys', 'return in com.flow.Keys.consumerSecret'],
    ['a2V5LXRocm91Z2gtYmFzZTY0', `${K}decoded()V+0x0009: arg 0 of javax.crypto.spec.IvParameterSpec.<init> via android.util.Base64.decode`, 'IvParameterSpec', 'com.flow.Keys', 'arg 0 of javax.crypto.spec.IvParameterSpec.<init> via android.util.Base64.decode in com.flow.Keys.decoded'],
    ['00112233445566778899aabbccddeeff', `${K}decoded()V+0x0012: arg 0 of com.flow.Keys.use via com.flow.Keys.hex`, 'use', 'com.flow.Keys', 'arg 0 of com.flow.Keys.use via com.flow.Keys.hex in com.flow.Keys.decoded'],
    ['key-through-getbytes', `${K}key()Ljavax/crypto/spec/SecretKeySpec;+0x000a: arg 0 of javax.crypto.spec.SecretKeySpec.<init> via java.lang.String.getBytes`, null, 'com.flow.Keys', 'arg 0 of javax.crypto.spec.SecretKeySpec.<init> via java.lang.String.getBytes in com.flow.Keys.key'],
    ['passed-through-range', `${K}ranged()V+0x0005: arg 1 of com.flow.Keys.four`, null, 'com.flow.Keys', 'arg 1 of com.flow.Keys.four in com.flow.Keys.ranged'],
    ['https://api.example.org/v1/items?apikey=', `${K}url()Ljava/lang/String;+0x0007: arg 0 of java.lang.StringBuilder.append`, 'append', 'com.flow.Keys', 'arg 0 of java.lang.StringBuilder.append in com.flow.Keys.url'],
    ['appended-query-key', `${K}url()Ljava/lang/String;+0x000d: arg 0 of java.lang.StringBuilder.append after "?apikey="`, '?apikey=', 'com.flow.Keys', 'arg 0 of java.lang.StringBuilder.append after "?apikey=" in com.flow.Keys.url'],
    ['X-Api-Key', `${K}url()Ljava/lang/String;+0x0017: arg 0 of com.flow.Keys.header`, null, 'com.flow.Keys', 'arg 0 of com.flow.Keys.header in com.flow.Keys.url'],
    ['appended-query-key', `${K}url()Ljava/lang/String;+0x0017: arg 1 of com.flow.Keys.header via java.lang.StringBuilder.toString after "X-Api-Key"`, 'X-Api-Key', 'com.flow.Keys', 'arg 1 of com.flow.Keys.header via java.lang.StringBuilder.toString after "X-Api-Key" in com.flow.Keys.url'],
    ['appended-query-key', `${K}url()Ljava/lang/String;+0x001a: return via java.lang.StringBuilder.toString`, 'url', 'com.flow.Keys', 'return via java.lang.StringBuilder.toString in com.flow.Keys.url'],
    ['after-a-wide-argument', `${K}wide()V+0x0004: arg 1 of com.flow.Keys.takesWide`, null, 'com.flow.Keys', 'arg 1 of com.flow.Keys.takesWide in com.flow.Keys.wide'],
    ['survives-an-iget', `${K}igetKeeps(Lcom/flow/Keys;)V+0x0004: arg 1 of com.flow.Keys.header`, null, 'com.flow.Keys', 'arg 1 of com.flow.Keys.header in com.flow.Keys.igetKeeps'],
  ].sort((a, b) => String(a[1]).localeCompare(String(b[1])));
  t.same(got, want, 'uses, pointers, names, scopes and code texts');
  for (const lost of ['overwritten-before-use', 'lost-after-goto', 'expired-after-64', 'AES']) {
    t.notOk(uses.some((s) => s.text === lost), `no use recorded for ${lost} (overwritten, path ended, expired, or under 4 characters)`);
    t.ok(out.some((s) => s.text === lost && s.location.pointer.startsWith('string_ids[')), `${lost} is still in the string table`);
  }
  // The independent disassembler agrees on each use's method, pc and instruction.
  for (const s of uses) {
    const m = /^Lcom\/flow\/Keys;->([^(]+)(\(.*?)\+0x([0-9a-f]{4}): (\S+)/.exec(s.location.pointer)!;
    const ins = golden.get(`com.flow.Keys.${m[1]}:${m[2]}`)?.get(parseInt(m[3]!, 16));
    const kind = m[4]!;
    const expect = kind === 'return' ? /^return-object / : kind === 'sput' ? /^sput-object / : kind === 'iput' ? /^iput-object / : /^invoke-/;
    t.match(ins ?? '(no instruction)', expect, `${s.location.pointer}: dexdump shows ${ins}`);
    const callee = / of ([\w.$]+)\.([\w<>$]+)/.exec(s.location.pointer);
    if (callee) t.ok(ins?.includes(`L${callee[1]!.replaceAll('.', '/')};.${callee[2]}:`), `${s.location.pointer}: dexdump names the same callee`);
    // The string that reached the use came from a const-string of that method, at a lower pc.
    const consts = [...(golden.get(`com.flow.Keys.${m[1]}:${m[2]}`) ?? new Map<number, string>()).entries()].filter(([pc, text]) => pc < parseInt(m[3]!, 16) && text.startsWith('const-string') && text.includes(JSON.stringify(s.text)));
    t.ok(consts.length > 0, `${s.text}: loaded by a const-string before the use`);
  }
  t.end();
});

t.test('codeflow.dex: truncation and byte-flip sweep over the walk ends in results or a DecodeError', (t) => {
  const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'codeflow.dex')));
  let results = 0;
  let errors = 0;
  for (let i = 0; i < bytes.length; i++) {
    for (const v of [0xff, 0x80, 0x00, 0x74, 0x1a, bytes[i]! ^ 0x01]) {
      const b = bytes.slice();
      b[i] = v;
      try {
        for (const s of decodeDex(b, collectingContext('codeflow.dex'))) if (typeof s.text !== 'string') throw new Error('not a string');
        results++;
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        errors++;
      }
    }
  }
  for (let len = 0; len < bytes.length; len += 7) {
    try {
      for (const s of decodeDex(bytes.subarray(0, len), collectingContext('codeflow.dex'))) void s;
      results++;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      errors++;
    }
  }
  t.ok(results > 0 && errors > 0, `${results} results, ${errors} DecodeErrors, nothing else`);
  t.end();
});
