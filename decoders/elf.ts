import { Reader } from './reader.js';
import { printableRuns } from './runs.js';
import { DecodeError, type DecodeContext, type DecodedString, type Decoder } from './types.js';

/** Most section headers read; the rest are ignored with a warning. */
export const MAX_SECTIONS = 8192;
/** Most program headers read. */
export const MAX_SEGMENTS = 1024;
/** Longest section name read from `.shstrtab`. */
export const MAX_SECTION_NAME = 256;
/** Shortest string emitted from a section. */
export const ELF_MIN_STRING = 6;
/** Longest string emitted as one piece. */
export const ELF_MAX_STRING = 4096;

// ELF constants: System V gABI, "ELF Header" / "Sections" / "Program Header" (and Linux <elf.h>).
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;
const PN_XNUM = 0xffff;
const SHT_PROGBITS = 1;
const SHT_NOBITS = 8;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;
const PT_LOAD = 1;

/** Sections whose bytes are string data a program reads at run time. */
const STRING_SECTION = /^\.(?:rodata|data|data\.rel\.ro|tdata|lrodata|ldata|noptrdata|rodata1|data1)(?:\.[\w.$-]*)?$/;
/** Allocated PROGBITS sections that hold no program strings (tables, unwind info, code, notes, linker data). */
const NON_STRING_SECTION =
  /^\.(?:text|init|fini|plt|got|eh_frame|eh_frame_hdr|gcc_except_table|init_array|fini_array|preinit_array|ARM\.exidx|ARM\.extab|interp|note|gnu|rel|rela|hash|dynamic|dynsym|dynstr|symtab|strtab|shstrtab|comment|debug|tbss|bss|ctors|dtors|jcr|gopclntab|gosymtab|go\.buildinfo)(?:[.\w$-]*)?$/;

/** Options for {@link elfStrings}. */
export interface ElfOptions {
  /** Also emit the symbol-name tables `.dynstr` and `.strtab` (default false: they hold names, not data). */
  symbols?: boolean;
  /** Shortest string emitted (default 6). */
  minLength?: number;
}

export interface Header {
  is64: boolean;
  le: boolean;
  phoff: number;
  shoff: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

export interface Section {
  index: number;
  nameOffset: number;
  type: number;
  flags: number;
  /** sh_addr: the section's virtual address. */
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
}

interface Range {
  label: string;
  offset: number;
  size: number;
}

/** Field reader for one ELF class and byte order; callers check bounds first (Reader.need/needItems). */
export class Fields {
  constructor(
    private readonly view: DataView,
    readonly is64: boolean,
    private readonly le: boolean,
  ) {}
  half(at: number): number {
    return this.view.getUint16(at, this.le);
  }
  word(at: number): number {
    return this.view.getUint32(at, this.le);
  }
  /** A 64-bit field as a number; values beyond 2^53 come back as Infinity so every bounds check fails. */
  xword(at: number): number {
    const v = this.view.getBigUint64(at, this.le);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
  }
  addr(at: number): number {
    return this.is64 ? this.xword(at) : this.word(at);
  }
}

export function fits(offset: number, size: number, total: number): boolean {
  return Number.isFinite(offset) && Number.isFinite(size) && offset >= 0 && size >= 0 && offset <= total && size <= total - offset;
}

export function readHeader(r: Reader): { header: Header; f: Fields } {
  r.need(16, 0, 'ELF identification');
  const b = r.bytes;
  if (b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) r.fail('bad_magic', 'not an ELF file', 0);
  const cls = b[4];
  const data = b[5];
  if (cls !== ELFCLASS32 && cls !== ELFCLASS64) r.fail('bad_class', `unknown ELF class ${cls}`, 4);
  if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) r.fail('bad_data', `unknown ELF data encoding ${data}`, 5);
  const is64 = cls === ELFCLASS64;
  const le = data === ELFDATA2LSB;
  r.need(is64 ? 64 : 52, 0, 'ELF header');
  const f = new Fields(r.view, is64, le);
  // Elf32_Ehdr / Elf64_Ehdr field offsets (gABI "ELF Header"): e_phoff, e_shoff, then e_phentsize..e_shstrndx.
  const o = is64 ? { phoff: 32, shoff: 40, halves: 54 } : { phoff: 28, shoff: 32, halves: 42 };
  const header: Header = {
    is64,
    le,
    phoff: f.addr(o.phoff),
    shoff: f.addr(o.shoff),
    phentsize: f.half(o.halves),
    phnum: f.half(o.halves + 2),
    shentsize: f.half(o.halves + 4),
    shnum: f.half(o.halves + 6),
    shstrndx: f.half(o.halves + 8),
  };
  return { header, f };
}

function readSection(f: Fields, at: number, index: number): Section {
  // Elf32_Shdr is 40 bytes of words; Elf64_Shdr is 64 bytes with 64-bit flags/addr/offset/size/addralign/entsize.
  if (f.is64) {
    return { index, nameOffset: f.word(at), type: f.word(at + 4), flags: f.xword(at + 8), addr: f.xword(at + 16), offset: f.xword(at + 24), size: f.xword(at + 32), link: f.word(at + 40), info: f.word(at + 44) };
  }
  return { index, nameOffset: f.word(at), type: f.word(at + 4), flags: f.word(at + 8), addr: f.word(at + 12), offset: f.word(at + 16), size: f.word(at + 20), link: f.word(at + 24), info: f.word(at + 28) };
}

/** Section headers, or undefined (with a warning) when the table is absent or unusable. */
export function readSections(r: Reader, h: Header, f: Fields, ctx: DecodeContext): { sections: Section[]; names: Uint8Array | undefined } | undefined {
  const total = r.length;
  const entSize = h.is64 ? 64 : 40;
  if (h.shoff === 0) {
    ctx.warn({ code: 'elf.no_sections', message: 'section headers are stripped; reading load segments instead' });
    return undefined;
  }
  if (h.shentsize < entSize) {
    ctx.warn({ code: 'elf.bad_shentsize', message: `e_shentsize ${h.shentsize} is smaller than ${entSize}; reading load segments instead`, offset: h.is64 ? 58 : 46 });
    return undefined;
  }
  if (!fits(h.shoff, entSize, total)) {
    ctx.warn({ code: 'elf.sections_past_end', message: `section header table at ${h.shoff} is past the end of the ${total}-byte file; reading load segments instead`, offset: h.is64 ? 40 : 32 });
    return undefined;
  }
  // Extended numbering (gABI "Sections"): e_shnum == 0 and e_shstrndx == SHN_XINDEX defer to section 0's sh_size/sh_link.
  const first = readSection(f, h.shoff, 0);
  let count = h.shnum;
  if (count === 0) count = first.size;
  let namesIndex = h.shstrndx === SHN_XINDEX ? first.link : h.shstrndx;
  if (!Number.isFinite(count) || count === 0) {
    ctx.warn({ code: 'elf.no_sections', message: 'section header count is zero; reading load segments instead', offset: h.shoff });
    return undefined;
  }
  const fitting = Math.floor((total - h.shoff) / h.shentsize);
  if (count > fitting) {
    ctx.warn({ code: 'elf.sections_past_end', message: `${count} section headers of ${h.shentsize} bytes overrun the file; reading load segments instead`, offset: h.shoff });
    return undefined;
  }
  if (count > MAX_SECTIONS) {
    ctx.warn({ code: 'elf.too_many_sections', message: `${count} sections; reading the first ${MAX_SECTIONS}`, offset: h.shoff });
    count = MAX_SECTIONS;
  }
  const sections: Section[] = [];
  for (let i = 0; i < count; i++) sections.push(readSection(f, h.shoff + i * h.shentsize, i));

  let names: Uint8Array | undefined;
  if (namesIndex === SHN_UNDEF || (namesIndex >= SHN_LORESERVE && h.shstrndx !== SHN_XINDEX) || namesIndex >= sections.length) {
    ctx.warn({ code: 'elf.bad_shstrndx', message: `section name table index ${namesIndex} is invalid; sections are chosen by flags`, offset: h.shoff });
    namesIndex = -1;
  } else {
    const s = sections[namesIndex]!;
    if (s.type === SHT_NOBITS || !fits(s.offset, s.size, total)) {
      ctx.warn({ code: 'elf.bad_shstrtab', message: `section name table [${namesIndex}] lies outside the file; sections are chosen by flags`, offset: h.shoff + namesIndex * h.shentsize });
    } else {
      names = r.bytes.subarray(s.offset, s.offset + s.size);
    }
  }
  return { sections, names };
}

export function sectionName(names: Uint8Array | undefined, offset: number): string | undefined {
  if (!names || offset >= names.length) return undefined;
  const end = Math.min(names.length, offset + MAX_SECTION_NAME);
  let nul = names.indexOf(0, offset);
  if (nul < 0 || nul > end) nul = end;
  let s = '';
  for (let i = offset; i < nul; i++) s += String.fromCharCode(names[i]!);
  return s;
}

function wantSection(name: string | undefined, s: Section, symbols: boolean): boolean {
  if (s.type === SHT_NOBITS || s.size === 0) return false;
  if (name !== undefined) {
    if (symbols && (name === '.dynstr' || name === '.strtab')) return true;
    if (STRING_SECTION.test(name)) return true;
    if (NON_STRING_SECTION.test(name)) return false;
  }
  // Unnamed or unknown: data the program loads that is not code.
  return s.type === SHT_PROGBITS && (s.flags & SHF_ALLOC) !== 0 && (s.flags & SHF_EXECINSTR) === 0;
}

function sectionRanges(r: Reader, h: Header, found: { sections: Section[]; names: Uint8Array | undefined }, ctx: DecodeContext, symbols: boolean): Range[] {
  const ranges: Range[] = [];
  const headerAt = (i: number) => h.shoff + i * h.shentsize;
  for (const s of found.sections) {
    if (s.index === 0) continue;
    const name = sectionName(found.names, s.nameOffset);
    if (!wantSection(name, s, symbols)) continue;
    if (!fits(s.offset, s.size, r.length)) {
      ctx.warn({ code: 'elf.section_past_end', message: `section [${s.index}] ${name ?? ''} (offset ${s.offset}, size ${s.size}) lies outside the file`, offset: headerAt(s.index) });
      continue;
    }
    ranges.push({ label: name && name !== '' ? name : `section[${s.index}]`, offset: s.offset, size: s.size });
  }
  return ranges;
}

function segmentRanges(r: Reader, h: Header, f: Fields, ctx: DecodeContext): Range[] {
  const entSize = h.is64 ? 56 : 32;
  let count = h.phnum;
  if (h.phoff === 0 || count === 0) return [];
  if (h.phentsize < entSize) r.fail('bad_phentsize', `e_phentsize ${h.phentsize} is smaller than ${entSize}`, h.is64 ? 54 : 42);
  if (!fits(h.phoff, entSize, r.length)) r.fail('segments_past_end', `program header table at ${h.phoff} is past the end of the file`, h.is64 ? 32 : 28);
  if (count === PN_XNUM) {
    ctx.warn({ code: 'elf.extended_phnum', message: 'e_phnum is PN_XNUM; reading the first program headers only', offset: h.phoff });
  }
  const fitting = Math.floor((r.length - h.phoff) / h.phentsize);
  if (count > fitting) {
    ctx.warn({ code: 'elf.segments_past_end', message: `${count} program headers overrun the file; reading ${fitting}`, offset: h.phoff });
    count = fitting;
  }
  if (count > MAX_SEGMENTS) {
    ctx.warn({ code: 'elf.too_many_segments', message: `${count} program headers; reading the first ${MAX_SEGMENTS}`, offset: h.phoff });
    count = MAX_SEGMENTS;
  }
  const ranges: Range[] = [];
  let loadIndex = 0;
  for (let i = 0; i < count; i++) {
    const at = h.phoff + i * h.phentsize;
    // Elf64_Phdr: type, flags, offset, vaddr, paddr, filesz...; Elf32_Phdr: type, offset, vaddr, paddr, filesz, ...
    const type = f.word(at);
    if (type !== PT_LOAD) continue;
    const offset = h.is64 ? f.xword(at + 8) : f.word(at + 4);
    const fileSize = h.is64 ? f.xword(at + 32) : f.word(at + 16);
    const label = `load[${loadIndex++}]`;
    if (!fits(offset, fileSize, r.length)) {
      ctx.warn({ code: 'elf.segment_past_end', message: `${label} (offset ${offset}, size ${fileSize}) lies outside the file`, offset: at });
      continue;
    }
    if (fileSize > 0) ranges.push({ label, offset, size: fileSize });
  }
  return ranges;
}

/**
 * Strings of an ELF file (32/64-bit, either byte order): printable runs inside `.rodata`, `.data`, `.data.rel.ro` and
 * other non-code data sections, pointer `.rodata+0x1a0` (section-relative). Without usable section headers it reads
 * the PT_LOAD segments' file ranges instead (pointer `load[1]+0x40`) and warns.
 */
export function* elfStrings(bytes: Uint8Array, ctx: DecodeContext, opts: ElfOptions = {}): Generator<DecodedString> {
  const r = new Reader(bytes, 'elf');
  const { header, f } = readHeader(r);
  const found = readSections(r, header, f, ctx);
  let ranges = found ? sectionRanges(r, header, found, ctx, opts.symbols ?? false) : [];
  if (!found) {
    ranges = segmentRanges(r, header, f, ctx);
    if (ranges.length === 0) throw new DecodeError('elf.no_data', 'neither usable section headers nor load segments', 0);
  }
  // Each byte is scanned at most once even when tampered ranges overlap.
  const ordered = ranges.map((range, i) => ({ range, i })).sort((a, b) => a.range.offset - b.range.offset || a.i - b.i);
  let covered = 0;
  for (const { range } of ordered) {
    const end = range.offset + range.size;
    const start = Math.max(range.offset, covered);
    if (start > range.offset) ctx.warn({ code: 'elf.overlap', message: `${range.label} overlaps an earlier range`, offset: range.offset });
    if (start >= end) continue;
    covered = end;
    yield* printableRuns(
      bytes.subarray(start, end),
      ctx,
      { minLength: opts.minLength ?? ELF_MIN_STRING, maxLength: ELF_MAX_STRING, baseOffset: start - range.offset, pointerPrefix: range.label, newlines: true },
      'elf',
    );
  }
}

/** Decoder `elf`: data-section strings of an ELF shared object or executable. */
export const decodeElf: Decoder = (bytes, ctx) => elfStrings(bytes, ctx);
