import { Buffer } from 'node:buffer';
import { isCstringSection, readableSection, sectionAt, sectionBytes, sectionRanges, MACHO_MAX_STRING, type MachoSection, type MachoSlice, type SectionRange } from './macho-sections.js';
import { imageBase, type MachoPointers } from './macho-fixups.js';

/** Longest string followed through a pointer (a key, a PEM; longer text is cut as in __cstring). */
const MAX_REF_STRING = MACHO_MAX_STRING;

/** A string that an address leads to: its text, and where its bytes are (section and offset). */
export interface StringAt {
  text: string;
  sect: MachoSection;
  off: number;
}

/**
 * A slice seen as its loaded image: virtual addresses to bytes (only inside a section with file bytes that can be
 * read), pointer slots through their rebases, C strings and CFString literals at an address. Every read is checked.
 */
export class MachoImage {
  readonly ranges: SectionRange[];
  readonly base: number;
  private readonly view: DataView;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(
    readonly slice: MachoSlice,
    readonly pointers: MachoPointers,
  ) {
    this.ranges = sectionRanges(slice.sections);
    this.base = imageBase(slice);
    this.view = new DataView(slice.bytes.buffer, slice.bytes.byteOffset, slice.bytes.byteLength);
  }

  /** The section and offset of an address, when `n` bytes from there lie in that section's readable file bytes. */
  at(addr: number, n = 1): { s: MachoSection; off: number; file: number } | undefined {
    const hit = sectionAt(this.ranges, addr);
    if (!hit || hit.off + n > hit.s.size || !readableSection(this.slice, hit.s) || !sectionBytes(this.slice, hit.s)) return undefined;
    return { s: hit.s, off: hit.off, file: hit.s.offset + hit.off };
  }

  u32(addr: number): number | undefined {
    const a = this.at(addr, 4);
    return a ? this.view.getUint32(a.file, this.slice.littleEndian) : undefined;
  }

  i32(addr: number): number | undefined {
    const a = this.at(addr, 4);
    return a ? this.view.getInt32(a.file, this.slice.littleEndian) : undefined;
  }

  /** The pointer stored at `addr`: its rebase target; without fixup info (classic without a rebase there) the raw value. */
  ptr(addr: number): number | undefined {
    const t = this.pointers.target(addr);
    if (t !== undefined) return t;
    if (this.pointers.kind === 'chained') return undefined; // an unrebased chained slot holds no plain address
    const width = this.slice.is64 ? 8 : 4;
    const a = this.at(addr, width);
    if (!a) return undefined;
    if (!this.slice.is64) return this.view.getUint32(a.file, this.slice.littleEndian);
    const le = this.slice.littleEndian;
    const lo = this.view.getUint32(a.file + (le ? 0 : 4), le);
    const hi = this.view.getUint32(a.file + (le ? 4 : 0), le);
    return hi >= 0x200000 ? undefined : hi * 0x100000000 + lo;
  }

  /** The NUL-terminated string at `addr` when `addr` is inside a C-string section. */
  cstring(addr: number): StringAt | undefined {
    const a = this.at(addr);
    if (!a || !isCstringSection(a.s)) return undefined;
    return this.nulString(a.s, a.off);
  }

  /** A NUL-terminated string starting at `off` of section `s`, cut at the section end and MAX_REF_STRING bytes. */
  nulString(s: MachoSection, off: number): StringAt | undefined {
    const bytes = sectionBytes(this.slice, s);
    if (!bytes || off >= bytes.length) return undefined;
    const limit = Math.min(bytes.length, off + MAX_REF_STRING);
    let end = off;
    while (end < limit && bytes[end] !== 0) end++;
    if (end === off) return undefined;
    return { text: this.decoder.decode(bytes.subarray(off, end)), sect: s, off };
  }

  /** The string of a CFString literal {isa, flags, str, length} at `addr` (8-bit or UTF-16 by its flags). */
  cfstring(addr: number): StringAt | undefined {
    const a = this.at(addr);
    if (!a || a.s.sectname !== '__cfstring') return undefined;
    const w = this.slice.is64 ? 8 : 4;
    const flags = this.u32(addr + w);
    const str = this.ptr(addr + 2 * w);
    const length = this.slice.is64 ? this.u32(addr + 3 * w) : this.u32(addr + 3 * w);
    if (flags === undefined || str === undefined || length === undefined || length === 0) return undefined;
    const utf16 = (flags & 0x10) !== 0;
    const n = Math.min(length, MAX_REF_STRING) * (utf16 ? 2 : 1);
    const t = this.at(str, n);
    if (!t) return undefined;
    const bytes = this.slice.bytes.subarray(t.file, t.file + n);
    const text = utf16 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le') : this.decoder.decode(bytes);
    return { text, sect: t.s, off: t.off };
  }

  /** The string an address leads to: a C string, a CFString literal, or (`follow`) a pointer slot to either. */
  stringAt(addr: number, follow: boolean): StringAt | undefined {
    const a = this.at(addr);
    if (!a) return undefined;
    if (isCstringSection(a.s)) return this.selectorSection(a.s) ? undefined : this.nulString(a.s, a.off);
    if (a.s.sectname === '__cfstring') return this.cfstring(addr);
    if (!follow) return undefined;
    const p = this.ptr(addr);
    return p === undefined ? undefined : this.stringAt(p, false);
  }

  /** Selector and class names: Objective-C's own metadata, never a value. */
  private selectorSection(s: MachoSection): boolean {
    return s.sectname === '__objc_methname' || s.sectname === '__objc_classname' || s.sectname === '__objc_methtype' || s.sectname === '__swift5_reflstr';
  }
}
