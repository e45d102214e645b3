import { arm32Refs, arm64Refs, type CodeRef } from './arm-refs.js';
import { WorkBudget } from './budget.js';
import { elfStrings, fits, readHeader, readSections, sectionName, type Fields, type Header, type Section } from './elf.js';
import { Reader, hex } from './reader.js';
import type { DecodeContext, DecodedString, Decoder } from './types.js';

// Names for the strings of an ELF shared object (docs/code-context.md, "Native code"): a pointer global
// (`const char *kKey = "..."`: a slot with an R_*_RELATIVE relocation, or a RELR entry, to .rodata) by the symbol that
// covers the slot; a `const char kKey[]` array by its own symbol; a literal that a function's code addresses (A64
// ADRP+ADD, A32/T32 literal-pool offset + ADD PC) by the function, a JNI `Java_pkg_Class_method` by its Java method.
// gABI "Symbol Table" and "Relocation", ELF for the Arm 64-bit / Arm Architecture, System V x86-64 psABI; RELR from the
// gABI proposal (SHT_RELR 19: an address entry, then bitmap entries with the low bit set).

/** Symbols read per file (.dynsym and .symtab together). */
export const MAX_ELF_SYMBOLS = 1 << 21;
/** Relocation entries read per file (RELR bitmap bits included). */
export const MAX_ELF_RELOCATIONS = 1 << 22;
/** Relative relocations kept (slot -> target); the rest are read but not kept, with a warning. */
const MAX_RELATIVE_KEPT = 1 << 20;
/** Instructions decoded per file. */
export const MAX_ELF_CODE_INSTRUCTIONS = 1 << 25;
/** Bytes of one function walked. */
const MAX_FUNCTION_BYTES = 1 << 20;
/** Strings shorter than this get no binding. */
const MIN_BOUND_CHARS = 8;
/** Code references kept per string. */
const MAX_REFS_PER_STRING = 16;
/** Longest string followed through a pointer. */
const MAX_STRING = 64 * 1024;
const MAX_NAME = 1024;

const SHT_SYMTAB = 2;
const SHT_RELA = 4;
const SHT_NOBITS = 8;
const SHT_REL = 9;
const SHT_DYNSYM = 11;
const SHT_RELR = 19;
const SHF_EXECINSTR = 0x4;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const EM_386 = 3;
const EM_ARM = 40;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
/** R_<arch>_RELATIVE of each machine. */
const RELATIVE: Record<number, number> = { [EM_AARCH64]: 1027, [EM_ARM]: 23, [EM_X86_64]: 8, [EM_386]: 8 };

interface Sym {
  name: string;
  value: number;
  size: number;
  type: number;
  shndx: number;
}

interface Elf {
  bytes: Uint8Array;
  h: Header;
  f: Fields;
  machine: number;
  sections: Section[];
  names: (string | undefined)[];
}

/** `Java_com_x_Keys_getApiKey__Ljava_lang_String_2` -> class `com.x.Keys`, method `getApiKey` (JNI spec "Resolving Native Method Names"). */
export function jniName(symbol: string): { cls: string; method: string } | undefined {
  if (!symbol.startsWith('Java_')) return undefined;
  const body = symbol.slice(5).split('__')[0]!;
  const parts: string[] = [''];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '_') parts[parts.length - 1] += c;
    else if (body[i + 1] === '1') {
      parts[parts.length - 1] += '_';
      i++;
    } else if (body[i + 1] === '0' && /^[0-9a-f]{4}$/i.test(body.slice(i + 2, i + 6))) {
      parts[parts.length - 1] += String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16));
      i += 5;
    } else if (body[i + 1] === '2' || body[i + 1] === '3') return undefined; // only in signatures
    else parts.push('');
  }
  if (parts.length < 2 || parts.some((p) => p === '')) return undefined;
  const method = parts.pop()!;
  return { cls: parts.join('.'), method };
}

function printable(text: string): boolean {
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text);
}

/** The bound strings of an ELF file: pointer globals, arrays and code references, each with its name. */
export function* elfBoundStrings(bytes: Uint8Array, ctx: DecodeContext): Generator<DecodedString> {
  const r = new Reader(bytes, 'elf');
  const { header: h, f } = readHeader(r);
  // Section headers were read (and warned about) by elfStrings; without them there is nothing to bind.
  const found = readSections(r, h, f, { ...ctx, warn: () => undefined });
  if (!found) return;
  const elf: Elf = { bytes, h, f, machine: f.half(18), sections: found.sections, names: found.names ? found.sections.map((s) => sectionName(found.names, s.nameOffset)) : [] };
  const warn = (w: Parameters<DecodeContext['warn']>[0]) => ctx.warn(w);
  const symbols = readSymbols(elf, warn);
  const relative = readRelative(elf, warn);
  const ptr = h.is64 ? 8 : 4;
  const label = (s: Section) => elf.names[s.index] || `section[${s.index}]`;
  const place = (addr: number, n = 1): { s: Section; off: number; file: number } | undefined => {
    for (const s of elf.sections) {
      if (s.index === 0 || s.type === SHT_NOBITS || addr < s.addr || addr + n > s.addr + s.size || s.addr === 0) continue;
      if (!fits(s.offset, s.size, bytes.length)) return undefined;
      return { s, off: addr - s.addr, file: s.offset + addr - s.addr };
    }
    return undefined;
  };
  const decoder = new TextDecoder();
  const stringAt = (addr: number, max = MAX_STRING): { text: string; where: string } | undefined => {
    const p = place(addr);
    if (!p || (p.s.flags & SHF_EXECINSTR) !== 0) return undefined;
    const limit = Math.min(p.s.offset + p.s.size, p.file + max);
    let end = p.file;
    while (end < limit && bytes[end] !== 0) end++;
    if (end === p.file) return undefined;
    return { text: decoder.decode(bytes.subarray(p.file, end)), where: `${label(p.s)}+${hex(p.off)}` };
  };
  const slotValue = (addr: number): number | undefined => {
    const t = relative.get(addr);
    if (t !== undefined) return t;
    const p = place(addr, ptr);
    return p ? (h.is64 ? f.xword(p.file) : f.word(p.file)) : undefined;
  };
  const seen = new Set<string>();
  const emit = (site: string, str: { text: string; where: string }, name: string, extra: Partial<DecodedString>): DecodedString | undefined => {
    if (str.text.length < MIN_BOUND_CHARS || !printable(str.text)) return undefined;
    const pointer = site === str.where ? `${site} ${name}` : `${site} -> ${str.where} ${name}`;
    if (seen.has(pointer)) return undefined;
    seen.add(pointer);
    return { text: str.text, location: { entry: ctx.entry, decoder: 'elf', pointer }, ...extra };
  };

  const objects = symbols.filter((s) => s.type === STT_OBJECT).sort((a, b) => a.value - b.value);
  const covering = (addr: number): Sym | undefined => {
    let lo = 0;
    let hi = objects.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (objects[mid]!.value <= addr) lo = mid + 1;
      else hi = mid;
    }
    const s = objects[lo - 1];
    return s && addr < s.value + Math.max(s.size, ptr) ? s : undefined;
  };
  // Pointer globals.
  for (const [slot, target] of relative) {
    const sym = covering(slot);
    const p = sym && place(slot, ptr);
    const str = p && stringAt(target);
    if (!sym || !p || !str) continue;
    const d = emit(`${label(p.s)}+${hex(p.off)}`, str, sym.name, { context: sym.name });
    if (d) yield d;
  }
  // Arrays: an object whose bytes are one C string (`const char kKey[]`, size = length + 1).
  for (const sym of objects) {
    if (sym.size < MIN_BOUND_CHARS + 1 || relative.has(sym.value)) continue;
    const str = stringAt(sym.value, sym.size);
    if (!str || new TextEncoder().encode(str.text).length + 1 !== sym.size) continue;
    const d = emit(str.where, str, sym.name, { context: sym.name });
    if (d) yield d;
  }
  // Functions: literals their code addresses.
  const arm64 = elf.machine === EM_AARCH64;
  if (!arm64 && elf.machine !== EM_ARM) return;
  const budget = new WorkBudget('elf.code_budget', 'instructions', MAX_ELF_CODE_INSTRUCTIONS, warn);
  const perString = new Map<string, number>();
  const functions = symbols.filter((s) => s.type === STT_FUNC && s.size > 0);
  const done = new Set<number>();
  for (const fn of functions) {
    const thumb = !arm64 && (fn.value & 1) === 1;
    const start = thumb ? fn.value - 1 : fn.value;
    if (done.has(start) || budget.exhausted) continue;
    done.add(start);
    const size = Math.min(fn.size, MAX_FUNCTION_BYTES);
    const p = place(start, size);
    if (!p || (p.s.flags & SHF_EXECINSTR) === 0) continue;
    const code = bytes.subarray(p.file, p.file + size);
    const refs: CodeRef[] = arm64 ? arm64Refs(code, start, budget) : arm32Refs(code, start, thumb, budget);
    const jni = jniName(fn.name);
    const named = new Set<string>();
    for (const ref of refs) {
      const target = ref.load ? slotValue(ref.target) : ref.target;
      const str = target === undefined ? undefined : stringAt(target);
      if (!str || named.has(str.text)) continue;
      named.add(str.text);
      const n = perString.get(str.text) ?? 0;
      if (n >= MAX_REFS_PER_STRING) continue;
      const site = place(ref.pc);
      const extra: Partial<DecodedString> = jni
        ? { context: jni.method, scope: jni.cls, code: `ref in ${jni.cls}.${jni.method} (JNI)` }
        : { context: fn.name, code: `ref in ${fn.name}` };
      const d = emit(site ? `${label(site.s)}+${hex(site.off)}` : hex(ref.pc), str, fn.name, extra);
      if (!d) continue;
      perString.set(str.text, n + 1);
      yield d;
    }
  }
}

function readSymbols(elf: Elf, warn: (w: Parameters<DecodeContext['warn']>[0]) => void): Sym[] {
  const { bytes, f, h } = elf;
  const out: Sym[] = [];
  const budget = new WorkBudget('elf.symbol_budget', 'symbols', MAX_ELF_SYMBOLS, warn);
  const decoder = new TextDecoder();
  const seen = new Set<string>();
  for (const s of elf.sections) {
    if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
    const strtab = elf.sections[s.link];
    const ent = h.is64 ? 24 : 16;
    if (!strtab || !fits(s.offset, s.size, bytes.length) || !fits(strtab.offset, strtab.size, bytes.length)) {
      warn({ code: 'elf.bad_symtab', message: `symbol table [${s.index}] or its strings lie outside the file: not read`, offset: s.offset });
      continue;
    }
    const strings = bytes.subarray(strtab.offset, strtab.offset + strtab.size);
    for (let at = s.offset + ent; at + ent <= s.offset + s.size; at += ent) {
      if (!budget.charge(1, at)) return out;
      const nameOff = f.word(at);
      const info = bytes[at + (h.is64 ? 4 : 12)]!;
      const shndx = f.half(at + (h.is64 ? 6 : 14));
      const value = h.is64 ? f.xword(at + 8) : f.word(at + 4);
      const size = h.is64 ? f.xword(at + 16) : f.word(at + 8);
      const type = info & 0xf;
      if ((type !== STT_OBJECT && type !== STT_FUNC) || shndx === 0 || shndx >= 0xff00 || nameOff === 0 || nameOff >= strings.length) continue;
      if (!Number.isFinite(value) || !Number.isFinite(size)) continue;
      let end = strings.indexOf(0, nameOff);
      if (end < 0 || end - nameOff > MAX_NAME) end = Math.min(strings.length, nameOff + MAX_NAME);
      const name = decoder.decode(strings.subarray(nameOff, end));
      // .dynsym and .symtab both list an exported symbol: keep one.
      const key = `${name}\0${value}`;
      if (name === '' || seen.has(key)) continue;
      seen.add(key);
      out.push({ name, value, size, type, shndx });
    }
  }
  return out;
}

/** R_*_RELATIVE relocations (REL, RELA) and RELR entries: slot address -> target address. */
function readRelative(elf: Elf, warn: (w: Parameters<DecodeContext['warn']>[0]) => void): Map<number, number> {
  const { bytes, f, h } = elf;
  const out = new Map<number, number>();
  const relType = RELATIVE[elf.machine];
  const budget = new WorkBudget('elf.relocation_budget', 'relocations', MAX_ELF_RELOCATIONS, warn);
  const w = h.is64 ? 8 : 4;
  let full = false;
  // The file offset of an address inside a PROGBITS section (REL addends and RELR slots are read there).
  const at = (addr: number): number | undefined => {
    for (const s of elf.sections) {
      if (s.index !== 0 && s.type !== SHT_NOBITS && s.addr !== 0 && addr >= s.addr && addr + w <= s.addr + s.size && fits(s.offset, s.size, bytes.length)) return s.offset + addr - s.addr;
    }
    return undefined;
  };
  const add = (slot: number, target: number | undefined) => {
    if (target === undefined || !Number.isFinite(target)) return;
    if (out.size >= MAX_RELATIVE_KEPT) {
      if (!full) warn({ code: 'elf.too_many_relocations', message: `more than ${MAX_RELATIVE_KEPT} relative relocations: the rest name nothing` });
      full = true;
      return;
    }
    out.set(slot, target);
  };
  const word = (file: number | undefined) => (file === undefined ? undefined : h.is64 ? f.xword(file) : f.word(file));
  for (const s of elf.sections) {
    if (s.type !== SHT_RELA && s.type !== SHT_REL && s.type !== SHT_RELR) continue;
    if (!fits(s.offset, s.size, bytes.length)) {
      warn({ code: 'elf.bad_relocations', message: `relocation section [${s.index}] lies outside the file: not read`, offset: s.offset });
      continue;
    }
    if (s.type === SHT_RELR) {
      let base = 0;
      for (let p = s.offset; p + w <= s.offset + s.size; p += w) {
        if (!budget.charge(1, p)) return out;
        const e = word(p)!;
        if (e % 2 === 0) {
          add(e, word(at(e)));
          base = e + w;
        } else {
          // A bitmap: bit i (1..8w-1) relocates base + (i - 1) * w.
          for (let i = 1, v = Math.floor(e / 2); i < 8 * w && v > 0; i++, v = Math.floor(v / 2)) {
            if (v % 2 === 1) {
              if (!budget.charge(1, p)) return out;
              const slot = base + (i - 1) * w;
              add(slot, word(at(slot)));
            }
          }
          base += (8 * w - 1) * w;
        }
      }
      continue;
    }
    if (relType === undefined) continue;
    const rela = s.type === SHT_RELA;
    const ent = h.is64 ? (rela ? 24 : 16) : rela ? 12 : 8;
    for (let p = s.offset; p + ent <= s.offset + s.size; p += ent) {
      if (!budget.charge(1, p)) return out;
      const slot = h.is64 ? f.xword(p) : f.word(p);
      const type = h.is64 ? f.word(p + (h.le ? 8 : 12)) : f.word(p + 4) & 0xff;
      if (type !== relType) continue;
      add(slot, rela ? (h.is64 ? f.xword(p + 16) : f.word(p + 8)) : word(at(slot)));
    }
  }
  return out;
}

/** Decoder `elf`: data-section strings, then the same strings again where a symbol or a JNI method names them. */
export const decodeElfBound: Decoder = function* (bytes, ctx) {
  yield* elfStrings(bytes, ctx);
  yield* elfBoundStrings(bytes, ctx);
};
