import { DecodeError, type DecodedString, type Decoder } from './types.js';
import { HermesCodeWalker, USE_ARG, USE_ELEMENT, USE_LITERAL, USE_PUT, USE_RETURN, nameBefore, opcodeTable, type HermesFunction, type HermesUse, type LiteralBuffers } from './hermes-code.js';

// Hermes bytecode (React Native): facebook/hermes include/hermes/BCGen/HBC/BytecodeFileFormat.h. The string table
// stores every literal back to back without separators, so only the table gives correct boundaries.

/** `hbc::MAGIC` (0x1F1903C103BC1FC6) as little-endian bytes. */
export const HERMES_MAGIC = [0xc6, 0x1f, 0xbc, 0x03, 0xc1, 0x03, 0x19, 0x1f] as const;
/** Bytecode versions whose layout is known: HBC 84 (React Native 0.66) to 99 (Hermes 1.0 / RN 0.82+). */
export const HERMES_MIN_VERSION = 84;
export const HERMES_MAX_VERSION = 99;
/** `BytecodeFileHeader` is 128 bytes in every known version (padded to a multiple of 32). */
const HEADER_SIZE = 128;
/** Longest string returned; longer literals are cut (the rest is rarely a secret and costs the detector). */
const MAX_STRING_CHARS = 64 * 1024;
/** Most strings in one file (the 23-bit offset field limits real files far below). */
const MAX_STRINGS = 16_000_000;

/** True when `head` starts with the Hermes bytecode magic. */
export function isHermes(head: Uint8Array): boolean {
  if (head.length < 8) return false;
  for (let i = 0; i < 8; i++) if (head[i] !== HERMES_MAGIC[i]) return false;
  return true;
}

/** The fields of the header the string table needs; stable from HBC 84 to 99. */
export interface HermesHeader {
  version: number;
  fileLength: number;
  functionCount: number;
  stringKindCount: number;
  identifierCount: number;
  stringCount: number;
  overflowStringCount: number;
  stringStorageSize: number;
  /** Object literal buffers: v98+ literal value buffer, key buffer, shape count; older: array, key, value buffer sizes. */
  buffers: number[];
}

/** Size of `SmallFuncHeader`: four words until the v98 layout, three words since (FUNC_HEADER_FIELDS). */
function funcHeaderSizes(version: number): number[] {
  return version >= 98 ? [12, 16] : [16, 12];
}

/** One literal of the string table. */
export interface HermesString {
  index: number;
  text: string;
  identifier: boolean;
  /** Offset of the literal's bytes inside the file. */
  offset: number;
}

/** Reads the header; throws DecodeError (`hermes.unknown_version` for versions outside 84..99). */
export function hermesHeader(bytes: Uint8Array): HermesHeader {
  if (!isHermes(bytes)) throw new DecodeError('hermes.bad_magic', 'not Hermes bytecode', 0);
  if (bytes.length < HEADER_SIZE) throw new DecodeError('hermes.truncated', `file of ${bytes.length} bytes is shorter than the header`, 0);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u = (o: number) => v.getUint32(o, true);
  const version = u(8);
  if (version < HERMES_MIN_VERSION || version > HERMES_MAX_VERSION) {
    throw new DecodeError('hermes.unknown_version', `Hermes bytecode version ${version} is not one this decoder knows (${HERMES_MIN_VERSION}..${HERMES_MAX_VERSION}); printable runs were scanned instead`, 8);
  }
  // magic u64, version u32, sourceHash[20], then u32 fields from 0x20.
  return {
    version,
    fileLength: u(0x20),
    functionCount: u(0x28),
    stringKindCount: u(0x2c),
    identifierCount: u(0x30),
    stringCount: u(0x34),
    overflowStringCount: u(0x38),
    stringStorageSize: u(0x3c),
    // v98+: literalValueBufferSize, objKeyBufferSize, objShapeTableCount at 0x50; v87..97: arrayBufferSize, objKey,
    // objValue at 0x50 (after bigint and regexp counts); v84..86: the same three at 0x48 (no bigint table).
    buffers: version >= 87 ? [u(0x50), u(0x54), u(0x58)] : [u(0x48), u(0x4c), u(0x50)],
  };
}

interface Layout {
  kinds: number;
  table: number;
  overflow: number;
  storage: number;
  funcHeaderSize: number;
}

/** Section offsets for a given function header size, or undefined when the sections do not fit the file. */
function layout(h: HermesHeader, size: number, funcHeaderSize: number): Layout | undefined {
  // visitBytecodeSegmentsInOrder: function headers, string kinds, identifier hashes, small string table,
  // overflow table, string storage; every section aligned to 4 bytes (BYTECODE_ALIGNMENT).
  const align = (n: number) => (n + 3) & ~3;
  let pos = HEADER_SIZE + h.functionCount * funcHeaderSize;
  const kinds = align(pos);
  pos = kinds + h.stringKindCount * 4;
  pos = align(pos) + h.identifierCount * 4;
  const table = align(pos);
  pos = table + h.stringCount * 4;
  const overflow = align(pos);
  pos = overflow + h.overflowStringCount * 8;
  const storage = align(pos);
  if (storage + h.stringStorageSize > size) return undefined;
  return { kinds, table, overflow, storage, funcHeaderSize };
}

/** Checks that the run-length string kinds add up to the string count (StringKind.h: count in the low 31 bits). */
function kindsAddUp(v: DataView, h: HermesHeader, l: Layout): boolean {
  let total = 0;
  for (let i = 0; i < h.stringKindCount; i++) total += v.getUint32(l.kinds + i * 4, true) & 0x7fffffff;
  return total === h.stringCount;
}

/** Kind of each string: identifier or not, from the run-length kinds table. */
function identifierFlags(v: DataView, h: HermesHeader, l: Layout): (i: number) => boolean {
  const runs: { end: number; identifier: boolean }[] = [];
  let end = 0;
  for (let i = 0; i < h.stringKindCount; i++) {
    const e = v.getUint32(l.kinds + i * 4, true);
    end += e & 0x7fffffff;
    runs.push({ end, identifier: (e & 0x80000000) !== 0 });
  }
  let k = 0;
  return (i) => {
    while (k < runs.length && i >= runs[k]!.end) k++;
    return runs[k]?.identifier ?? false;
  };
}

const latin1 = new TextDecoder('latin1');
const utf16 = new TextDecoder('utf-16le');

/** Section offsets of a file whose header was read; throws DecodeError when the string table does not fit. */
function findLayout(bytes: Uint8Array, h: HermesHeader, v: DataView): Layout {
  if (h.stringCount > MAX_STRINGS) throw new DecodeError('hermes.too_many_strings', `${h.stringCount} strings`, 0x34);
  for (const size of funcHeaderSizes(h.version)) {
    const candidate = layout(h, bytes.length, size);
    if (candidate && kindsAddUp(v, h, candidate)) return candidate;
  }
  throw new DecodeError('hermes.bad_layout', `string table of ${h.stringCount} strings (${h.stringStorageSize} bytes) does not fit the file`, 0x34);
}

/** Every literal of the string table, in table order, with exact boundaries. */
export function* hermesStrings(bytes: Uint8Array, warn: (code: string, message: string, offset?: number) => void = () => {}): Generator<HermesString> {
  const h = hermesHeader(bytes);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (h.fileLength !== bytes.length) warn('hermes.bad_length', `header says ${h.fileLength} bytes, file has ${bytes.length}`, 0x20);
  const l = findLayout(bytes, h, v);
  const isIdentifier = identifierFlags(v, h, l);
  let bad = 0;
  for (let i = 0; i < h.stringCount; i++) {
    const e = v.getUint32(l.table + i * 4, true);
    // SmallStringTableEntry: isUTF16 : 1, offset : 23, length : 8 (LSB first); length 255 = overflowed.
    const isUtf16 = (e & 1) !== 0;
    let offset = (e >>> 1) & 0x7fffff;
    let length = e >>> 24;
    if (length === 0xff) {
      if (offset >= h.overflowStringCount) {
        if (bad++ < 16) warn('hermes.bad_string', `string ${i} points at overflow entry ${offset} of ${h.overflowStringCount}`, l.table + i * 4);
        continue;
      }
      const slot = l.overflow + offset * 8;
      offset = v.getUint32(slot, true);
      length = v.getUint32(slot + 4, true);
    }
    const byteLength = isUtf16 ? length * 2 : length;
    if (offset > h.stringStorageSize || byteLength > h.stringStorageSize - offset) {
      if (bad++ < 16) warn('hermes.bad_string', `string ${i} (${byteLength} bytes at ${offset}) runs past the string storage`, l.table + i * 4);
      continue;
    }
    const at = l.storage + offset;
    const end = at + Math.min(byteLength, isUtf16 ? MAX_STRING_CHARS * 2 : MAX_STRING_CHARS);
    const text = (isUtf16 ? utf16 : latin1).decode(bytes.subarray(at, end));
    yield { index: i, text, identifier: isIdentifier(i), offset: at };
  }
}

/**
 * Function bodies from the function header table (SmallFuncHeader, or the FunctionHeader it points to when
 * overflowed), each checked to lie inside the file; bad ones are skipped with a warning.
 */
export function hermesFunctions(bytes: Uint8Array, h: HermesHeader, l: Layout, warn: (code: string, message: string, offset?: number) => void): HermesFunction[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = l.funcHeaderSize;
  const v98 = size === 12;
  const out: HermesFunction[] = [];
  let bad = 0;
  for (let i = 0; i < h.functionCount; i++) {
    const at = HEADER_SIZE + i * size;
    const w1 = v.getUint32(at, true);
    const w2 = v.getUint32(at + 4, true);
    const w3 = v.getUint32(at + 8, true);
    const flags = bytes[at + size - 1]!;
    let offset: number;
    let length: number;
    let name: number;
    if (flags & 0x20) {
      // Overflowed: the full FunctionHeader (u32 fields: offset, paramCount, [loopDepth,] size, name) is elsewhere.
      const large = v98 ? ((((w2 >>> 14) & 0xff) << 24) | (w1 & 0xffffff)) >>> 0 : (((w3 & 0x1ffffff) << 16) | (w1 & 0xffff)) >>> 0;
      const fields = v98 ? 5 : 4;
      if (large < HEADER_SIZE || large + fields * 4 > bytes.length) {
        if (bad++ < 8) warn('hermes.bad_function', `function ${i}: large header at ${large} is outside the file`, at);
        continue;
      }
      offset = v.getUint32(large, true);
      length = v.getUint32(large + (v98 ? 12 : 8), true);
      name = v.getUint32(large + (v98 ? 16 : 12), true);
    } else if (v98) {
      offset = w1 & 0x1ffffff;
      length = w2 & 0x3fff;
      name = (w2 >>> 14) & 0xff;
    } else {
      offset = w1 & 0x1ffffff;
      length = w2 & 0x7fff;
      name = w2 >>> 15;
    }
    if (offset < HEADER_SIZE || offset > bytes.length || length > bytes.length - offset) {
      if (bad++ < 8) warn('hermes.bad_function', `function ${i}: body of ${length} bytes at ${offset} is outside the file`, at);
      continue;
    }
    out.push({ offset, size: length, name: name < h.stringCount ? name : -1 });
  }
  if (bad > 8) warn('hermes.bad_function', `${bad - 8} more bad function headers`);
  return out;
}

/** The object literal buffers that follow the string storage, or undefined when they do not fit the file. */
function literalBuffers(bytes: Uint8Array, h: HermesHeader, l: Layout): LiteralBuffers | undefined {
  const align = (n: number) => (n + 3) & ~3;
  const [a, b, c] = h.buffers as [number, number, number];
  const first = align(l.storage + h.stringStorageSize);
  if (h.version >= 98) {
    const keys = align(first + a);
    const shapes = align(keys + b);
    if (a > bytes.length || b > bytes.length || c > bytes.length / 8 || shapes + c * 8 > bytes.length) return undefined;
    const values = bytes.subarray(first, first + a);
    return { shaped: true, values, arrays: values, keys: bytes.subarray(keys, keys + b), shapes: new DataView(bytes.buffer, bytes.byteOffset + shapes, c * 8), shapeCount: c };
  }
  const keys = align(first + a);
  const values = align(keys + b);
  if (a > bytes.length || b > bytes.length || c > bytes.length || values + c > bytes.length) return undefined;
  return { shaped: false, values: bytes.subarray(values, values + c), arrays: bytes.subarray(first, first + a), keys: bytes.subarray(keys, keys + b), shapes: undefined, shapeCount: 0 };
}

/** Pointer, bound name, scope and code text of one use (docs/code-context.md, "Hermes"). */
function describeUse(u: HermesUse, fnName: string, walker: HermesCodeWalker, name: (i: number) => string | undefined): { pointer: string; context: string | undefined; scope: string | undefined; code: string } {
  let use: string;
  let context: string | undefined;
  let scope: string | undefined;
  const prop = u.name >= 0 ? name(u.name) : undefined;
  if (u.kind === USE_PUT || u.kind === USE_LITERAL) {
    const obj = u.kind === USE_LITERAL ? (u.literal >= 0 && walker.literalNames[u.literal]! >= 0 ? name(walker.literalNames[u.literal]!) : undefined) : u.obj === -2 ? 'global' : u.obj >= 0 ? name(u.obj) : undefined;
    use = `put ${obj ? `${obj}.` : ''}${prop ?? '?'}`;
    context = prop;
    scope = obj !== undefined && obj !== 'global' ? obj : undefined;
  } else if (u.kind === USE_ARG) {
    use = `arg ${u.arg} of ${prop ?? '?'}`;
    const after = u.after >= 0 ? name(u.after) : undefined;
    const named = after !== undefined ? nameBefore(after) : undefined;
    if (named !== undefined) {
      use += ` after ${JSON.stringify(named)}`;
      context = named;
    } else if (u.argc === 1 && prop) context = prop;
  } else {
    use = 'return';
    context = u.kind === USE_RETURN && fnName !== '' ? fnName : undefined;
  }
  if (u.viaEnv) use += ' via closure variable';
  const where = fnName !== '' ? fnName : `function[${u.fn}]`;
  return { pointer: `function[${u.fn}]${fnName !== '' ? ` ${fnName}` : ''}+0x${u.pc.toString(16)}: ${use}`, context, scope: scope ?? (fnName !== '' ? fnName : undefined), code: `${use} in ${where}` };
}

/**
 * Hermes bytecode decoder: every literal of the string table (`string_table[N]`), identifiers included, in table
 * order; then, for the bytecode versions with an opcode table, each use the code makes of a string (a property it is
 * stored in, an object literal key, a call argument, a return), with the bound name as context. Versions outside
 * 84..99 end in DecodeError `hermes.unknown_version`, and the pipeline scans printable runs instead.
 */
export const decodeHermes: Decoder = function* (bytes, ctx) {
  const warn = (code: string, message: string, offset?: number) => ctx.warn({ code, message, offset });
  const names: (string | undefined)[] = [];
  for (const s of hermesStrings(bytes, warn)) {
    names[s.index] = s.text;
    if (s.text.length === 0) continue;
    const d: DecodedString = { text: s.text, location: { entry: ctx.entry, decoder: 'hermes', pointer: `string_table[${s.index}]` } };
    yield d;
  }
  const h = hermesHeader(bytes);
  const table = opcodeTable(h.version);
  if (!table) {
    warn('hermes.no_opcode_table', `no opcode table for Hermes bytecode version ${h.version}: strings without code context`, 8);
    return;
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const l = findLayout(bytes, h, v);
  const functions = hermesFunctions(bytes, h, l, warn);
  const walker = new HermesCodeWalker(bytes, table, functions, h.stringCount, literalBuffers(bytes, h, l), warn);
  walker.run();
  const name = (i: number) => names[i];
  for (const u of walker.uses) {
    const text = names[u.string];
    if (text === undefined || text.length < 4) continue;
    const fn = functions[u.fn]!;
    const fnName = fn.name >= 0 ? (names[fn.name] ?? '') : '';
    if (u.kind === USE_ELEMENT) {
      // An array element has no name and no use text: emitted plain, in array order, so that a shape pair (a key and
      // its secret side by side) is seen where the sorted string table cannot show it.
      const pointer = `function[${u.fn}]${fnName !== '' ? ` ${fnName}` : ''}+0x${u.pc.toString(16)}: element ${u.arg} of ${u.argc}`;
      yield { text, location: { entry: ctx.entry, decoder: 'hermes', pointer } };
      continue;
    }
    const d = describeUse(u, fnName, walker, name);
    if (d.context === undefined && ctx.keepCodeUse !== undefined && !ctx.keepCodeUse(d.code, text)) continue;
    yield { text, location: { entry: ctx.entry, decoder: 'hermes', pointer: d.pointer }, context: d.context, scope: d.scope, code: d.code };
  }
  if (walker.dropped > 0) warn('hermes.too_many_uses', `${walker.dropped} code uses not kept`);
};
