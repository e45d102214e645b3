import { Reader } from './reader.js';
import { DecodeError, type DecodedString, type DecodeContext, type Decoder } from './types.js';

// .NET assemblies as Xamarin.Android / .NET MAUI ship them: PE/COFF files (ECMA-335 II.25), optionally LZ4-compressed
// in an `XALZ` envelope, optionally packed into an assembly store (`assemblies.blob`, `libassemblies.<abi>.blob.so`).
// C# string literals (`ldstr`) live in the `#US` heap as UTF-16 (ECMA-335 II.24.2.4).

/** Largest decompressed XALZ assembly. */
export const MAX_XALZ_BYTES = 256 * 1024 * 1024;
/** Most output one LZ4 block byte can produce. */
const LZ4_MAX_EXPANSION = 255;
/** Most sections in a PE file (the COFF header allows 96 in practice). */
const MAX_SECTIONS = 96;
/** Most metadata streams. */
const MAX_STREAMS = 64;
/** Most assemblies in one store. */
const MAX_STORE_ENTRIES = 65_536;
/** Longest #US string kept, UTF-16 code units. */
const MAX_US_CHARS = 64 * 1024;
/** Most bytes searched for embedded assemblies in a store of unknown version. */
const MAX_SCAN_BYTES = 1024 * 1024 * 1024;

const XALZ = [0x58, 0x41, 0x4c, 0x5a];
const XABA = [0x58, 0x41, 0x42, 0x41];

function at(bytes: Uint8Array, magic: readonly number[], pos = 0): boolean {
  if (pos < 0 || bytes.length < pos + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[pos + i] !== magic[i]) return false;
  return true;
}

/** True when `head` is a PE file (`MZ` ... `PE\0\0`). */
export function isPe(head: Uint8Array): boolean {
  if (!at(head, [0x4d, 0x5a]) || head.length < 0x40) return false;
  const lfanew = head[0x3c]! | (head[0x3d]! << 8) | (head[0x3e]! << 16) | (head[0x3f]! << 24);
  return lfanew > 0 && lfanew + 4 <= head.length && at(head, [0x50, 0x45, 0, 0], lfanew);
}

/** True when `head` starts an LZ4-compressed Xamarin assembly. */
export function isXalz(head: Uint8Array): boolean {
  return at(head, XALZ) && head.length >= 12;
}

/** True when `head` starts a Xamarin assembly store. */
export function isAssemblyStore(head: Uint8Array): boolean {
  return at(head, XABA) && head.length >= 8;
}

/**
 * LZ4 block decompression (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md), output capped at
 * `expected` bytes (the size the envelope declares, itself capped). Decoding stops once `expected` bytes are out:
 * an XALZ envelope records no compressed size, so `src` may run on into whatever follows it (the next assembly of a
 * store).
 */
export function lz4BlockDecompress(src: Uint8Array, expected: number): Uint8Array {
  if (expected > MAX_XALZ_BYTES) throw new DecodeError('dotnet.too_large', `declared size ${expected} is over ${MAX_XALZ_BYTES}`, 0);
  // Each LZ4 input byte yields at most 255 output bytes (a length-extension byte): never allocate past that.
  if (expected > src.length * LZ4_MAX_EXPANSION + 16) throw new DecodeError('dotnet.ratio', `declared size ${expected} cannot come from ${src.length} compressed bytes`, 0);
  const out = new Uint8Array(expected);
  let ip = 0;
  let op = 0;
  const n = src.length;
  while (ip < n) {
    const token = src[ip++]!;
    let lit = token >> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= n) throw new DecodeError('dotnet.lz4_truncated', 'literal length runs past the input', ip);
        b = src[ip++]!;
        lit += b;
      } while (b === 255);
    }
    if (lit > n - ip || lit > expected - op) throw new DecodeError('dotnet.lz4_overrun', `literal run of ${lit} bytes does not fit`, ip);
    out.set(src.subarray(ip, ip + lit), op);
    ip += lit;
    op += lit;
    if (ip >= n || op === expected) break;
    if (n - ip < 2) throw new DecodeError('dotnet.lz4_truncated', 'match offset runs past the input', ip);
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op) throw new DecodeError('dotnet.lz4_bad_offset', `match offset ${offset} points before the output`, ip - 2);
    let len = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (ip >= n) throw new DecodeError('dotnet.lz4_truncated', 'match length runs past the input', ip);
        b = src[ip++]!;
        len += b;
      } while (b === 255);
    }
    if (len > expected - op) throw new DecodeError('dotnet.lz4_overrun', `match of ${len} bytes overruns the declared size`, ip);
    // Overlapping copies are allowed (offset < len repeats the last `offset` bytes).
    let from = op - offset;
    if (offset >= len) {
      out.copyWithin(op, from, from + len);
      op += len;
    } else {
      for (let k = 0; k < len; k++) out[op++] = out[from++]!;
    }
  }
  if (op !== expected) throw new DecodeError('dotnet.lz4_short', `decompressed ${op} bytes, the envelope declares ${expected}`, n);
  return out;
}

/** Unwraps an XALZ envelope: `XALZ`, descriptor index u32, uncompressed size u32, LZ4 block (xamarin-android `CompressedAssemblies`). */
export function unwrapXalz(bytes: Uint8Array): Uint8Array {
  if (!isXalz(bytes)) throw new DecodeError('dotnet.bad_magic', 'not an XALZ compressed assembly', 0);
  const size = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  return lz4BlockDecompress(bytes.subarray(12), size);
}

interface Section {
  va: number;
  vsize: number;
  raw: number;
  rawSize: number;
}

/** File offset of an RVA through the section table (ECMA-335 II.25.3), or undefined. */
function rvaToOffset(sections: Section[], rva: number, fileSize: number): number | undefined {
  for (const s of sections) {
    const span = Math.max(s.vsize, s.rawSize);
    if (rva >= s.va && rva < s.va + span) {
      const off = s.raw + (rva - s.va);
      return off < fileSize ? off : undefined;
    }
  }
  return undefined;
}

/** One string of the `#US` heap. */
export interface UserString {
  /** Offset inside the heap (the token's low 24 bits: `ldstr 0x70xxxxxx`). */
  heapOffset: number;
  text: string;
}

/** The metadata root's streams: name -> [file offset, size]. */
export function metadataStreams(bytes: Uint8Array): Map<string, { offset: number; size: number }> {
  const r = new Reader(bytes, 'dotnet');
  const v = r.view;
  r.need(0x40, 0, 'DOS header');
  if (!isPe(bytes)) r.fail('bad_magic', 'not a PE file', 0);
  const pe = v.getUint32(0x3c, true);
  r.need(24, pe, 'COFF header');
  const nSections = v.getUint16(pe + 6, true);
  const optSize = v.getUint16(pe + 20, true);
  const opt = pe + 24;
  r.need(optSize, opt, 'optional header');
  const magic = v.getUint16(opt, true);
  // PE32 data directories start at 96, PE32+ at 112; the CLI header is directory 14 (II.25.2.3.3).
  const dirs = magic === 0x20b ? opt + 112 : magic === 0x10b ? opt + 96 : r.fail('bad_optional_header', `optional header magic 0x${magic.toString(16)}`, opt);
  if (dirs + 15 * 8 > opt + optSize) r.fail('no_cli_header', 'optional header has no CLI data directory: not a .NET assembly', opt);
  const cliRva = v.getUint32(dirs + 14 * 8, true);
  if (cliRva === 0) r.fail('no_cli_header', 'no CLI header: not a .NET assembly', dirs + 14 * 8);
  if (nSections > MAX_SECTIONS) r.fail('too_many_sections', `${nSections} sections`, pe + 6);
  const secAt = opt + optSize;
  r.needItems(nSections, 40, secAt, 'section table');
  const sections: Section[] = [];
  for (let i = 0; i < nSections; i++) {
    const s = secAt + i * 40;
    sections.push({ vsize: v.getUint32(s + 8, true), va: v.getUint32(s + 12, true), rawSize: v.getUint32(s + 16, true), raw: v.getUint32(s + 20, true) });
  }
  const cli = rvaToOffset(sections, cliRva, bytes.length) ?? r.fail('bad_rva', `CLI header RVA 0x${cliRva.toString(16)} is in no section`, dirs + 14 * 8);
  r.need(16, cli, 'CLI header');
  const mdRva = v.getUint32(cli + 8, true);
  const md = rvaToOffset(sections, mdRva, bytes.length) ?? r.fail('bad_rva', `metadata RVA 0x${mdRva.toString(16)} is in no section`, cli + 8);
  // Metadata root (II.24.2.1): 'BSJB', versions, reserved, length, version string, flags, stream count, headers.
  r.need(16, md, 'metadata root');
  if (v.getUint32(md, true) !== 0x424a5342) r.fail('bad_metadata', 'metadata root signature is not BSJB', md);
  const verLen = v.getUint32(md + 12, true);
  if (verLen > 255) r.fail('bad_metadata', `version string of ${verLen} bytes`, md + 12);
  let pos = md + 16 + verLen;
  r.need(4, pos, 'metadata flags');
  const nStreams = v.getUint16(pos + 2, true);
  if (nStreams > MAX_STREAMS) r.fail('bad_metadata', `${nStreams} metadata streams`, pos + 2);
  pos += 4;
  const streams = new Map<string, { offset: number; size: number }>();
  for (let i = 0; i < nStreams; i++) {
    r.need(8, pos, 'stream header');
    const off = v.getUint32(pos, true);
    const size = v.getUint32(pos + 4, true);
    pos += 8;
    let name = '';
    while (pos < bytes.length && bytes[pos] !== 0 && name.length < 32) name += String.fromCharCode(bytes[pos++]!);
    pos = (pos + 4) & ~3;
    const start = md + off;
    if (off > bytes.length || start > bytes.length || size > bytes.length - start) r.fail('bad_stream', `stream ${name} (${size} bytes at ${off}) overruns the file`, pos);
    if (!streams.has(name)) streams.set(name, { offset: start, size });
  }
  return streams;
}

/** Every string of the `#US` heap (compressed length, UTF-16LE, one trailing flag byte; II.24.2.4). */
export function* userStrings(bytes: Uint8Array, warn: (code: string, message: string, offset?: number) => void = () => {}): Generator<UserString> {
  const us = metadataStreams(bytes).get('#US');
  if (!us) return;
  const end = us.offset + us.size;
  let pos = us.offset + 1;
  while (pos < end) {
    const heapOffset = pos - us.offset;
    const b0 = bytes[pos]!;
    let len: number;
    // Compressed unsigned integer (II.23.2).
    if ((b0 & 0x80) === 0) {
      len = b0;
      pos += 1;
    } else if ((b0 & 0xc0) === 0x80) {
      if (end - pos < 2) break;
      len = ((b0 & 0x3f) << 8) | bytes[pos + 1]!;
      pos += 2;
    } else if ((b0 & 0xe0) === 0xc0) {
      if (end - pos < 4) break;
      len = ((b0 & 0x1f) * 0x1000000) + (bytes[pos + 1]! << 16) + (bytes[pos + 2]! << 8) + bytes[pos + 3]!;
      pos += 4;
    } else {
      warn('dotnet.bad_us', `bad length byte 0x${b0.toString(16)} in #US; rest of the heap skipped`, pos);
      return;
    }
    if (len === 0) continue;
    if (len > end - pos) {
      warn('dotnet.bad_us', `#US string of ${len} bytes overruns the heap`, pos);
      return;
    }
    const units = Math.min((len - 1) >> 1, MAX_US_CHARS);
    let text = '';
    for (let k = 0; k < units; k += 4096) {
      const chunk: number[] = [];
      for (let j = k; j < Math.min(units, k + 4096); j++) chunk.push(bytes[pos + j * 2]! | (bytes[pos + j * 2 + 1]! << 8));
      text += String.fromCharCode(...chunk);
    }
    yield { heapOffset, text };
    pos += len;
  }
}

function* assemblyStrings(bytes: Uint8Array, ctx: DecodeContext, prefix: string): Generator<DecodedString> {
  const warn = (code: string, message: string, offset?: number) => ctx.warn({ code, message, offset });
  for (const s of userStrings(bytes, warn)) {
    if (s.text) yield { text: s.text, location: { entry: ctx.entry, decoder: 'dotnet', pointer: `${prefix}#US+0x${s.heapOffset.toString(16)}` } };
  }
}

/** Strings of one assembly, plain or XALZ-compressed. */
function* oneAssembly(bytes: Uint8Array, ctx: DecodeContext, prefix: string): Generator<DecodedString> {
  if (isXalz(bytes)) yield* assemblyStrings(unwrapXalz(bytes), ctx, `${prefix}xalz!`);
  else yield* assemblyStrings(bytes, ctx, prefix);
}

/** Finds the assembly store inside a `libassemblies.<abi>.blob.so` (or any buffer): offset of `XABA`, or -1. */
export function findAssemblyStore(bytes: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_SCAN_BYTES)).indexOf('XABA');
}

/**
 * Assemblies in a store. Version 1 (Xamarin.Android 11-13, .NET 6-8): header `XABA`, version, local entry count,
 * global entry count, store id, then 24-byte descriptors (data offset/size, debug, config). Other versions: each
 * embedded `XALZ` envelope and PE image is found by its magic (a diagnostic says so).
 */
function* storeAssemblies(bytes: Uint8Array, ctx: DecodeContext): Generator<{ index: number; data: Uint8Array }> {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes.length >= 8 ? v.getUint32(4, true) : 0;
  if (version === 1 && bytes.length >= 20) {
    const count = v.getUint32(8, true);
    if (count <= MAX_STORE_ENTRIES && 20 + count * 24 <= bytes.length) {
      for (let i = 0; i < count; i++) {
        const d = 20 + i * 24;
        const off = v.getUint32(d, true);
        const size = v.getUint32(d + 4, true);
        if (off > bytes.length || size > bytes.length - off) {
          ctx.warn({ code: 'dotnet.bad_store_entry', message: `assembly ${i} (${size} bytes at ${off}) overruns the store`, offset: d });
          continue;
        }
        yield { index: i, data: bytes.subarray(off, off + size) };
      }
      return;
    }
  }
  ctx.warn({ code: 'dotnet.store_version', message: `assembly store version ${version} is not v1; assemblies found by their magic numbers`, offset: 4 });
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let index = 0;
  for (const magic of ['XALZ', 'MZ']) {
    let p = buf.indexOf(magic, 8);
    while (p >= 0 && index < MAX_STORE_ENTRIES) {
      const data = bytes.subarray(p);
      if (magic === 'XALZ' ? isXalz(data) : isPe(data.subarray(0, 4096))) yield { index: index++, data };
      p = buf.indexOf(magic, p + 2);
    }
  }
}

/** .NET assembly decoder: `#US+0x1a` pointers; XALZ envelopes are decompressed first. */
export const decodeDotnet: Decoder = (bytes, ctx) => oneAssembly(bytes, ctx, '');

/** Assembly store decoder (`assemblies.blob`, or the payload of `libassemblies.*.blob.so`): `assembly[3]#US+0x1a`. */
export const decodeAssemblyStore: Decoder = function* (bytes, ctx) {
  const start = isAssemblyStore(bytes) ? 0 : findAssemblyStore(bytes);
  if (start < 0) throw new DecodeError('dotnet.no_store', 'no XABA assembly store found', 0);
  const store = bytes.subarray(start);
  for (const a of storeAssemblies(store, ctx)) {
    try {
      yield* oneAssembly(a.data, ctx, `${start ? `+0x${start.toString(16)} ` : ''}assembly[${a.index}]`);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      ctx.warn({ code: e.code, message: `assembly ${a.index}: ${e.message}`, offset: e.offset });
    }
  }
};
