import { WorkBudget } from './budget.js';
import { chainedImportNames, classicBinds, Leb } from './macho-imports.js';
import type { MachoSlice } from './macho-sections.js';
import type { DecodeWarning } from './types.js';

// Which pointer slots of a Mach-O slice dyld rebases, and where each points: the classic rebase opcodes of
// LC_DYLD_INFO(_ONLY) (<mach-o/loader.h> REBASE_*) and the chains of LC_DYLD_CHAINED_FIXUPS (<mach-o/fixup-chains.h>:
// dyld_chained_fixups_header, dyld_chained_starts_in_image, dyld_chained_starts_in_segment, dyld_chained_ptr_*).
// Binds (pointers to other images) lead to no string; only their symbol is kept (decoders/macho-imports.ts), which
// names the class of a category on another image's class (`_OBJC_CLASS_$_NSObject`).

/** Rebase slots walked per slice (opcode repeats and chain links alike); the rest are dropped with a warning. */
export const MAX_MACHO_FIXUPS = 1 << 22;
/** Pages of one segment's chain starts read (a 4 GiB segment of 16 KiB pages has 262,144). */
const MAX_CHAIN_PAGES = 1 << 18;

const REBASE_TYPE_POINTER = 1;
const REBASE_TYPE_TEXT_ABSOLUTE32 = 2;
const DYLD_CHAINED_PTR_START_NONE = 0xffff;
const DYLD_CHAINED_PTR_START_MULTI = 0x8000;
const DYLD_CHAINED_PTR_START_LAST = 0x8000;
/** dyld_chained_starts_in_segment.pointer_format values this reader knows, with the stride of their `next` field. */
const CHAINED_FORMATS: Record<number, { name: string; stride: number }> = {
  1: { name: 'DYLD_CHAINED_PTR_ARM64E', stride: 8 },
  2: { name: 'DYLD_CHAINED_PTR_64', stride: 4 },
  3: { name: 'DYLD_CHAINED_PTR_32', stride: 4 },
  6: { name: 'DYLD_CHAINED_PTR_64_OFFSET', stride: 4 },
  7: { name: 'DYLD_CHAINED_PTR_ARM64E_KERNEL', stride: 4 },
  9: { name: 'DYLD_CHAINED_PTR_ARM64E_USERLAND', stride: 8 },
  12: { name: 'DYLD_CHAINED_PTR_ARM64E_USERLAND24', stride: 8 },
};

/** Rebased pointer slots of one slice, sorted by address: `target(slot)` is where the slot points once loaded. */
export class MachoPointers {
  constructor(
    private readonly slots: Float64Array,
    private readonly targets: Float64Array,
    /** `chained`, `rebase` (classic opcodes) or `none`. */
    readonly kind: 'chained' | 'rebase' | 'none',
    /** The pointer formats met, e.g. `DYLD_CHAINED_PTR_64_OFFSET`. */
    readonly formats: readonly string[],
    /** Bound slots, sorted, and the symbol each is bound to. */
    private readonly bindSlots: Float64Array = new Float64Array(0),
    private readonly bindSymbols: readonly string[] = [],
  ) {}

  /** The symbol a slot at `addr` is bound to (`_OBJC_CLASS_$_NSObject`), or undefined when no bind covers it. */
  bindName(addr: number): string | undefined {
    const i = lowerBound(this.bindSlots, addr);
    return i < this.bindSlots.length && this.bindSlots[i] === addr ? this.bindSymbols[i] : undefined;
  }

  get size(): number {
    return this.slots.length;
  }

  /** The unslid address a rebased slot at `addr` points to, or undefined when no rebase covers that slot. */
  target(addr: number): number | undefined {
    const lo = lowerBound(this.slots, addr);
    return lo < this.slots.length && this.slots[lo] === addr ? this.targets[lo] : undefined;
  }

  /** Every slot in `[start, end)` with its target, in address order. */
  *inRange(start: number, end: number): Generator<[number, number]> {
    for (let i = lowerBound(this.slots, start); i < this.slots.length && this.slots[i]! < end; i++) yield [this.slots[i]!, this.targets[i]!];
  }
}

/** The first index of sorted `a` whose value is not below `x`. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The order that sorts `slots` (the identity when they are sorted already, as chains and opcodes mostly are). */
function sortOrder(slots: number[]): number[] {
  const order = Array.from({ length: slots.length }, (_, i) => i);
  for (let i = 1; i < slots.length; i++) {
    if (slots[i - 1]! > slots[i]!) return order.sort((a, b) => slots[a]! - slots[b]!);
  }
  return order;
}

class Collector {
  slots: number[] = [];
  targets: number[] = [];
  bindSlots: number[] = [];
  bindSymbols: string[] = [];
  add(slot: number, target: number): void {
    this.slots.push(slot);
    this.targets.push(target);
  }
  bind(slot: number, symbol: string): void {
    this.bindSlots.push(slot);
    this.bindSymbols.push(symbol);
  }
  done(kind: MachoPointers['kind'], formats: string[]): MachoPointers {
    const order = sortOrder(this.slots);
    const s = new Float64Array(order.length);
    const t = new Float64Array(order.length);
    for (let i = 0; i < order.length; i++) {
      s[i] = this.slots[order[i]!]!;
      t[i] = this.targets[order[i]!]!;
    }
    const bindOrder = sortOrder(this.bindSlots);
    const bs = Float64Array.from(bindOrder, (i) => this.bindSlots[i]!);
    return new MachoPointers(s, t, kind, formats, bs, bindOrder.map((i) => this.bindSymbols[i]!));
  }
}

/** The image base: the vmaddr of the segment that maps the start of the file (`__TEXT`). */
export function imageBase(slice: MachoSlice): number {
  return slice.segments.find((g) => g.fileoff === 0 && g.filesize > 0)?.vmaddr ?? slice.segments.find((g) => g.segname === '__TEXT')?.vmaddr ?? 0;
}

/** The rebased pointers of a slice from its chained fixups or, failing those, its classic rebase opcodes. */
export function machoPointers(slice: MachoSlice, warn: (w: DecodeWarning) => void): MachoPointers {
  const budget = new WorkBudget('macho.fixup_budget', 'rebase fixups', MAX_MACHO_FIXUPS, warn);
  if (slice.chainedFixups) return chainedPointers(slice, budget, warn);
  if (slice.rebase) return rebasePointers(slice, budget, warn);
  return new MachoPointers(new Float64Array(0), new Float64Array(0), 'none', []);
}

function linkeditRange(slice: MachoSlice, r: { offset: number; size: number }, what: string, warn: (w: DecodeWarning) => void): Uint8Array | undefined {
  if (r.size === 0) return undefined;
  if (r.offset > slice.bytes.length || r.size > slice.bytes.length - r.offset) {
    warn({ code: 'macho.bad_linkedit', message: `${what} (${r.offset}+${r.size}) lies outside the ${slice.bytes.length}-byte slice: pointers not resolved`, offset: slice.base + r.offset });
    return undefined;
  }
  return slice.bytes.subarray(r.offset, r.offset + r.size);
}

/** Reads a pointer of the slice's width at a slice file offset, or undefined when it does not fit. */
function readPointer(slice: MachoSlice, view: DataView, at: number): number | undefined {
  const width = slice.is64 ? 8 : 4;
  if (at < 0 || at + width > slice.bytes.length) return undefined;
  if (!slice.is64) return view.getUint32(at, slice.littleEndian);
  const lo = view.getUint32(at + (slice.littleEndian ? 0 : 4), slice.littleEndian);
  const hi = view.getUint32(at + (slice.littleEndian ? 4 : 0), slice.littleEndian);
  // Addresses above 2^53 are not in any section: keep them out of range rather than rounded into one.
  return hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 0x100000000 + lo;
}

function rebasePointers(slice: MachoSlice, budget: WorkBudget, warn: (w: DecodeWarning) => void): MachoPointers {
  const out = new Collector();
  const ops = linkeditRange(slice, slice.rebase!, 'rebase opcodes', warn);
  if (ops) rebaseOpcodes(slice, ops, budget, warn, out);
  const binds = slice.bind && linkeditRange(slice, slice.bind, 'bind opcodes', warn);
  if (binds) classicBinds(slice, binds, slice.base + slice.bind!.offset, budget, warn, (slot, symbol) => out.bind(slot, symbol));
  return out.done('rebase', []);
}

function rebaseOpcodes(slice: MachoSlice, ops: Uint8Array, budget: WorkBudget, warn: (w: DecodeWarning) => void, out: Collector): void {
  const view = new DataView(slice.bytes.buffer, slice.bytes.byteOffset, slice.bytes.byteLength);
  const width = slice.is64 ? 8 : 4;
  const r = new Leb(ops);
  const bad = (message: string) => warn({ code: 'macho.bad_rebase', message: `${message}: the rest of the rebase opcodes were not read`, offset: slice.base + slice.rebase!.offset + r.pos });
  const uleb = () => r.uleb();
  let type = 0;
  let seg: MachoSlice['segments'][number] | undefined;
  let off = 0;
  // One rebase at the cursor; false ends the walk (a slot outside its segment or the budget spent).
  const rebase = (): boolean => {
    if (!seg) return bad('a rebase before any segment was set'), false;
    if (off + width > seg.filesize) return bad(`a rebase at ${seg.segname}+${off} lies outside the segment`), false;
    if (!budget.charge(1, slice.base + slice.rebase!.offset + r.pos)) return false;
    if (type === REBASE_TYPE_POINTER || type === REBASE_TYPE_TEXT_ABSOLUTE32) {
      const v = type === REBASE_TYPE_TEXT_ABSOLUTE32 ? (seg.fileoff + off + 4 <= slice.bytes.length ? view.getUint32(seg.fileoff + off, slice.littleEndian) : undefined) : readPointer(slice, view, seg.fileoff + off);
      if (v !== undefined) out.add(seg.vmaddr + off, v);
    }
    return true;
  };
  walk: while (!r.done) {
    const byte = r.byte();
    const imm = byte & 0x0f;
    switch (byte & 0xf0) {
      case 0x00: // REBASE_OPCODE_DONE
        break walk;
      case 0x10: // REBASE_OPCODE_SET_TYPE_IMM
        type = imm;
        break;
      case 0x20: {
        // REBASE_OPCODE_SET_SEGMENT_AND_OFFSET_ULEB
        seg = slice.segments[imm];
        const o = uleb();
        if (!seg || o === undefined) return bad(`segment ${imm} or its offset is invalid`);
        off = o;
        break;
      }
      case 0x30: {
        // REBASE_OPCODE_ADD_ADDR_ULEB
        const o = uleb();
        if (o === undefined) return bad('truncated ULEB128');
        off += o;
        break;
      }
      case 0x40: // REBASE_OPCODE_ADD_ADDR_IMM_SCALED
        off += imm * width;
        break;
      case 0x50: // REBASE_OPCODE_DO_REBASE_IMM_TIMES
        for (let i = 0; i < imm; i++, off += width) if (!rebase()) break walk;
        break;
      case 0x60: {
        // REBASE_OPCODE_DO_REBASE_ULEB_TIMES
        const n = uleb();
        if (n === undefined) return bad('truncated ULEB128');
        for (let i = 0; i < n; i++, off += width) if (!rebase()) break walk;
        break;
      }
      case 0x70: {
        // REBASE_OPCODE_DO_REBASE_ADD_ADDR_ULEB
        if (!rebase()) break walk;
        const o = uleb();
        if (o === undefined) return bad('truncated ULEB128');
        off += width + o;
        break;
      }
      case 0x80: {
        // REBASE_OPCODE_DO_REBASE_ULEB_TIMES_SKIPPING_ULEB
        const n = uleb();
        const skip = uleb();
        if (n === undefined || skip === undefined) return bad('truncated ULEB128');
        for (let i = 0; i < n; i++, off += width + skip) if (!rebase()) break walk;
        break;
      }
      default:
        bad(`unknown rebase opcode 0x${byte.toString(16)}`);
        break walk;
    }
  }
}

function chainedPointers(slice: MachoSlice, budget: WorkBudget, warn: (w: DecodeWarning) => void): MachoPointers {
  const out = new Collector();
  const formats = new Set<string>();
  const data = linkeditRange(slice, slice.chainedFixups!, 'chained fixups', warn);
  if (!data || data.length < 28) return out.done('chained', []);
  const at0 = slice.base + slice.chainedFixups!.offset;
  const le = slice.littleEndian;
  const h = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const bad = (message: string, offset: number) => warn({ code: 'macho.bad_chained_fixups', message, offset: at0 + offset });
  if (h.getUint32(0, le) !== 0) return bad(`fixups_version ${h.getUint32(0, le)} is not 0: pointers not resolved`, 0), out.done('chained', []);
  const starts = h.getUint32(4, le);
  if (starts + 4 > data.length) return bad(`starts_offset ${starts} lies outside the fixups`, 4), out.done('chained', []);
  const segCount = h.getUint32(starts, le);
  if (segCount > slice.segments.length || starts + 4 + segCount * 4 > data.length) {
    return bad(`${segCount} segment starts do not fit (${slice.segments.length} segments)`, starts), out.done('chained', []);
  }
  const base = imageBase(slice);
  const view = new DataView(slice.bytes.buffer, slice.bytes.byteOffset, slice.bytes.byteLength);
  // Bound slots and their import ordinals, named from the import table once the chains are walked.
  const bindSlots: number[] = [];
  const bindOrdinals: number[] = [];
  const bind = (slot: number, ordinal: number) => {
    bindSlots.push(slot);
    bindOrdinals.push(ordinal);
  };
  for (let s = 0; s < segCount && !budget.exhausted; s++) {
    const infoOff = h.getUint32(starts + 4 + s * 4, le);
    if (infoOff === 0) continue;
    const info = starts + infoOff;
    if (info + 22 > data.length) {
      bad(`segment ${s} starts lie outside the fixups`, starts + 4 + s * 4);
      continue;
    }
    const pageSize = h.getUint16(info + 4, le);
    const formatId = h.getUint16(info + 6, le);
    const maxValid = h.getUint32(info + 16, le);
    const pageCount = h.getUint16(info + 20, le);
    const format = CHAINED_FORMATS[formatId];
    if (!format) {
      bad(`segment ${s} uses pointer format ${formatId}, which is not read: its pointers are not resolved`, info + 6);
      continue;
    }
    if (pageSize === 0 || pageCount > MAX_CHAIN_PAGES || info + 22 + pageCount * 2 > data.length) {
      bad(`segment ${s} has ${pageCount} pages of ${pageSize} bytes that do not fit`, info);
      continue;
    }
    formats.add(format.name);
    const seg = slice.segments[s]!;
    const is32 = formatId === 3;
    const chainStarts = (page: number): number[] => {
      const v = h.getUint16(info + 22 + page * 2, le);
      if (v === DYLD_CHAINED_PTR_START_NONE) return [];
      if (!is32 || (v & DYLD_CHAINED_PTR_START_MULTI) === 0) return [v];
      // 32-bit formats only: an index into the overflow starts that follow page_start[], the last one flagged.
      const list: number[] = [];
      for (let i = v & 0x7fff; info + 22 + i * 2 + 2 <= data.length && list.length < pageSize / 4; i++) {
        const e = h.getUint16(info + 22 + i * 2, le);
        list.push(e & 0x7fff);
        if (e & DYLD_CHAINED_PTR_START_LAST) break;
      }
      return list;
    };
    for (let page = 0; page < pageCount && !budget.exhausted; page++) {
      for (const first of chainStarts(page)) {
        let off = page * pageSize + first;
        for (;;) {
          const width = is32 ? 4 : 8;
          if (off + width > seg.filesize || seg.fileoff + off + width > slice.bytes.length) {
            bad(`a chain in ${seg.segname} runs past the segment at +${off}`, info);
            break;
          }
          if (!budget.charge(1, at0 + info)) break;
          const fileAt = seg.fileoff + off;
          let next: number;
          if (is32) {
            const v = view.getUint32(fileAt, le);
            next = (v >>> 26) & 0x1f;
            const target = v & 0x3ffffff;
            // Values above max_valid_pointer are not pointers but small integers stored in the chain.
            if (v >>> 31 === 0 && target <= maxValid) out.add(seg.vmaddr + off, target);
            else if (v >>> 31) bind(seg.vmaddr + off, v & 0xfffff);
          } else {
            const lo = view.getUint32(fileAt + (le ? 0 : 4), le);
            const hi = view.getUint32(fileAt + (le ? 4 : 0), le);
            const target = decode64(formatId, lo, hi, base);
            next = formatId === 2 || formatId === 6 ? (hi >>> 19) & 0xfff : (hi >>> 19) & 0x7ff;
            if (target !== undefined) out.add(seg.vmaddr + off, target);
            // A bind's low bits are its import ordinal: 24 bits (64, 64_OFFSET, USERLAND24) or 16 (arm64e).
            else bind(seg.vmaddr + off, formatId === 2 || formatId === 6 || formatId === 12 ? lo & 0xffffff : lo & 0xffff);
          }
          if (next === 0) break;
          off += next * format.stride;
        }
      }
    }
  }
  if (budget.exhausted) bad('the chains hold more fixups than are read', 0);
  if (bindSlots.length > 0) {
    const names = chainedImportNames(data, le, bad);
    for (let i = 0; i < bindSlots.length; i++) {
      const name = names[bindOrdinals[i]!];
      if (name !== undefined) out.bind(bindSlots[i]!, name);
    }
  }
  return out.done('chained', [...formats]);
}

/** The unslid target of one 64-bit chained rebase, or undefined for a bind. */
function decode64(format: number, lo: number, hi: number, base: number): number | undefined {
  if (format === 2 || format === 6) {
    // dyld_chained_ptr_64_rebase: target:36 high8:8 reserved:7 next:12 bind:1.
    if (hi >>> 31) return undefined;
    const target = (hi & 0xf) * 0x100000000 + lo;
    return format === 6 ? base + target : target;
  }
  // dyld_chained_ptr_arm64e_*: ... next:11 bind:1 auth:1; an auth rebase holds a 32-bit offset from the image base.
  const auth = hi >>> 31;
  if ((hi >>> 30) & 1) return undefined;
  if (auth) return base + lo;
  const target = (hi & 0x7ff) * 0x100000000 + lo;
  return format === 1 ? target : base + target;
}
