import { DecodeError } from './types.js';

// ITU-T X.690: BER/DER encoding of tag, length and content.

/** Deepest nesting of constructed values followed. */
export const MAX_DER_DEPTH = 32;

/** One tag-length-value element; offsets index the buffer it was read from. */
export interface Tlv {
  /** First identifier octet (class, constructed bit, low tag number), e.g. 0x30 SEQUENCE, 0xa0 [0]. */
  tag: number;
  /** Tag number (decoded for the high-tag-number form too). */
  number: number;
  /** Constructed (holds TLVs) rather than primitive. */
  constructed: boolean;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the content (before an end-of-contents marker for indefinite lengths). */
  contentEnd: number;
  /** Offset just past the whole element. */
  end: number;
}

function fail(code: string, message: string, offset: number): never {
  throw new DecodeError(`der.${code}`, message, offset);
}

/** Reads the element at `at`, which must end by `limit`; indefinite lengths (BER) are resolved by walking the children. */
export function readTlv(bytes: Uint8Array, at: number, limit = bytes.length, depth = 0): Tlv {
  if (depth > MAX_DER_DEPTH) fail('too_deep', `nesting deeper than ${MAX_DER_DEPTH}`, at);
  if (limit > bytes.length) limit = bytes.length;
  let p = at;
  if (p >= limit) fail('truncated', 'element expected', p);
  const tag = bytes[p++]!;
  const constructed = (tag & 0x20) !== 0;
  let number = tag & 0x1f;
  if (number === 0x1f) {
    number = 0;
    for (let i = 0; ; i++) {
      if (i >= 4) fail('bad_tag', 'tag number longer than 4 octets', at);
      if (p >= limit) fail('truncated', 'tag runs past the end', at);
      const b = bytes[p++]!;
      number = number * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= limit) fail('truncated', 'length expected', p);
  const first = bytes[p++]!;
  if (first === 0x80) {
    if (!constructed) fail('bad_length', 'indefinite length on a primitive element', at);
    const contentStart = p;
    while (true) {
      if (p + 2 <= limit && bytes[p] === 0 && bytes[p + 1] === 0) {
        return { tag, number, constructed, start: at, contentStart, contentEnd: p, end: p + 2 };
      }
      p = readTlv(bytes, p, limit, depth + 1).end;
    }
  }
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4) fail('bad_length', `${n}-octet length`, at);
    if (n > limit - p) fail('truncated', 'length runs past the end', at);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[p++]!;
  }
  if (length > limit - p) fail('truncated', `content of ${length} bytes runs past the end`, at);
  return { tag, number, constructed, start: at, contentStart: p, contentEnd: p + length, end: p + length };
}

/** The elements inside a constructed element, in order. */
export function* children(bytes: Uint8Array, parent: Tlv, depth = 0): Generator<Tlv> {
  if (!parent.constructed) fail('not_constructed', `tag 0x${parent.tag.toString(16)} holds no elements`, parent.start);
  let p = parent.contentStart;
  while (p < parent.contentEnd) {
    const child = readTlv(bytes, p, parent.contentEnd, depth + 1);
    yield child;
    p = child.end;
  }
}

/** The first `n` children (fewer when the element holds fewer). */
export function firstChildren(bytes: Uint8Array, parent: Tlv, n: number): Tlv[] {
  const out: Tlv[] = [];
  for (const c of children(bytes, parent)) {
    out.push(c);
    if (out.length >= n) break;
  }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER's content. */
export function oidString(bytes: Uint8Array, tlv: Tlv): string {
  const parts: number[] = [];
  let value = 0;
  for (let p = tlv.contentStart; p < tlv.contentEnd; p++) {
    const b = bytes[p]!;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) fail('bad_oid', 'OID arc too large', p);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}
