import { DecodeError } from './types.js';

/**
 * Bounds-checked little/big-endian cursor over a Uint8Array. Every read checks what is really left and throws a
 * DecodeError carrying the offset; nothing is ever allocated from an unchecked count.
 */
export class Reader {
  readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    /** Decoder name used as the prefix of error codes. */
    readonly decoder: string,
    start = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get length(): number {
    return this.bytes.length;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  fail(code: string, message: string, offset = this.pos): never {
    throw new DecodeError(`${this.decoder}.${code}`, message, offset);
  }

  /** Throws unless `n` bytes are available at `at` (default: the cursor). */
  need(n: number, at = this.pos, what = 'data'): void {
    if (!Number.isInteger(n) || n < 0 || at < 0 || at > this.bytes.length || n > this.bytes.length - at) {
      this.fail('truncated', `${what} needs ${n} bytes, ${Math.max(0, this.bytes.length - at)} left`, at);
    }
  }

  /** Throws unless `count` items of `itemSize` bytes fit in what is left at `at`. */
  needItems(count: number, itemSize: number, at = this.pos, what = 'table'): void {
    if (!Number.isInteger(count) || count < 0) this.fail('bad_count', `${what} count ${count} is invalid`, at);
    if (count > Math.floor((this.bytes.length - Math.max(0, at)) / Math.max(1, itemSize))) {
      this.fail('bad_count', `${what} of ${count} x ${itemSize} bytes overruns the ${this.bytes.length}-byte input`, at);
    }
  }

  seek(offset: number): this {
    if (!Number.isInteger(offset) || offset < 0 || offset > this.bytes.length) this.fail('bad_offset', `offset ${offset} is outside the input`, offset);
    this.pos = offset;
    return this;
  }

  skip(n: number): this {
    this.need(n);
    this.pos += n;
    return this;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }
  u16le(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32le(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** 64-bit little-endian as a number; throws when above 2^53 (no real offset is that large). */
  u64le(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('too_large', `64-bit value ${v} is too large`, this.pos - 8);
    return Number(v);
  }

  /** Unsigned LEB128 of at most 5 bytes (32 bits), as in DEX. */
  uleb128(): number {
    let result = 0;
    let shift = 0;
    const start = this.pos;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    return this.fail('bad_leb128', 'ULEB128 longer than 5 bytes', start);
  }


  /** A view (no copy) of the next `n` bytes. */
  bytesView(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

}

/** Hex offset as used in pointers: `0x1a0`. */
export function hex(n: number): string {
  return '0x' + n.toString(16);
}
