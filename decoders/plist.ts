import { Buffer } from 'node:buffer';
import { DecodeError, type DecodeContext, type DecodedString, type Decoder, type DecodeWarning } from './types.js';
import { hex } from './reader.js';
import { WorkBudget } from './budget.js';
import { readXmlPlist } from './plist-xml.js';

// Binary format: Apple CoreFoundation CFBinaryPList.c (bplist00 header, trailer, offset table, object markers).
// XML: Apple's PropertyList-1.0.dtd, read from xmldom's DOM (plist-xml.ts). Text: the OpenStep (NeXT) property list syntax.

/**
 * Most nodes read from one plist: values visited when its strings are taken (shared containers once), or parsed from
 * XML and OpenStep text. A plist of a few MB has far fewer; the budget bounds what a crafted one costs.
 */
export const MAX_PLIST_NODES = 1_000_000;
/** Deepest nesting of arrays and dicts followed. */
export const MAX_PLIST_DEPTH = 256;
/** Largest XML plist handed to the DOM parser, in characters. */
export const MAX_XML_PLIST_CHARS = 32 * 1024 * 1024;
/** Largest text (OpenStep, .strings) plist parsed, in characters. */
export const MAX_TEXT_PLIST_CHARS = 64 * 1024 * 1024;
/** Longest key path carried as context; longer ones are cut. */
export const MAX_KEY_PATH_CHARS = 256;
/** Shortest printable run taken out of a `<data>` value. */
export const DATA_MIN_RUN = 8;
/** Integers with at least this many digits are emitted as strings (numeric app ids, sender ids). */
export const MIN_NUMBER_DIGITS = 12;

const BPLIST_HEADER = 8;
const BPLIST_TRAILER = 32;
/** Seconds between the Unix epoch and the CoreFoundation epoch (2001-01-01T00:00:00Z). */
const CF_EPOCH_SECONDS = 978_307_200;

/** A CFKeyedArchiver UID (bplist marker 0x8). */
export class PlistUid {
  constructor(readonly value: number) {}
}

/** A property list value. Dicts are Maps, so no key (`__proto__`, `constructor`) is special. */
export type PlistValue = string | number | bigint | boolean | Date | Uint8Array | PlistUid | null | PlistValue[] | PlistDict;
/** A property list dictionary, in file order. */
export type PlistDict = Map<string, PlistValue>;

/** Which syntax a plist was written in. */
export type PlistFormat = 'binary' | 'xml' | 'openstep';

/** Options for the plist parsers. */
export interface PlistOptions {
  /** Most nodes to expand (default {@link MAX_PLIST_NODES}). */
  maxNodes?: number;
  /** Receives tampered-but-readable conditions. */
  warn?: (w: DecodeWarning) => void;
}

function fail(code: string, message: string, offset?: number): never {
  throw new DecodeError(`plist.${code}`, message, offset);
}

/** A budget of expanded nodes shared by one parse. */
class NodeBudget {
  used = 0;
  constructor(readonly max: number) {}
  take(offset?: number): void {
    if (++this.used > this.max) fail('too_many_nodes', `plist has more than ${this.max} nodes: stopped`, offset);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// bplist00

/** True when `bytes` starts with the binary plist magic. */
export function isBinaryPlist(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && bytes[0] === 0x62 && bytes[1] === 0x70 && bytes[2] === 0x6c && bytes[3] === 0x69 && bytes[4] === 0x73 && bytes[5] === 0x74;
}

/** Reads a big-endian unsigned integer of `size` (1..8) bytes as a number; 2^53 and above is an error. */
function beUint(bytes: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + bytes[at + i]!;
  if (v > Number.MAX_SAFE_INTEGER) fail('too_large', `${size}-byte integer is too large`, at);
  return v;
}

/** A parsed bplist00: trailer checked, offset table checked against the buffer, objects read on demand. */
class BinaryPlist {
  readonly offsetIntSize: number;
  readonly refSize: number;
  readonly numObjects: number;
  readonly topObject: number;
  readonly offsetTable: number;
  private readonly view: DataView;
  /** Each object is read once: shared references (legal, and how CF dedups) reuse the value, so a DAG costs its size. */
  private readonly memo: (PlistValue | undefined)[];
  /** Object indices on the path from the top object to the one being read: a reference back to one is a cycle. */
  private readonly onPath = new Set<number>();

  constructor(
    readonly bytes: Uint8Array,
    opts: PlistOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = bytes.length;
    if (n < BPLIST_HEADER + BPLIST_TRAILER + 1) fail('truncated', `binary plist of ${n} bytes is shorter than header and trailer`, 0);
    const version = String.fromCharCode(bytes[6]!, bytes[7]!);
    if (!isBinaryPlist(bytes) || version !== '00') fail('bad_magic', `not a bplist00 (version "${version.replace(/[^ -~]/g, '?')}")`, 0);
    // CFBinaryPList.c CFBinaryPlistTrailer: 5 unused bytes, sort version, offset int size, object ref size, 3 x u64.
    const t = n - BPLIST_TRAILER;
    this.offsetIntSize = bytes[t + 6]!;
    this.refSize = bytes[t + 7]!;
    const numObjects = this.view.getBigUint64(t + 8, false);
    const topObject = this.view.getBigUint64(t + 16, false);
    const offsetTable = this.view.getBigUint64(t + 24, false);
    if (this.offsetIntSize < 1 || this.offsetIntSize > 8) fail('bad_trailer', `offset int size ${this.offsetIntSize} is not 1..8`, t + 6);
    if (this.refSize < 1 || this.refSize > 8) fail('bad_trailer', `object ref size ${this.refSize} is not 1..8`, t + 7);
    if (numObjects < 1n || numObjects > BigInt(n)) fail('bad_trailer', `object count ${numObjects} is impossible in ${n} bytes`, t + 8);
    if (topObject >= numObjects) fail('bad_trailer', `top object ${topObject} is not below the object count ${numObjects}`, t + 16);
    if (offsetTable < BigInt(BPLIST_HEADER) || offsetTable >= BigInt(t)) fail('bad_trailer', `offset table at ${offsetTable} is outside the object area`, t + 24);
    this.numObjects = Number(numObjects);
    this.memo = new Array<PlistValue | undefined>(Math.min(this.numObjects, n));
    this.topObject = Number(topObject);
    this.offsetTable = Number(offsetTable);
    if (this.numObjects * this.offsetIntSize > t - this.offsetTable) {
      fail('bad_trailer', `offset table of ${this.numObjects} x ${this.offsetIntSize} bytes at ${this.offsetTable} runs into the trailer`, this.offsetTable);
    }
    // An object count that the reference width cannot address is a lie about one or the other.
    if (this.refSize < 8 && this.numObjects > 2 ** (8 * this.refSize)) opts.warn?.({ code: 'plist.bad_trailer', message: `${this.numObjects} objects cannot all be addressed by ${this.refSize}-byte references`, offset: t + 7 });
  }

  /** File offset of object `index`, checked to lie between the header and the offset table. */
  private objectOffset(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.numObjects) fail('bad_ref', `object reference ${index} is not below ${this.numObjects}`);
    const at = this.offsetTable + index * this.offsetIntSize;
    const off = beUint(this.bytes, at, this.offsetIntSize);
    if (off < BPLIST_HEADER || off >= this.offsetTable) fail('bad_offset', `object ${index} at offset ${off} is outside the object area`, at);
    return off;
  }

  /** The length that follows a marker's low nibble 0xF: an int object (marker 0x1N). */
  private count(marker: number, at: number): { count: number; next: number } {
    const low = marker & 0x0f;
    if (low !== 0x0f) return { count: low, next: at + 1 };
    const p = at + 1;
    if (p >= this.offsetTable) fail('truncated', 'length marker runs past the object area', p);
    const m = this.bytes[p]!;
    if (m >> 4 !== 0x1) fail('bad_length', `length is not an integer (marker 0x${m.toString(16)})`, p);
    const size = 1 << (m & 0x0f);
    if (size > 8) fail('bad_length', `${size}-byte length`, p);
    if (p + 1 + size > this.offsetTable) fail('truncated', 'length runs past the object area', p);
    return { count: beUint(this.bytes, p + 1, size), next: p + 1 + size };
  }

  private need(at: number, n: number, what: string): void {
    if (n < 0 || at + n > this.offsetTable) fail('truncated', `${what} of ${n} bytes at ${at} runs past the object area`, at);
  }

  private ref(at: number): number {
    return beUint(this.bytes, at, this.refSize);
  }

  /** The value graph under the top object. */
  root(): PlistValue {
    return this.object(this.topObject, 0);
  }

  private object(index: number, depth: number): PlistValue {
    const known = this.memo[index];
    if (known !== undefined) return known;
    const value = this.read(index, depth);
    this.memo[index] = value;
    return value;
  }

  private read(index: number, depth: number): PlistValue {
    const at = this.objectOffset(index);
    const marker = this.bytes[at]!;
    const kind = marker >> 4;
    switch (kind) {
      case 0x0:
        if (marker === 0x00) return null;
        if (marker === 0x08) return false;
        if (marker === 0x09) return true;
        return fail('bad_marker', `unknown marker 0x${marker.toString(16)}`, at);
      case 0x1: {
        const size = 1 << (marker & 0x0f);
        if (size > 16) fail('bad_marker', `${size}-byte integer`, at);
        this.need(at + 1, size, 'integer');
        if (size === 16) {
          // CFBinaryPList writes 128-bit integers as 16 bytes; only the low 8 are meaningful for values CF can hold.
          return this.view.getBigInt64(at + 9, false);
        }
        if (size === 8) {
          const v = this.view.getBigInt64(at + 1, false);
          return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
        }
        return beUint(this.bytes, at + 1, size);
      }
      case 0x2: {
        const size = 1 << (marker & 0x0f);
        this.need(at + 1, size, 'real');
        if (size === 4) return this.view.getFloat32(at + 1, false);
        if (size === 8) return this.view.getFloat64(at + 1, false);
        return fail('bad_marker', `${size}-byte real`, at);
      }
      case 0x3: {
        if (marker !== 0x33) fail('bad_marker', `date marker 0x${marker.toString(16)}`, at);
        this.need(at + 1, 8, 'date');
        return new Date((this.view.getFloat64(at + 1, false) + CF_EPOCH_SECONDS) * 1000);
      }
      case 0x4: {
        const { count, next } = this.count(marker, at);
        this.need(next, count, 'data');
        return this.bytes.slice(next, next + count);
      }
      case 0x5: {
        const { count, next } = this.count(marker, at);
        this.need(next, count, 'ASCII string');
        return latin1(this.bytes, next, count);
      }
      case 0x6: {
        const { count, next } = this.count(marker, at);
        if (count > (this.offsetTable - next) / 2) fail('truncated', `UTF-16 string of ${count} units at ${next} runs past the object area`, next);
        return utf16be(this.bytes, next, count);
      }
      case 0x7: {
        const { count, next } = this.count(marker, at);
        this.need(next, count, 'UTF-8 string');
        return new TextDecoder().decode(this.bytes.subarray(next, next + count));
      }
      case 0x8: {
        // CFBinaryPList.c: 1..16 big-endian bytes of which only the low 64 bits count, refused over UINT32_MAX.
        const size = (marker & 0x0f) + 1;
        this.need(at + 1, size, 'UID');
        let v = 0;
        for (let i = at + 1 + size - Math.min(size, 8); i < at + 1 + size; i++) v = v * 256 + this.bytes[i]!;
        if (v > 0xffffffff) fail('bad_uid', `${size}-byte UID is over 2^32 - 1`, at);
        return new PlistUid(v);
      }
      case 0xa:
      case 0xb:
      case 0xc:
      case 0xd:
        return this.container(index, at, marker, depth);
      default:
        return fail('bad_marker', `unknown marker 0x${marker.toString(16)}`, at);
    }
  }

  private container(index: number, at: number, marker: number, depth: number): PlistValue {
    if (depth >= MAX_PLIST_DEPTH) fail('too_deep', `containers nested deeper than ${MAX_PLIST_DEPTH}`, at);
    const { count, next } = this.count(marker, at);
    const isDict = marker >> 4 === 0xd;
    const refs = isDict ? count * 2 : count;
    if (refs > (this.offsetTable - next) / this.refSize) fail('truncated', `${refs} references of ${this.refSize} bytes at ${next} run past the object area`, next);
    if (this.onPath.has(index)) fail('cycle', `object ${index} contains itself`, at);
    this.onPath.add(index);
    try {
      if (!isDict) {
        const out: PlistValue[] = [];
        for (let i = 0; i < count; i++) out.push(this.child(this.ref(next + i * this.refSize), depth, at));
        return out;
      }
      const out: PlistDict = new Map();
      for (let i = 0; i < count; i++) {
        const keyRef = this.ref(next + i * this.refSize);
        const key = this.child(keyRef, depth, at);
        if (typeof key !== 'string') fail('bad_key', `dict key ${i} is not a string`, next + i * this.refSize);
        const value = this.child(this.ref(next + (count + i) * this.refSize), depth, at);
        out.set(key, value);
      }
      return out;
    } finally {
      this.onPath.delete(index);
    }
  }

  private child(ref: number, depth: number, parentAt: number): PlistValue {
    if (this.onPath.has(ref)) fail('cycle', `object at ${parentAt} refers back to its ancestor ${ref}`, parentAt);
    return this.object(ref, depth + 1);
  }
}

function latin1(bytes: Uint8Array, at: number, n: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, n).toString('latin1');
}

function utf16be(bytes: Uint8Array, at: number, units: number): string {
  const le = Buffer.allocUnsafe(units * 2);
  for (let i = 0; i < units; i++) {
    le[2 * i] = bytes[at + 2 * i + 1]!;
    le[2 * i + 1] = bytes[at + 2 * i]!;
  }
  return le.toString('utf16le');
}

/**
 * Parses a bplist00 into a value graph; throws DecodeError on a lying trailer, a bad offset or a cycle. Shared
 * references stay shared (a bomb parses in the time its objects take); {@link plistStrings} and {@link plistToJson}
 * count expanded nodes against the budget.
 */
export function parseBinaryPlist(bytes: Uint8Array, opts: PlistOptions = {}): PlistValue {
  return new BinaryPlist(bytes, opts).root();
}

// ---------------------------------------------------------------------------------------------------------------
// XML

/** True when the head of a text looks like an XML property list. */
export function looksLikeXmlPlist(text: string): boolean {
  const head = text.slice(0, 1024).replace(/^\uFEFF/, '');
  return /^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!DOCTYPE\s+plist[^>]*>\s*)?<plist[\s>]/.test(head);
}

/** Deepest `<array>`/`<dict>` nesting in an XML text, counted without a parser (the reader recurses, plist-xml.ts). */
function xmlNesting(text: string): number {
  let depth = 0;
  let max = 0;
  const re = /<(\/?)(array|dict)\b[^>]*?(\/?)>/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') depth--;
    else if (++depth > max) max = depth;
  }
  return max;
}

/** Parses an XML plist text (plist-xml.ts over xmldom); every failure becomes a DecodeError. Other text is refused. */
export function parseXmlPlistText(text: string, opts: PlistOptions = {}): PlistValue {
  if (!looksLikeXmlPlist(text)) fail('not_xml', 'text does not start like an XML plist (<?xml ...> or <plist>)');
  if (text.length > MAX_XML_PLIST_CHARS) fail('too_large', `XML plist of ${text.length} characters is over the ${MAX_XML_PLIST_CHARS} limit`);
  const depth = xmlNesting(text);
  if (depth > MAX_PLIST_DEPTH) fail('too_deep', `XML plist nested ${depth} deep, over ${MAX_PLIST_DEPTH}`);
  const budget = new NodeBudget(opts.maxNodes ?? MAX_PLIST_NODES);
  try {
    return readXmlPlist(text, () => budget.take());
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    fail('bad_xml', `XML plist: ${e instanceof Error ? e.message.split('\n')[0]!.slice(0, 200) : String(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// OpenStep text (and .strings files, which are an OpenStep dict without the outer braces)

const OPENSTEP_UNQUOTED = /[A-Za-z0-9_$+/:.\-]/;

/** OpenStep property list parser (NeXT syntax: `{ key = value; }`, `( a, b )`, `<hex data>`, quoted and bare strings). */
class OpenStepParser {
  pos = 0;
  constructor(
    readonly text: string,
    readonly budget: NodeBudget,
  ) {}

  private err(code: string, message: string): never {
    fail(code, `OpenStep plist: ${message} at character ${this.pos}`, this.pos);
  }

  skipSpace(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0xfeff) this.pos++;
      else if (c === 0x2f && t.charCodeAt(this.pos + 1) === 0x2f) {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl + 1;
      } else if (c === 0x2f && t.charCodeAt(this.pos + 1) === 0x2a) {
        const end = t.indexOf('*/', this.pos + 2);
        if (end < 0) this.err('unterminated', 'comment not closed');
        this.pos = end + 2;
      } else return;
    }
  }

  get done(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  value(depth: number): PlistValue {
    if (depth > MAX_PLIST_DEPTH) this.err('too_deep', `nested deeper than ${MAX_PLIST_DEPTH}`);
    this.skipSpace();
    this.budget.take(this.pos);
    const c = this.text[this.pos];
    if (c === '{') {
      this.pos++;
      return this.dictBody(depth, '}');
    }
    if (c === '(') {
      this.pos++;
      const out: PlistValue[] = [];
      for (;;) {
        this.skipSpace();
        if (this.text[this.pos] === ')') {
          this.pos++;
          return out;
        }
        out.push(this.value(depth + 1));
        this.skipSpace();
        const sep = this.text[this.pos];
        if (sep === ',') this.pos++;
        else if (sep !== ')') this.err('bad_syntax', `expected ',' or ')' but found ${JSON.stringify(sep ?? 'end')}`);
      }
    }
    if (c === '<') return this.data();
    if (c === '"' || c === "'") return this.quoted(c);
    return this.unquoted();
  }

  /** `key = value;` pairs until `close` (or the end of the text for a .strings file, `close` undefined). */
  dictBody(depth: number, close: string | undefined): PlistDict {
    const out: PlistDict = new Map();
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) {
        if (close === undefined) return out;
        this.err('unterminated', 'dict not closed');
      }
      if (this.text[this.pos] === close) {
        this.pos++;
        return out;
      }
      const key = this.value(depth + 1);
      if (typeof key !== 'string') this.err('bad_key', 'dict key is not a string');
      this.skipSpace();
      if (this.text[this.pos] === ';') {
        // .strings shorthand: `"key";` means key = key.
        this.pos++;
        out.set(key, key);
        continue;
      }
      if (this.text[this.pos] !== '=') this.err('bad_syntax', `expected '=' after key ${JSON.stringify(key.slice(0, 40))}`);
      this.pos++;
      out.set(key, this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ';') this.pos++;
      else if (this.text[this.pos] !== close) this.err('bad_syntax', `expected ';' after the value of ${JSON.stringify(key.slice(0, 40))}`);
    }
  }

  private data(): Uint8Array {
    const end = this.text.indexOf('>', this.pos);
    if (end < 0) this.err('unterminated', 'data not closed');
    const hexText = this.text.slice(this.pos + 1, end).replace(/\s+/g, '');
    if (!/^(?:[0-9A-Fa-f]{2})*$/.test(hexText)) this.err('bad_data', 'data is not hex digit pairs');
    this.pos = end + 1;
    return Buffer.from(hexText, 'hex');
  }

  private quoted(q: string): string {
    const t = this.text;
    let out = '';
    let i = this.pos + 1;
    let chunk = i;
    for (;;) {
      if (i >= t.length) {
        this.pos = i;
        this.err('unterminated', 'string not closed');
      }
      const c = t[i];
      if (c === q) {
        out += t.slice(chunk, i);
        this.pos = i + 1;
        return out;
      }
      if (c !== '\\') {
        i++;
        continue;
      }
      out += t.slice(chunk, i);
      const e = t[i + 1];
      i += 2;
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'a': out += '\x07'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case 'U':
        case 'u': {
          const m = /^[0-9A-Fa-f]{1,4}/.exec(t.slice(i, i + 4));
          if (!m) out += e;
          else {
            out += String.fromCharCode(parseInt(m[0], 16));
            i += m[0].length;
          }
          break;
        }
        default:
          if (e !== undefined && e >= '0' && e <= '7') {
            const m = /^[0-7]{1,3}/.exec(t.slice(i - 1, i + 2))!;
            out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
            i += m[0].length - 1;
          } else if (e !== undefined) out += e;
      }
      chunk = i;
    }
  }

  private unquoted(): string {
    const start = this.pos;
    while (this.pos < this.text.length && OPENSTEP_UNQUOTED.test(this.text[this.pos]!)) this.pos++;
    if (this.pos === start) this.err('bad_syntax', `unexpected ${JSON.stringify(this.text[this.pos])}`);
    return this.text.slice(start, this.pos);
  }
}

/** Parses an OpenStep text plist; a text without the outer braces that holds `key = value;` pairs is read as a dict (.strings). */
export function parseOpenStepPlist(text: string, opts: PlistOptions = {}): PlistValue {
  if (text.length > MAX_TEXT_PLIST_CHARS) fail('too_large', `text plist of ${text.length} characters is over the ${MAX_TEXT_PLIST_CHARS} limit`);
  const p = new OpenStepParser(text, new NodeBudget(opts.maxNodes ?? MAX_PLIST_NODES));
  if (p.done) return new Map();
  const first = text[p.pos];
  if (first === '{' || first === '(') {
    const v = p.value(0);
    if (!p.done) opts.warn?.({ code: 'plist.trailing_data', message: 'text after the top-level value was ignored', offset: p.pos });
    return v;
  }
  return p.dictBody(0, undefined);
}

// ---------------------------------------------------------------------------------------------------------------
// Any syntax, and the strings of a parsed plist

/** Decodes plist text bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM. */
export function plistText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return Buffer.from(bytes.buffer, bytes.byteOffset + 2, (bytes.length - 2) & ~1).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return utf16be(bytes, 2, (bytes.length - 2) >> 1);
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return new TextDecoder().decode(bytes.subarray(start));
}

/** Parses a plist in any of the three syntaxes, judged by content. */
export function parsePlist(bytes: Uint8Array, opts: PlistOptions = {}): { format: PlistFormat; value: PlistValue } {
  if (isBinaryPlist(bytes)) return { format: 'binary', value: parseBinaryPlist(bytes, opts) };
  if (bytes.length > MAX_TEXT_PLIST_CHARS * 2) fail('too_large', `text plist of ${bytes.length} bytes is too large`);
  const text = plistText(bytes);
  if (looksLikeXmlPlist(text)) return { format: 'xml', value: parseXmlPlistText(text, opts) };
  return { format: 'openstep', value: parseOpenStepPlist(text, opts) };
}

/** `CFBundleURLTypes[0].CFBundleURLSchemes[0]`: dict keys joined with dots, array indices in brackets. */
function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Printable ASCII runs of at least DATA_MIN_RUN bytes inside a data value, with their offsets. */
function* dataRuns(data: Uint8Array): Generator<[number, string]> {
  let start = -1;
  for (let i = 0; i <= data.length; i++) {
    const b = i < data.length ? data[i]! : 0;
    const printable = b >= 0x20 && b <= 0x7e;
    if (printable && start < 0) start = i;
    else if (!printable && start >= 0) {
      if (i - start >= DATA_MIN_RUN) yield [start, latin1(data, start, i - start)];
      start = -1;
    }
  }
}

/**
 * Every string of a parsed plist with its key path as pointer and context: strings, long integers, printable runs of
 * data values. Walks iteratively, so depth costs no stack. A container referenced from several places (a binary
 * plist may share objects: a DAG) is read once, under its first key path: a "bplist bomb" whose arrays each refer to
 * the next one many times costs the size of the file, not the 2^n nodes it expands to (one `plist.shared_container`
 * warning says so). Every node visited is charged to a budget of `maxNodes`; past it the rest is not read.
 */
export function* plistStrings(root: PlistValue, ctx: DecodeContext, decoder: string, opts: { keys?: boolean; maxNodes?: number } = {}): Generator<DecodedString> {
  const budget = new WorkBudget('plist.too_many_nodes', 'plist nodes', opts.maxNodes ?? MAX_PLIST_NODES, (w) => ctx.warn(w));
  const expanded = new Set<PlistValue[] | PlistDict>();
  let shared = 0;
  const stack: Array<[PlistValue, string]> = [[root, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (!budget.charge()) break;
    if (Array.isArray(v) || v instanceof Map) {
      if (expanded.has(v)) {
        if (shared++ === 0) ctx.warn({ code: 'plist.shared_container', message: `${path === '' ? '(root)' : cut(path)} refers to a container already read under another key path: shared containers are read once` });
        continue;
      }
      expanded.add(v);
    }
    const context = path === '' ? undefined : cut(path);
    const pointer = path === '' ? '(root)' : path;
    if (typeof v === 'string') {
      if (v !== '') yield withContext({ text: v, location: { entry: ctx.entry, decoder, pointer } }, context);
    } else if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') {
      const s = v.toString();
      if (s.replace('-', '').length >= MIN_NUMBER_DIGITS) yield withContext({ text: s, location: { entry: ctx.entry, decoder, pointer } }, context);
    } else if (v instanceof Uint8Array) {
      for (const [off, run] of dataRuns(v)) yield withContext({ text: run, location: { entry: ctx.entry, decoder, pointer: `${pointer} <data>+${hex(off)}` } }, context);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i]!, childPath(path, i)]);
    } else if (v instanceof Map) {
      const entries = [...v.entries()];
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i]!;
        // A .strings table may be keyed by the text itself: there, long keys are values too.
        if (opts.keys && k.length >= 16 && typeof x === 'string' && x !== k) yield { text: k, location: { entry: ctx.entry, decoder, pointer: `${childPath(path, k)} <key>` } };
        stack.push([x, childPath(path, k)]);
      }
    }
  }
}

/** A key path cut to MAX_KEY_PATH_CHARS. */
function cut(path: string): string {
  return path.length > MAX_KEY_PATH_CHARS ? path.slice(0, MAX_KEY_PATH_CHARS) : path;
}

function withContext(s: DecodedString, context: string | undefined): DecodedString {
  if (context !== undefined) s.context = context;
  return s;
}

/** Decoder `plist`: binary, XML or OpenStep property lists; every value carries its key path. */
export const decodePlist: Decoder = (bytes, ctx) => {
  const { value } = parsePlist(bytes, { warn: (w) => ctx.warn(w) });
  return plistStrings(value, ctx, 'plist');
};

/** Looks a key path up in a parsed plist (`CFBundleURLTypes[0].CFBundleURLSchemes`), undefined when absent. */
export function plistGet(root: PlistValue, ...keys: (string | number)[]): PlistValue | undefined {
  let v: PlistValue | undefined = root;
  for (const k of keys) {
    if (typeof k === 'number') v = Array.isArray(v) ? v[k] : undefined;
    else v = v instanceof Map ? v.get(k) : undefined;
    if (v === undefined) return undefined;
  }
  return v;
}

/** A plist value as JSON-like data (Maps to objects, data to base64, dates to ISO text), for comparing with plistlib. */
export function plistToJson(v: PlistValue, budget = new NodeBudget(MAX_PLIST_NODES)): unknown {
  budget.take();
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [k, plistToJson(x, budget)]));
  if (Array.isArray(v)) return v.map((x) => plistToJson(x, budget));
  if (v instanceof Uint8Array) return { $data: Buffer.from(v).toString('base64') };
  if (v instanceof Date) return { $date: Number.isNaN(v.getTime()) ? null : v.toISOString() };
  if (v instanceof PlistUid) return { $uid: v.value };
  if (typeof v === 'bigint') return v.toString();
  return v;
}
