// Section-level pieces of a Mach-O slice shared by the string reader (macho.ts) and the binders (macho-bind.ts):
// the parsed slice types, a section's bytes, C strings, and address -> section lookup. <mach-o/loader.h> section flags.

/** Longest C string emitted as one piece (longer ones are cut). */
export const MACHO_MAX_STRING = 64 * 1024;
const SECTION_TYPE = 0xff;
const S_ZEROFILL = 0x1;
const S_CSTRING_LITERALS = 0x2;
const S_GB_ZEROFILL = 0xc;
const S_THREAD_LOCAL_ZEROFILL = 0x12;
const MH_DSYM = 0xa;

/** One section header, offsets relative to the slice. */
export interface MachoSection {
  segname: string;
  sectname: string;
  addr: number;
  size: number;
  offset: number;
  flags: number;
}

/** LC_ENCRYPTION_INFO(_64): the FairPlay-encrypted file range of a slice; `cryptid != 0` means encrypted. */
export interface MachoEncryption {
  cryptoff: number;
  cryptsize: number;
  cryptid: number;
}

/** What the load commands of one slice say. */
export interface MachoSlice {
  /** `arm64`, `arm64e`, `x86_64`, `i386`, `armv7`, ... */
  arch: string;
  cputype: number;
  cpusubtype: number;
  is64: boolean;
  littleEndian: boolean;
  /** MH_EXECUTE 2, MH_DYLIB 6, MH_BUNDLE 8, ... */
  filetype: number;
  /** Offset of the slice inside the file (0 for a thin binary). */
  base: number;
  /** The slice's bytes. */
  bytes: Uint8Array;
  sections: MachoSection[];
  segments: { segname: string; vmaddr: number; vmsize: number; fileoff: number; filesize: number }[];
  /** Linked libraries (LC_LOAD_DYLIB, weak, re-export, lazy, upward), in order. */
  dylibs: string[];
  /** The install name of a dylib (LC_ID_DYLIB). */
  idDylib?: string;
  encryption?: MachoEncryption;
  /** Minimum OS version (LC_BUILD_VERSION or LC_VERSION_MIN_*), `12.0`. */
  minOs?: string;
  /** Platform of LC_BUILD_VERSION / LC_VERSION_MIN_*: `ios`, `ios-simulator`, `macos`, ... */
  platform?: string;
  /** LC_CODE_SIGNATURE range, relative to the slice. */
  codeSignature?: { offset: number; size: number };
  /** LC_SYMTAB: the nlist table and its string table, offsets relative to the slice (unchecked). */
  symtab?: { symoff: number; nsyms: number; stroff: number; strsize: number };
  /** LC_DYLD_INFO(_ONLY): the classic rebase opcodes (unchecked). */
  rebase?: { offset: number; size: number };
  /** LC_DYLD_INFO(_ONLY): the classic (non-lazy) bind opcodes (unchecked). */
  bind?: { offset: number; size: number };
  /** LC_DYLD_CHAINED_FIXUPS: the linkedit_data range (unchecked). */
  chainedFixups?: { offset: number; size: number };
  /** LC_FUNCTION_STARTS: the ULEB128 deltas of every function start (unchecked). */
  functionStarts?: { offset: number; size: number };
}

/** The bytes of a section that has them in the file (not zero-fill, inside the slice). */
export function sectionBytes(slice: MachoSlice, s: MachoSection): Uint8Array | undefined {
  const type = s.flags & SECTION_TYPE;
  if (type === S_ZEROFILL || type === S_GB_ZEROFILL || type === S_THREAD_LOCAL_ZEROFILL || s.size === 0 || s.offset === 0) return undefined;
  if (s.offset > slice.bytes.length || s.size > slice.bytes.length - s.offset) return undefined;
  return slice.bytes.subarray(s.offset, s.offset + s.size);
}

/** Each NUL-terminated string of a C-string section with its offset (empty strings skipped; an unterminated tail kept). */
export function* cstrings(bytes: Uint8Array): Generator<[number, string]> {
  const decoder = new TextDecoder();
  let start = 0;
  while (start < bytes.length) {
    let nul = bytes.indexOf(0, start);
    if (nul < 0) nul = bytes.length;
    if (nul > start) {
      const stop = Math.min(nul, start + MACHO_MAX_STRING);
      yield [start, decoder.decode(bytes.subarray(start, stop))];
    }
    start = nul + 1;
  }
}

/** A section of C strings (S_CSTRING_LITERALS or one of the name sections that hold only C strings). */
export function isCstringSection(s: MachoSection): boolean {
  return (s.flags & SECTION_TYPE) === S_CSTRING_LITERALS || s.sectname === '__swift5_reflstr' || s.sectname === '__objc_methname' || s.sectname === '__objc_classname';
}

/** A run of addresses `[start, end)` and the section that owns it. */
export interface SectionRange {
  start: number;
  end: number;
  s: MachoSection;
}

/**
 * The address ranges of a slice's sections, disjoint and sorted by address, for binary search. Where sections
 * overlap (only in a crafted file) a range belongs to the first covering section in header order, which is what a
 * search of the headers in order finds. Sweep over the range boundaries with a min-heap of section indices.
 */
export function sectionRanges(sections: readonly MachoSection[]): SectionRange[] {
  const end = (i: number) => sections[i]!.addr + sections[i]!.size;
  const live: number[] = [];
  for (let i = 0; i < sections.length; i++) if (sections[i]!.size > 0) live.push(i);
  live.sort((a, b) => sections[a]!.addr - sections[b]!.addr);
  const points = [...new Set(live.flatMap((i) => [sections[i]!.addr, end(i)]))].sort((a, b) => a - b);
  const heap: number[] = [];
  const out: SectionRange[] = [];
  let next = 0;
  for (let p = 0; p + 1 < points.length; p++) {
    const lo = points[p]!;
    while (next < live.length && sections[live[next]!]!.addr <= lo) heapPush(heap, live[next++]!);
    while (heap.length > 0 && end(heap[0]!) <= lo) heapPop(heap);
    if (heap.length === 0) continue;
    const s = sections[heap[0]!]!;
    const last = out[out.length - 1];
    if (last && last.s === s && last.end === lo) last.end = points[p + 1]!;
    else out.push({ start: lo, end: points[p + 1]!, s });
  }
  return out;
}

function heapPush(heap: number[], v: number): void {
  let i = heap.push(v) - 1;
  while (i > 0) {
    const up = (i - 1) >> 1;
    if (heap[up]! <= v) break;
    heap[i] = heap[up]!;
    i = up;
  }
  heap[i] = v;
}

function heapPop(heap: number[]): void {
  const v = heap.pop()!;
  if (heap.length === 0) return;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= heap.length) break;
    if (c + 1 < heap.length && heap[c + 1]! < heap[c]!) c++;
    if (heap[c]! >= v) break;
    heap[i] = heap[c]!;
    i = c;
  }
  heap[i] = v;
}

/** The section holding virtual address `addr` and the offset inside it. */
export function sectionAt(ranges: readonly SectionRange[], addr: number): { s: MachoSection; off: number } | undefined {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges[mid]!.start <= addr) lo = mid + 1;
    else hi = mid;
  }
  const r = ranges[lo - 1];
  return r && addr < r.end ? { s: r.s, off: addr - r.s.addr } : undefined;
}

/** True when the slice's bytes for section `s` are readable: not a dSYM's placeholder, not FairPlay-encrypted. */
export function readableSection(slice: MachoSlice, s: MachoSection): boolean {
  if (slice.filetype === MH_DSYM && s.segname !== '__DWARF') return false;
  const enc = slice.encryption;
  if (enc && enc.cryptid !== 0 && s.offset < enc.cryptoff + enc.cryptsize && enc.cryptoff < s.offset + s.size) return false;
  return true;
}
