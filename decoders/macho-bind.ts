import { arm64Refs } from './arm-refs.js';
import { WorkBudget } from './budget.js';
import { machoPointers } from './macho-fixups.js';
import { MachoImage, type StringAt } from './macho-image.js';
import { methodName, objcMethods, MAX_OBJC_METHODS, type ObjcMethod } from './macho-objc.js';
import { readableSection, sectionBytes, type MachoSection, type MachoSlice } from './macho-sections.js';
import { floorIndex, functionStarts, machoSymbols, type MachoSymbol } from './macho-symbols.js';
import { hex } from './reader.js';
import type { DecodeContext, DecodedString } from './types.js';

// Names for the strings of a Mach-O slice (docs/code-context.md, "Native code"): a pointer global
// (`const char *kKey = "..."`, `NSString *const kKey = @"..."`) by the symbol that covers its slot, a `const char
// kKey[]` array by its own symbol, and a literal that a function's arm64 code addresses by the function: an
// Objective-C method from the class metadata, or an LC_SYMTAB function symbol.

/** A64 instructions decoded per slice (a 100 MB `__text` holds 26 M). */
export const MAX_CODE_INSTRUCTIONS = 1 << 25;
/** Bytes of one function walked (a longer one is cut: its literals are still named up to there). */
export const MAX_FUNCTION_BYTES = 1 << 20;
/** Strings shorter than this get no binding: no rule reads them. */
export const MIN_BOUND_CHARS = 8;
/** Code references kept per string (a string every method uses says nothing more after a few). */
export const MAX_REFS_PER_STRING = 16;
/** Sections whose pointer slots are C globals. */
const GLOBAL_SECTIONS = new Set(['__data', '__const', '__auth_const']);
const CPU_TYPE_ARM64 = 0x0100000c;
/** `+[Class(Category) selector]` as the compiler names a method's symbol. */
const METHOD_SYMBOL = /^([+-])\[([^\s()[\]]+)(?:\(([^\s()]+)\))? ([^\s\]]+)\]$/;

/** `_kAPIKey` -> `kAPIKey`: C names carry a leading underscore in Mach-O symbol tables. */
function cName(symbol: string): string {
  return symbol.startsWith('_') ? symbol.slice(1) : symbol;
}

function where(s: MachoSection, off: number): string {
  return `${s.segname},${s.sectname}+${hex(off)}`;
}

/** Printable text a rule can read: no control characters but tab and line breaks. */
function printable(text: string): boolean {
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text);
}

/** The bound strings of one slice: globals, arrays and code references, each with its name. */
export function* machoBoundStrings(slice: MachoSlice, ctx: DecodeContext, seen: Set<string> | undefined): Generator<DecodedString> {
  const warn = (w: Parameters<DecodeContext['warn']>[0]) => ctx.warn(w);
  const img = new MachoImage(slice, machoPointers(slice, warn));
  const symbols = machoSymbols(slice, warn);
  const arch = `[${slice.arch}]`;
  const emit = (site: string, str: StringAt, name: string, extra: Partial<DecodedString>): DecodedString | undefined => {
    if (str.text.length < MIN_BOUND_CHARS || !printable(str.text)) return undefined;
    if (seen) {
      const key = `bound\0${name}\0${str.text}`;
      if (seen.has(key)) return undefined;
      seen.add(key);
    }
    const at = where(str.sect, str.off);
    // An array is its own string: `site name`; a pointer or a code reference leads to it: `site -> string name`.
    const pointer = at === site ? `${arch} ${site} ${name}` : `${arch} ${site} -> ${at} ${name}`;
    return { text: str.text, location: { entry: ctx.entry, decoder: 'macho', pointer }, ...extra };
  };
  const sectionIndex = new Map(slice.sections.map((s, i) => [s, i + 1] as const));
  const bySection = new Map<number, MachoSymbol[]>();
  for (const sym of symbols) {
    let list = bySection.get(sym.sect);
    if (!list) bySection.set(sym.sect, (list = []));
    list.push(sym);
  }
  /** The symbol that covers `addr` in section `s`: the last one at or before it in that section. */
  const covering = (s: MachoSection, addr: number): MachoSymbol | undefined => {
    const list = bySection.get(sectionIndex.get(s) ?? -1);
    if (!list) return undefined;
    const i = floorIndex(list, addr, (x) => x.addr);
    return i >= 0 ? list[i] : undefined;
  };

  // Pointer globals: a rebased slot in __data/__const that leads to a string, named by its symbol.
  for (const s of slice.sections) {
    if (!s.segname.startsWith('__DATA') || !GLOBAL_SECTIONS.has(s.sectname) || !readableSection(slice, s)) continue;
    for (const [slot, target] of img.pointers.inRange(s.addr, s.addr + s.size)) {
      const sym = covering(s, slot);
      if (!sym) continue;
      const str = img.stringAt(target, false);
      if (!str) continue;
      const name = cName(sym.name);
      const d = emit(where(s, slot - s.addr), str, name, { context: name });
      if (d) yield d;
    }
  }

  // Arrays: a symbol in a data section whose bytes are a C string (`const char kKey[] = "..."`).
  for (const s of slice.sections) {
    if (s.sectname !== '__const' && s.sectname !== '__data') continue;
    if (!readableSection(slice, s) || !sectionBytes(slice, s)) continue;
    for (const sym of bySection.get(sectionIndex.get(s)!) ?? []) {
      if (sym.addr < s.addr || sym.addr >= s.addr + s.size || img.pointers.target(sym.addr) !== undefined) continue;
      const str = img.nulString(s, sym.addr - s.addr);
      if (!str) continue;
      const name = cName(sym.name);
      const d = emit(where(s, sym.addr - s.addr), str, name, { context: name });
      if (d) yield d;
    }
  }

  if (slice.cputype !== CPU_TYPE_ARM64) return;
  yield* codeRefs(slice, img, symbols, warn, emit);
}

interface Named {
  start: number;
  name: string;
  context: string;
  scope?: string;
}

function* codeRefs(
  slice: MachoSlice,
  img: MachoImage,
  symbols: readonly MachoSymbol[],
  warn: (w: Parameters<DecodeContext['warn']>[0]) => void,
  emit: (site: string, str: StringAt, name: string, extra: Partial<DecodedString>) => DecodedString | undefined,
): Generator<DecodedString> {
  const text = slice.sections.filter((s) => s.sectname === '__text' && s.segname === '__TEXT' && readableSection(slice, s) && sectionBytes(slice, s));
  if (text.length === 0) return;
  const methods = objcMethods(img, new WorkBudget('macho.objc_budget', 'Objective-C methods and classes', MAX_OBJC_METHODS, warn), warn);
  const named = new Map<number, Named>();
  const fromMethod = (m: ObjcMethod): Named => ({ start: m.imp, name: methodName(m), context: m.sel, scope: m.cls });
  for (const m of methods) if (!named.has(m.imp)) named.set(m.imp, fromMethod(m));
  const textIndex = new Set(text.map((s) => slice.sections.indexOf(s) + 1));
  for (const sym of symbols) {
    if (!textIndex.has(sym.sect) || named.has(sym.addr)) continue;
    // Assembler-local labels (`ltmp0`, `l_...`) name no function.
    if (/^l/.test(sym.name)) continue;
    const m = METHOD_SYMBOL.exec(sym.name);
    if (m) named.set(sym.addr, fromMethod({ kind: m[1] as '+' | '-', cls: m[2]!, category: m[3], sel: m[4]!, imp: sym.addr }));
    else named.set(sym.addr, { start: sym.addr, name: cName(sym.name), context: cName(sym.name) });
  }
  if (named.size === 0) return;
  // Where each function ends: the next function start of any kind (named or only in LC_FUNCTION_STARTS).
  const textSeg = slice.segments.find((g) => g.segname === '__TEXT');
  const starts = [...new Set([...named.keys(), ...symbols.filter((s) => textIndex.has(s.sect)).map((s) => s.addr), ...functionStarts(slice, textSeg?.vmaddr ?? 0, warn)])].sort((a, b) => a - b);
  const budget = new WorkBudget('macho.code_budget', 'arm64 instructions', MAX_CODE_INSTRUCTIONS, warn);
  const perString = new Map<string, number>();
  for (let i = 0; i < starts.length && !budget.exhausted; i++) {
    const fn = named.get(starts[i]!);
    if (!fn) continue;
    const sect = text.find((s) => fn.start >= s.addr && fn.start < s.addr + s.size);
    if (!sect) continue;
    const end = Math.min(sect.addr + sect.size, starts[i + 1] ?? Infinity, fn.start + MAX_FUNCTION_BYTES);
    const bytes = sectionBytes(slice, sect)!.subarray(fn.start - sect.addr, end - sect.addr);
    const done = new Set<string>();
    for (const ref of arm64Refs(bytes, fn.start, budget)) {
      const str = img.stringAt(ref.target, ref.load);
      if (!str || done.has(str.text)) continue;
      done.add(str.text);
      const n = perString.get(str.text) ?? 0;
      if (n >= MAX_REFS_PER_STRING) continue;
      const d = emit(where(sect, ref.pc - sect.addr), str, fn.name, { context: fn.context, scope: fn.scope, code: `ref in ${fn.name}` });
      if (!d) continue;
      perString.set(str.text, n + 1);
      yield d;
    }
  }
}
