import { DecodeError, type DecodedString, type Decoder } from './types.js';
import { il2cppDefaults } from './il2cpp-metadata.js';

// Unity IL2CPP `global-metadata.dat` (il2cpp vm/GlobalMetadataFileInternals.h, Il2CppGlobalMetadataHeader):
// sanity 0xFAB11BAF, version, then (offset, size) pairs; the first pair is the string literal table
// (Il2CppStringLiteral { uint32 length; int32 dataIndex; }), the second the literal data. Literals are stored
// back to back without separators, so only the table gives correct boundaries. Constant strings of fields and
// parameters, bound to their names and classes, come from il2cpp-metadata.ts.

/** `0xFAB11BAF` little-endian. */
export const IL2CPP_MAGIC = [0xaf, 0x1b, 0xb1, 0xfa] as const;
/** Metadata versions whose literal table is (length, dataIndex) pairs: Unity 5.3 (16) to Unity 6 (31). */
export const IL2CPP_MIN_VERSION = 16;
export const IL2CPP_MAX_VERSION = 31;
/** Longest literal returned, bytes. */
const MAX_LITERAL_BYTES = 64 * 1024;
/** Most literals read. */
const MAX_LITERALS = 16_000_000;

/** True when `head` starts with the IL2CPP metadata magic. */
export function isIl2cppMetadata(head: Uint8Array): boolean {
  return head.length >= 8 && IL2CPP_MAGIC.every((b, i) => head[i] === b);
}

const utf8 = new TextDecoder('utf-8');

/** Every string literal: index and UTF-8 text; throws DecodeError for unknown versions or tables that do not fit. */
export function* il2cppLiterals(bytes: Uint8Array, warn: (code: string, message: string, offset?: number) => void = () => {}): Generator<{ index: number; text: string; offset: number }> {
  if (!isIl2cppMetadata(bytes)) throw new DecodeError('il2cpp.bad_magic', 'not IL2CPP global metadata', 0);
  if (bytes.length < 24) throw new DecodeError('il2cpp.truncated', 'header is truncated', 0);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = v.getInt32(4, true);
  if (version < IL2CPP_MIN_VERSION || version > IL2CPP_MAX_VERSION) {
    throw new DecodeError('il2cpp.unknown_version', `metadata version ${version} is not one this decoder knows (${IL2CPP_MIN_VERSION}..${IL2CPP_MAX_VERSION}); printable runs were scanned instead`, 4);
  }
  const tableOff = v.getUint32(8, true);
  const tableSize = v.getUint32(12, true);
  const dataOff = v.getUint32(16, true);
  const dataSize = v.getUint32(20, true);
  if (tableOff > bytes.length || tableSize > bytes.length - tableOff || tableSize % 8 !== 0) {
    throw new DecodeError('il2cpp.bad_table', `string literal table (${tableSize} bytes at ${tableOff}) does not fit the file`, 8);
  }
  if (dataOff > bytes.length || dataSize > bytes.length - dataOff) {
    throw new DecodeError('il2cpp.bad_table', `string literal data (${dataSize} bytes at ${dataOff}) does not fit the file`, 16);
  }
  const count = tableSize / 8;
  if (count > MAX_LITERALS) throw new DecodeError('il2cpp.too_many_literals', `${count} literals`, 12);
  let bad = 0;
  for (let i = 0; i < count; i++) {
    const e = tableOff + i * 8;
    const length = v.getUint32(e, true);
    const index = v.getUint32(e + 4, true);
    if (index > dataSize || length > dataSize - index) {
      if (bad++ < 16) warn('il2cpp.bad_literal', `literal ${i} (${length} bytes at ${index}) runs past the literal data`, e);
      continue;
    }
    const at = dataOff + index;
    yield { index: i, text: utf8.decode(bytes.subarray(at, at + Math.min(length, MAX_LITERAL_BYTES))), offset: at };
  }
}

/**
 * IL2CPP metadata decoder: one string per literal in table order (pointer `string_literals[N]`, no name: the literal
 * table keeps the order il2cpp collected them in, so shape pairs read it), then every constant string of a field or
 * parameter with its name (`context`) and class (`scope`): `field_defaults[N] Ns.Class.Field`,
 * `parameter_defaults[N] Ns.Class.Method(param)`.
 */
export const decodeIl2cpp: Decoder = function* (bytes, ctx) {
  const warn = (code: string, message: string, offset?: number) => ctx.warn({ code, message, offset });
  for (const s of il2cppLiterals(bytes, warn)) {
    if (!s.text) continue;
    const d: DecodedString = { text: s.text, location: { entry: ctx.entry, decoder: 'il2cpp', pointer: `string_literals[${s.index}]` } };
    yield d;
  }
  const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(4, true);
  for (const c of il2cppDefaults(bytes, version, ctx.warn)) {
    const member = c.method === undefined ? `${c.className}.${c.name}` : `${c.className}.${c.method}(${c.name})`;
    yield { text: c.text, location: { entry: ctx.entry, decoder: 'il2cpp', pointer: `${c.table}[${c.row}] ${member}` }, context: c.name, scope: c.className };
  }
};
