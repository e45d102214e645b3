import { WorkBudget } from './budget.js';
import type { MachoSlice } from './macho-sections.js';
import type { DecodeWarning } from './types.js';

// LC_SYMTAB (<mach-o/nlist.h>: struct nlist / nlist_64) and LC_FUNCTION_STARTS (ULEB128 deltas from __TEXT).

/** Symbols read per slice (a large app keeps a few hundred thousand when not stripped). */
export const MAX_MACHO_SYMBOLS = 1 << 21;
/** Function starts read per slice. */
export const MAX_FUNCTION_STARTS = 1 << 21;
/** Longest symbol name read. */
const MAX_SYMBOL_NAME = 1024;
const N_STAB = 0xe0;
const N_TYPE = 0x0e;
const N_SECT = 0x0e;

/** A defined symbol: its address, name (as the table spells it, `_kAPIKey`) and 1-based section number. */
export interface MachoSymbol {
  addr: number;
  name: string;
  sect: number;
}

/** The defined section symbols of a slice (no debugging stabs), sorted by address then name. */
export function machoSymbols(slice: MachoSlice, warn: (w: DecodeWarning) => void): MachoSymbol[] {
  const t = slice.symtab;
  if (!t || t.nsyms === 0) return [];
  const entSize = slice.is64 ? 16 : 12;
  const bytes = slice.bytes;
  if (t.symoff > bytes.length || t.nsyms > Math.floor((bytes.length - t.symoff) / entSize) || t.stroff > bytes.length || t.strsize > bytes.length - t.stroff) {
    warn({ code: 'macho.bad_symtab', message: `symbol table (${t.nsyms} symbols at ${t.symoff}, strings ${t.stroff}+${t.strsize}) overruns the ${bytes.length}-byte slice: symbols not read`, offset: slice.base + t.symoff });
    return [];
  }
  const budget = new WorkBudget('macho.symbol_budget', 'symbols', MAX_MACHO_SYMBOLS, warn);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = slice.littleEndian;
  const strings = bytes.subarray(t.stroff, t.stroff + t.strsize);
  const decoder = new TextDecoder();
  const out: MachoSymbol[] = [];
  for (let i = 0; i < t.nsyms; i++) {
    if (!budget.charge(1, slice.base + t.symoff + i * entSize)) break;
    const at = t.symoff + i * entSize;
    const type = bytes[at + 4]!;
    if ((type & N_STAB) !== 0 || (type & N_TYPE) !== N_SECT) continue;
    const sect = bytes[at + 5]!;
    const strx = view.getUint32(at, le);
    if (sect === 0 || strx === 0 || strx >= strings.length) continue;
    let end = strings.indexOf(0, strx);
    if (end < 0 || end - strx > MAX_SYMBOL_NAME) end = Math.min(strings.length, strx + MAX_SYMBOL_NAME);
    if (end === strx) continue;
    let addr: number;
    if (slice.is64) {
      const lo = view.getUint32(at + 8 + (le ? 0 : 4), le);
      const hi = view.getUint32(at + 8 + (le ? 4 : 0), le);
      if (hi >= 0x200000) continue;
      addr = hi * 0x100000000 + lo;
    } else addr = view.getUint32(at + 8, le);
    out.push({ addr, name: decoder.decode(strings.subarray(strx, end)), sect });
  }
  out.sort((a, b) => a.addr - b.addr || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** Function start addresses from LC_FUNCTION_STARTS, ascending. */
export function functionStarts(slice: MachoSlice, textBase: number, warn: (w: DecodeWarning) => void): number[] {
  const r = slice.functionStarts;
  if (!r || r.size === 0) return [];
  if (r.offset > slice.bytes.length || r.size > slice.bytes.length - r.offset) {
    warn({ code: 'macho.bad_function_starts', message: `function starts (${r.offset}+${r.size}) lie outside the slice`, offset: slice.base + r.offset });
    return [];
  }
  const budget = new WorkBudget('macho.function_starts_budget', 'function starts', MAX_FUNCTION_STARTS, warn);
  const data = slice.bytes.subarray(r.offset, r.offset + r.size);
  const out: number[] = [];
  let addr = textBase;
  let p = 0;
  while (p < data.length) {
    let v = 0;
    let scale = 1;
    let b = 0x80;
    for (let i = 0; i < 10 && p < data.length && b & 0x80; i++) {
      b = data[p++]!;
      v += (b & 0x7f) * scale;
      scale *= 128;
    }
    if (v === 0 || b & 0x80) break;
    if (!budget.charge(1, slice.base + r.offset + p)) break;
    addr += v;
    if (addr > Number.MAX_SAFE_INTEGER) break;
    out.push(addr);
  }
  return out;
}

/** The last index `i` of a sorted array with `key(a[i]) <= x`, or -1. */
export function floorIndex<T>(a: readonly T[], x: number, key: (v: T) => number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(a[mid]!) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
