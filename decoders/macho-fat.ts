import { DecodeError, type DecodeWarning } from './types.js';

// <mach-o/fat.h>: fat_header and fat_arch (FAT_MAGIC, 32-bit offsets) / fat_arch_64 (FAT_MAGIC_64), all big-endian.

/** Most architectures one universal binary may hold (real ones have 2-4). */
export const MAX_FAT_ARCHS = 32;

const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
const FAT_HEADER = 8;
const FAT_ARCH = 20;
const FAT_ARCH_64 = 32;

/** One architecture slice of a universal binary. */
export interface FatSlice {
  cputype: number;
  cpusubtype: number;
  offset: number;
  size: number;
}

/** True when the bytes start with a fat header (32- or 64-bit). */
export function isFat(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  return magic === FAT_MAGIC || magic === FAT_MAGIC_64;
}

/** The slices of a universal binary, each checked to lie inside the file; overlapping slices are warned about. */
export function fatSlices(bytes: Uint8Array, warn: (w: DecodeWarning) => void): FatSlice[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < FAT_HEADER) throw new DecodeError('macho.truncated', 'fat header needs 8 bytes', 0);
  const magic = view.getUint32(0, false);
  const is64 = magic === FAT_MAGIC_64;
  if (magic !== FAT_MAGIC && !is64) throw new DecodeError('macho.bad_magic', `not a fat header (magic 0x${magic.toString(16)})`, 0);
  const n = view.getUint32(4, false);
  if (n === 0 || n > MAX_FAT_ARCHS) throw new DecodeError('macho.bad_fat', `fat header claims ${n} architectures (1..${MAX_FAT_ARCHS} expected)`, 4);
  const entry = is64 ? FAT_ARCH_64 : FAT_ARCH;
  if (FAT_HEADER + n * entry > bytes.length) throw new DecodeError('macho.truncated', `fat header of ${n} architectures runs past the ${bytes.length}-byte file`, FAT_HEADER);
  const out: FatSlice[] = [];
  for (let i = 0; i < n; i++) {
    const at = FAT_HEADER + i * entry;
    const cputype = view.getInt32(at, false);
    const cpusubtype = view.getInt32(at + 4, false);
    let offset: number;
    let size: number;
    if (is64) {
      const o = view.getBigUint64(at + 8, false);
      const s = view.getBigUint64(at + 16, false);
      if (o > BigInt(bytes.length) || s > BigInt(bytes.length)) {
        warn({ code: 'macho.bad_fat', message: `slice ${i} (${o}+${s}) lies outside the ${bytes.length}-byte file: skipped`, offset: at });
        continue;
      }
      offset = Number(o);
      size = Number(s);
    } else {
      offset = view.getUint32(at + 8, false);
      size = view.getUint32(at + 12, false);
    }
    if (offset < FAT_HEADER + n * entry || size === 0 || offset > bytes.length - size) {
      warn({ code: 'macho.bad_fat', message: `slice ${i} (${offset}+${size}) lies outside the ${bytes.length}-byte file: skipped`, offset: at });
      continue;
    }
    for (const s of out) {
      if (offset < s.offset + s.size && s.offset < offset + size) warn({ code: 'macho.overlapping_slices', message: `slice ${i} overlaps an earlier slice`, offset: at });
    }
    out.push({ cputype, cpusubtype, offset, size });
  }
  if (out.length === 0) throw new DecodeError('macho.bad_fat', 'no architecture slice lies inside the file', FAT_HEADER);
  return out;
}
