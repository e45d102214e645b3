import { DecodeError } from './types.js';

/** Longest varint in bytes (a 64-bit value takes 10). */
const MAX_VARINT_BYTES = 10;

/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/#structure). */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** One field of a message: its number, wire type and value (number for scalars, a byte range for LEN). */
export interface ProtoField {
  field: number;
  wire: number;
  /**
   * Varint and fixed values (64-bit values above 2^53 lose precision: a negative int32, written as a 10-byte varint,
   * reads about 2^64 here; use `lo32`).
   */
  value: number;
  /** Low 32 bits of the value, exact, as an unsigned number (`lo32 | 0` is the int32 value). */
  lo32: number;
  /** Start of a LEN payload inside the buffer. */
  start: number;
  /** End (exclusive) of a LEN payload inside the buffer. */
  end: number;
  /** Offset of the field's tag, for diagnostics. */
  at: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * A bounds-checked protobuf wire-format reader over one message's bytes. `fields()` walks the message's top-level
 * fields; nested messages are read by making a reader over a LEN field's range. Every length is checked against
 * the bytes left before it is used; a malformed message ends in DecodeError(`<prefix>.bad_protobuf`, offset).
 */
export class ProtoReader {
  constructor(
    readonly bytes: Uint8Array,
    readonly start = 0,
    readonly end = bytes.length,
    private readonly prefix = 'protobuf',
  ) {
    if (start < 0 || end > bytes.length || start > end) throw new DecodeError(`${prefix}.bad_protobuf`, `message range ${start}..${end} is outside the buffer`, start);
  }

  private fail(message: string, offset: number): never {
    throw new DecodeError(`${this.prefix}.bad_protobuf`, message, offset);
  }

  /** Reads a varint at `pos`; returns value, next position and the value's low 32 bits (exact, unsigned). */
  private varint(pos: number): [number, number, number] {
    const b = this.bytes;
    let result = 0;
    let mul = 1;
    let lo = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (pos >= this.end) this.fail('varint runs past the end of the message', pos);
      const byte = b[pos++]!;
      result += (byte & 0x7f) * mul;
      mul *= 128;
      // Bits 0-31 come from the first five bytes; the double sum above drops them once it passes 2^53.
      if (i < 5) lo |= (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) === 0) return [result, pos, lo >>> 0];
    }
    return this.fail('varint longer than 10 bytes', pos);
  }

  /** Every top-level field of the message, in order. Groups (deprecated) are rejected. */
  *fields(): Generator<ProtoField> {
    let pos = this.start;
    while (pos < this.end) {
      const at = pos;
      const [tag, p1] = this.varint(pos);
      pos = p1;
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 0) this.fail('field number 0', at);
      switch (wire) {
        case WireType.VARINT: {
          const [v, p2, lo32] = this.varint(pos);
          pos = p2;
          yield { field, wire, value: v, lo32, start: at, end: pos, at };
          break;
        }
        case WireType.I64: {
          if (this.end - pos < 8) this.fail('fixed64 runs past the end of the message', pos);
          const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + pos, 8);
          const lo32 = v.getUint32(0, true);
          const value = lo32 + v.getUint32(4, true) * 2 ** 32;
          pos += 8;
          yield { field, wire, value, lo32, start: pos - 8, end: pos, at };
          break;
        }
        case WireType.LEN: {
          const [len, p2] = this.varint(pos);
          if (len > this.end - p2) this.fail(`length ${len} runs past the end of the message`, pos);
          pos = p2 + len;
          yield { field, wire, value: len, lo32: len >>> 0, start: p2, end: pos, at };
          break;
        }
        case WireType.I32: {
          if (this.end - pos < 4) this.fail('fixed32 runs past the end of the message', pos);
          const value = new DataView(this.bytes.buffer, this.bytes.byteOffset + pos, 4).getUint32(0, true);
          pos += 4;
          yield { field, wire, value, lo32: value, start: pos - 4, end: pos, at };
          break;
        }
        default:
          this.fail(`unsupported wire type ${wire}`, at);
      }
    }
  }

  /** A reader over a LEN field's payload (a nested message). */
  sub(f: ProtoField): ProtoReader {
    if (f.wire !== WireType.LEN) this.fail(`field ${f.field} is not a message`, f.at);
    return new ProtoReader(this.bytes, f.start, f.end, this.prefix);
  }

  /** A LEN field's payload as UTF-8 text (invalid sequences become U+FFFD, as protobuf-java does). */
  string(f: ProtoField): string {
    if (f.wire !== WireType.LEN) this.fail(`field ${f.field} is not a string`, f.at);
    return utf8.decode(this.bytes.subarray(f.start, f.end));
  }
}
