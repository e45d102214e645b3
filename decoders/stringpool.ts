import type { DecodeWarning } from './types.js';
import type { Reader } from './reader.js';

/** Chunk type of a ResStringPool (AOSP ResourceTypes.h `RES_STRING_POOL_TYPE`). */
export const RES_STRING_POOL_TYPE = 0x0001;
/** `ResStringPool_header` is 28 bytes: chunk header + stringCount, styleCount, flags, stringsStart, stylesStart. */
export const STRING_POOL_HEADER_SIZE = 28;
/** `ResStringPool_header::UTF8_FLAG`. */
const UTF8_FLAG = 0x100;
/** Warnings about individual bad strings per pool; past it one summary warning is given. */
const MAX_STRING_WARNINGS = 16;

const utf8Decoder = new TextDecoder('utf-8');
const utf16Decoder = new TextDecoder('utf-16le');

/**
 * UTF-8 as the runtime reads it (libutils `utf8_to_utf16`): surrogates encoded one by one in 3 bytes (as aapt2 writes
 * supplementary characters) are kept as UTF-16 units; invalid bytes become U+FFFD.
 */
function decodeLenientUtf8(b: Uint8Array, start: number, end: number): string {
  const units: number[] = [];
  let out = '';
  for (let i = start; i < end; ) {
    const c = b[i]!;
    let cp = 0xfffd;
    let len = 1;
    if (c < 0x80) cp = c;
    else if ((c & 0xe0) === 0xc0 && i + 1 < end && (b[i + 1]! & 0xc0) === 0x80) {
      cp = ((c & 0x1f) << 6) | (b[i + 1]! & 0x3f);
      len = 2;
    } else if ((c & 0xf0) === 0xe0 && i + 2 < end && (b[i + 1]! & 0xc0) === 0x80 && (b[i + 2]! & 0xc0) === 0x80) {
      cp = ((c & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
      len = 3;
    } else if ((c & 0xf8) === 0xf0 && i + 3 < end && (b[i + 1]! & 0xc0) === 0x80 && (b[i + 2]! & 0xc0) === 0x80 && (b[i + 3]! & 0xc0) === 0x80) {
      cp = ((c & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f);
      len = 4;
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else units.push(cp);
    i += len;
    if (units.length >= 4096) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}

/** Marker cached for a string that failed to decode (so it warns once). */
const BAD = null;

/**
 * A parsed ResStringPool chunk (AOSP ResourceTypes.h `ResStringPool_header`, loader `ResStringPool::setTo` and
 * `stringAt` in ResourceTypes.cpp). Strings are decoded on first use and cached; styles are ignored.
 */
export class StringPool {
  /** Number of strings in the pool. */
  readonly count: number;
  /** True when the pool stores UTF-8 (`UTF8_FLAG`), else UTF-16. */
  readonly utf8: boolean;
  /** Absolute offset just past this chunk. */
  readonly end: number;
  private readonly cache: (string | null | undefined)[];
  private warnings = 0;

  private constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    count: number,
    utf8: boolean,
    private readonly offsetsAt: number,
    private readonly dataStart: number,
    private readonly dataEnd: number,
    end: number,
    private readonly code: string,
    private readonly warn: (w: DecodeWarning) => void,
  ) {
    this.count = count;
    this.utf8 = utf8;
    this.end = end;
    this.cache = new Array<string | null | undefined>(count);
  }

  /**
   * Parses the pool chunk at `chunkStart`, checking every header field against the chunk and the input.
   * Throws DecodeError when the chunk cannot hold what it declares; warns for tolerable damage.
   */
  static parse(r: Reader, chunkStart: number, warn: (w: DecodeWarning) => void = () => {}, limit = r.length): StringPool {
    const code = r.decoder;
    r.need(STRING_POOL_HEADER_SIZE, chunkStart, 'string pool header');
    r.seek(chunkStart);
    const type = r.u16le();
    const headerSize = r.u16le();
    const size = r.u32le();
    const stringCount = r.u32le();
    const styleCount = r.u32le();
    const flags = r.u32le();
    const stringsStart = r.u32le();
    const stylesStart = r.u32le();
    if (type !== RES_STRING_POOL_TYPE) r.fail('bad_string_pool', `chunk type 0x${type.toString(16)} is not a string pool`, chunkStart);
    if (headerSize < STRING_POOL_HEADER_SIZE || headerSize > size) {
      r.fail('bad_string_pool', `string pool header size ${headerSize} does not fit chunk size ${size}`, chunkStart);
    }
    if (size > limit - chunkStart) r.fail('bad_string_pool', `string pool of ${size} bytes overruns its container`, chunkStart);
    const end = chunkStart + size;
    const utf8 = (flags & UTF8_FLAG) !== 0;
    // ResStringPool::setTo: the offset arrays (strings, then styles) follow the header inside the chunk.
    const offsetsAt = chunkStart + headerSize;
    if (stringCount > Math.floor((size - headerSize) / 4)) {
      r.fail('bad_string_pool', `string pool declares ${stringCount} strings, its chunk holds at most ${Math.floor((size - headerSize) / 4)}`, chunkStart + 8);
    }
    if (styleCount > Math.floor((size - headerSize) / 4) - stringCount) {
      warn({ code: `${code}.bad_string_pool`, message: `string pool declares ${styleCount} styles that do not fit; styles ignored`, offset: chunkStart + 12 });
    }
    let dataStart = end;
    let dataEnd = end;
    if (stringCount > 0) {
      if (stringsStart < headerSize + stringCount * 4 || stringsStart >= size) {
        r.fail('bad_string_pool', `strings start ${stringsStart} is outside the pool (${size} bytes)`, chunkStart + 20);
      }
      dataStart = chunkStart + stringsStart;
      // Styles follow the strings only when there are styles; a stray stylesStart with styleCount 0 is ignored, as the runtime does.
      if (styleCount > 0 && stylesStart > stringsStart && stylesStart <= size) dataEnd = chunkStart + stylesStart;
      else if (styleCount > 0) {
        warn({ code: `${code}.bad_string_pool`, message: `styles start ${stylesStart} is not after strings start ${stringsStart}; styles ignored`, offset: chunkStart + 24 });
      }
      const last = utf8 ? r.bytes[dataEnd - 1] : dataEnd - dataStart >= 2 ? r.view.getUint16(dataEnd - 2, true) : 1;
      if (last !== 0) warn({ code: `${code}.unterminated_pool`, message: 'string pool data does not end with a terminator', offset: dataEnd - 1 });
    }
    return new StringPool(r.bytes, r.view, stringCount, utf8, offsetsAt, dataStart, dataEnd, end, code, warn);
  }

  /** The string at index `i`, or undefined when the index or the string is bad (one warning per bad string). */
  get(i: number): string | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) return undefined;
    const cached = this.cache[i];
    if (cached !== undefined) return cached === BAD ? undefined : cached;
    const s = this.decode(i);
    this.cache[i] = s ?? BAD;
    return s;
  }

  private bad(i: number, message: string, offset: number): undefined {
    this.warnings++;
    if (this.warnings <= MAX_STRING_WARNINGS) this.warn({ code: `${this.code}.bad_string`, message: `string #${i}: ${message}`, offset });
    else if (this.warnings === MAX_STRING_WARNINGS + 1) this.warn({ code: `${this.code}.bad_string`, message: 'more bad strings in this pool; further warnings suppressed', offset });
    return undefined;
  }

  private decode(i: number): string | undefined {
    const rel = this.view.getUint32(this.offsetsAt + i * 4, true);
    const at = this.dataStart + rel;
    if (rel >= this.dataEnd - this.dataStart) return this.bad(i, `offset ${rel} is outside the string data`, this.offsetsAt + i * 4);
    return this.utf8 ? this.decodeUtf8(i, at) : this.decodeUtf16(i, at);
  }

  // ResourceTypes.cpp decodeLength(uint8_t*): one byte, or two when the high bit is set (15-bit length).
  private len8(pos: number): [number, number] | undefined {
    if (pos >= this.dataEnd) return undefined;
    const b0 = this.bytes[pos]!;
    if ((b0 & 0x80) === 0) return [b0, pos + 1];
    if (pos + 1 >= this.dataEnd) return undefined;
    return [((b0 & 0x7f) << 8) | this.bytes[pos + 1]!, pos + 2];
  }

  private decodeUtf8(i: number, at: number): string | undefined {
    const units = this.len8(at); // UTF-16 length, unused beyond validation
    if (!units) return this.bad(i, 'length prefix runs past the pool', at);
    const bytes = this.len8(units[1]);
    if (!bytes) return this.bad(i, 'length prefix runs past the pool', at);
    const [n, start] = bytes;
    if (n > this.dataEnd - start) return this.bad(i, `length ${n} runs past the pool`, at);
    if (start + n >= this.dataEnd || this.bytes[start + n] !== 0) this.bad(i, 'string is not NUL-terminated', start + n);
    const text = utf8Decoder.decode(this.bytes.subarray(start, start + n));
    return text.includes('\ufffd') ? decodeLenientUtf8(this.bytes, start, start + n) : text;
  }

  private decodeUtf16(i: number, at: number): string | undefined {
    // ResourceTypes.cpp decodeLength(uint16_t*): one unit, or two when the high bit is set (31-bit length).
    if (at + 2 > this.dataEnd) return this.bad(i, 'length prefix runs past the pool', at);
    let n = this.view.getUint16(at, true);
    let start = at + 2;
    if (n & 0x8000) {
      if (at + 4 > this.dataEnd) return this.bad(i, 'length prefix runs past the pool', at);
      n = ((n & 0x7fff) * 0x10000) + this.view.getUint16(at + 2, true);
      start = at + 4;
    }
    if (n > (this.dataEnd - start) / 2) return this.bad(i, `length ${n} runs past the pool`, at);
    const stop = start + n * 2;
    if (stop + 2 > this.dataEnd || this.view.getUint16(stop, true) !== 0) this.bad(i, 'string is not NUL-terminated', stop);
    return utf16Decoder.decode(this.bytes.subarray(start, stop));
  }
}
