import { Buffer } from 'node:buffer';
import type { WorkBudget } from './budget.js';
import type { MachoSlice } from './macho-sections.js';
import type { DecodeWarning } from './types.js';

// The symbols a Mach-O slice binds its pointer slots to (pointers into other images: `_OBJC_CLASS_$_NSObject`):
// the import table of LC_DYLD_CHAINED_FIXUPS (<mach-o/fixup-chains.h> dyld_chained_import*, read here; the bind
// slots come from the chain walk in macho-fixups.ts) and the classic bind opcodes of LC_DYLD_INFO(_ONLY)
// (<mach-o/loader.h> BIND_OPCODE_*). Only the symbol name is kept: the library and addend say nothing a rule reads.

/** Imports read from one chained-fixups table (dyld's own limit on a bind ordinal is 2^24). */
export const MAX_CHAINED_IMPORTS = 1 << 20;
/** Longest symbol name read. */
const MAX_SYMBOL = 4096;

const DYLD_CHAINED_IMPORT = 1;
const DYLD_CHAINED_IMPORT_ADDEND = 2;
const DYLD_CHAINED_IMPORT_ADDEND64 = 3;

/** A ULEB128 reader over `bytes` from `pos`; `undefined` for a truncated or over-long number. */
export class Leb {
  constructor(
    private readonly bytes: Uint8Array,
    public pos = 0,
  ) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  byte(): number {
    return this.bytes[this.pos++]!;
  }

  uleb(): number | undefined {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 10 && this.pos < this.bytes.length; i++) {
      const b = this.bytes[this.pos++]!;
      v += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return v > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : v;
    }
    return undefined;
  }

  /** A ULEB128 read as a 64-bit two's-complement delta (dyld adds it with wrap-around: 2^64 - n is -n). */
  delta(): number | undefined {
    let v = 0n;
    for (let i = 0; i < 10 && this.pos < this.bytes.length; i++) {
      const b = this.bytes[this.pos++]!;
      v |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return Number(BigInt.asIntN(64, v));
    }
    return undefined;
  }

  /** A NUL-terminated name (at most MAX_SYMBOL bytes), or undefined when it does not end. */
  cstring(): string | undefined {
    const end = this.bytes.indexOf(0, this.pos);
    if (end < 0 || end - this.pos > MAX_SYMBOL) return undefined;
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.pos, end - this.pos).toString('latin1');
    this.pos = end + 1;
    return s;
  }
}

/**
 * The symbol names of a chained-fixups import table, by ordinal; an entry whose name cannot be read is undefined.
 * `data` is the whole LC_DYLD_CHAINED_FIXUPS payload (its header already checked to be 28 bytes or more).
 */
export function chainedImportNames(data: Uint8Array, le: boolean, bad: (message: string, offset: number) => void): (string | undefined)[] {
  const h = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const importsOff = h.getUint32(8, le);
  const symbolsOff = h.getUint32(12, le);
  const count = h.getUint32(16, le);
  const format = h.getUint32(20, le);
  const compressed = h.getUint32(24, le);
  const size = format === DYLD_CHAINED_IMPORT ? 4 : format === DYLD_CHAINED_IMPORT_ADDEND ? 8 : format === DYLD_CHAINED_IMPORT_ADDEND64 ? 16 : 0;
  if (count === 0) return [];
  if (size === 0 || compressed !== 0) return bad(`imports_format ${format} / symbols_format ${compressed} is not read: binds are not named`, 20), [];
  if (count > MAX_CHAINED_IMPORTS || importsOff > data.length || count * size > data.length - importsOff || symbolsOff > data.length) {
    return bad(`${count} imports of ${size} bytes at ${importsOff} do not fit the fixups: binds are not named`, 8), [];
  }
  const names: (string | undefined)[] = new Array(count);
  const strings = new Leb(data);
  for (let i = 0; i < count; i++) {
    const at = importsOff + i * size;
    // dyld_chained_import: lib_ordinal:8 weak_import:1 name_offset:23; *_addend64: lib_ordinal:16 weak:1 reserved:15 name_offset:32.
    const nameOff = size === 16 ? h.getUint32(at + (le ? 4 : 0), le) : h.getUint32(at, le) >>> 9;
    if (nameOff >= data.length - symbolsOff) continue;
    strings.pos = symbolsOff + nameOff;
    names[i] = strings.cstring();
  }
  return names;
}

/** The slot and symbol of every classic bind (`LC_DYLD_INFO(_ONLY)` bind opcodes), charged to `budget`. */
export function classicBinds(slice: MachoSlice, ops: Uint8Array, opsAt: number, budget: WorkBudget, warn: (w: DecodeWarning) => void, add: (slot: number, symbol: string) => void): void {
  const width = slice.is64 ? 8 : 4;
  const r = new Leb(ops);
  const bad = (message: string) => warn({ code: 'macho.bad_bind', message: `${message}: the rest of the bind opcodes were not read`, offset: opsAt + r.pos });
  let symbol: string | undefined;
  let seg: MachoSlice['segments'][number] | undefined;
  let off = 0;
  const bind = (): boolean => {
    if (!seg) return bad('a bind before any segment was set'), false;
    if (off < 0 || off + width > seg.filesize) return bad(`a bind at ${seg.segname}+${off} lies outside the segment`), false;
    if (!budget.charge(1, opsAt + r.pos)) return false;
    if (symbol !== undefined) add(seg.vmaddr + off, symbol);
    return true;
  };
  while (!r.done) {
    const byte = r.byte();
    const imm = byte & 0x0f;
    let ok = true;
    switch (byte & 0xf0) {
      case 0x00: // BIND_OPCODE_DONE
        return;
      case 0x10: // BIND_OPCODE_SET_DYLIB_ORDINAL_IMM
      case 0x30: // BIND_OPCODE_SET_DYLIB_SPECIAL_IMM
      case 0x50: // BIND_OPCODE_SET_TYPE_IMM
        break;
      case 0x20: // BIND_OPCODE_SET_DYLIB_ORDINAL_ULEB
      case 0x60: // BIND_OPCODE_SET_ADDEND_SLEB (read as ULEB: only its length matters)
        ok = r.uleb() !== undefined;
        break;
      case 0x40: // BIND_OPCODE_SET_SYMBOL_TRAILING_FLAGS_IMM
        symbol = r.cstring();
        ok = symbol !== undefined;
        break;
      case 0x70: {
        // BIND_OPCODE_SET_SEGMENT_AND_OFFSET_ULEB
        seg = slice.segments[imm];
        const o = r.uleb();
        if (!seg || o === undefined) return bad(`segment ${imm} or its offset is invalid`);
        off = o;
        break;
      }
      case 0x80: {
        // BIND_OPCODE_ADD_ADDR_ULEB (a wrapping add: linkers step back with 2^64 - n)
        const o = r.delta();
        if (o === undefined) return bad('truncated ULEB128');
        off += o;
        break;
      }
      case 0x90: // BIND_OPCODE_DO_BIND
        if (!bind()) return;
        off += width;
        break;
      case 0xa0: {
        // BIND_OPCODE_DO_BIND_ADD_ADDR_ULEB
        if (!bind()) return;
        const o = r.delta();
        if (o === undefined) return bad('truncated ULEB128');
        off += width + o;
        break;
      }
      case 0xb0: // BIND_OPCODE_DO_BIND_ADD_ADDR_IMM_SCALED
        if (!bind()) return;
        off += width + imm * width;
        break;
      case 0xc0: {
        // BIND_OPCODE_DO_BIND_ULEB_TIMES_SKIPPING_ULEB
        const n = r.uleb();
        const skip = r.uleb();
        if (n === undefined || skip === undefined) return bad('truncated ULEB128');
        for (let i = 0; i < n; i++, off += width + skip) if (!bind()) return;
        break;
      }
      default: // 0xd0 BIND_OPCODE_THREADED (old arm64e) and unknown opcodes
        return bad(`bind opcode 0x${byte.toString(16)} is not read`);
    }
    if (!ok) return bad('truncated operand');
  }
}
