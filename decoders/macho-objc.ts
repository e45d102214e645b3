import type { WorkBudget } from './budget.js';
import type { MachoImage } from './macho-image.js';
import type { DecodeWarning } from './types.js';

// Objective-C 2 metadata as the runtime reads it (objc4 objc-runtime-new.h): __objc_classlist holds class_t
// pointers {isa, superclass, cache, vtable, data -> class_ro_t}; class_ro_t {flags, instanceStart, instanceSize,
// (reserved on 64-bit), ivarLayout, name, baseMethods, ...}; method_list_t {entsizeAndFlags, count, entries}: an
// entry is {name, types, imp} pointers, or with the 0x80000000 flag three int32 offsets relative to each field (name
// -> a selector reference). The metaclass (the class's isa) holds the class methods. __objc_catlist holds category_t
// {name, cls, instanceMethods, classMethods, ...}; its cls is a bind to `_OBJC_CLASS_$_Name` when the class is
// another image's.

/** Methods read per slice. */
export const MAX_OBJC_METHODS = 1 << 20;
/** Classes and categories read per slice. */
export const MAX_OBJC_CLASSES = 1 << 18;
/** Entries of one method list (the runtime's own limit is far below the 32-bit count). */
const MAX_LIST_ENTRIES = 1 << 16;
const RELATIVE_METHODS = 0x80000000;
/** A selector name is an identifier with colons; anything else in a name field is not one. */
const SELECTOR = /^[A-Za-z_$][\w$:]{0,255}$/;
const CLASS_NAME = /^[\w$.<>:-]{1,256}$/;

/** One method with an implementation in this image: `+[SKSecrets twitterAccessTokenSecret]` at `imp`. */
export interface ObjcMethod {
  /** `+` class method, `-` instance method. */
  kind: '+' | '-';
  cls: string;
  /** Category name for methods added by a category. */
  category?: string;
  sel: string;
  imp: number;
}

export function methodName(m: ObjcMethod): string {
  return `${m.kind}[${m.cls}${m.category ? `(${m.category})` : ''} ${m.sel}]`;
}

const BOUND_CLASS = '_OBJC_CLASS_$_';

/** `_OBJC_CLASS_$_NSObject` -> `NSObject`; any other symbol names no class. */
function boundClassName(symbol: string | undefined): string | undefined {
  if (!symbol?.startsWith(BOUND_CLASS)) return undefined;
  const name = symbol.slice(BOUND_CLASS.length);
  return CLASS_NAME.test(name) ? name : undefined;
}

/** Every method with an IMP in this image, from the class list (class and metaclass) and the category list. */
export function objcMethods(img: MachoImage, budget: WorkBudget, warn: (w: DecodeWarning) => void): ObjcMethod[] {
  const out: ObjcMethod[] = [];
  const w = img.slice.is64 ? 8 : 4;
  const name = (addr: number | undefined, re: RegExp): string | undefined => {
    if (addr === undefined) return undefined;
    const a = img.at(addr);
    if (!a) return undefined;
    const s = img.nulString(a.s, a.off)?.text;
    return s !== undefined && re.test(s) ? s : undefined;
  };
  const roOf = (cls: number | undefined): number | undefined => {
    if (cls === undefined) return undefined;
    const data = img.ptr(cls + 4 * w);
    // Low bits of the data pointer are Swift/runtime flags (FAST_DATA_MASK).
    return data === undefined ? undefined : data - (data % 8);
  };
  const classNameOf = (cls: number | undefined): string | undefined => {
    const ro = roOf(cls);
    return ro === undefined ? undefined : name(img.ptr(ro + (w === 8 ? 24 : 16)), CLASS_NAME);
  };
  const readList = (list: number | undefined, kind: '+' | '-', cls: string, category?: string) => {
    if (list === undefined || list === 0) return;
    const head = img.u32(list);
    const count = img.u32(list + 4);
    if (head === undefined || count === undefined) return;
    const relative = (head & RELATIVE_METHODS) !== 0;
    const entsize = head & 0xfffc;
    const need = relative ? 12 : 3 * w;
    if (entsize < need || count > MAX_LIST_ENTRIES) {
      warn({ code: 'macho.bad_objc_methods', message: `method list of ${cls} has entries of ${entsize} bytes x ${count}: skipped` });
      return;
    }
    for (let i = 0; i < count; i++) {
      if (!budget.charge()) return;
      const e = list + 8 + i * entsize;
      let sel: string | undefined;
      let imp: number | undefined;
      if (relative) {
        const nameOff = img.i32(e);
        const impOff = img.i32(e + 8);
        if (nameOff === undefined || impOff === undefined) return;
        // The name offset leads to a selector reference (a pointer to the name); in the shared cache, to the name.
        sel = name(img.ptr(e + nameOff), SELECTOR) ?? name(e + nameOff, SELECTOR);
        imp = impOff === 0 ? undefined : e + 8 + impOff;
      } else {
        sel = name(img.ptr(e), SELECTOR);
        imp = img.ptr(e + 2 * w);
      }
      if (imp === undefined || sel === undefined) continue;
      // A Thumb IMP has its low bit set.
      const a = img.at(imp - (imp % 2));
      if (!a || a.s.sectname !== '__text') continue;
      out.push({ kind, cls, category, sel, imp: imp - (imp % 2) });
    }
  };
  const listSection = (sectname: string) => img.slice.sections.filter((s) => s.sectname === sectname && s.segname.startsWith('__DATA'));
  let classes = 0;
  for (const s of listSection('__objc_classlist')) {
    for (let p = s.addr; p + w <= s.addr + s.size; p += w) {
      if (++classes > MAX_OBJC_CLASSES || !budget.charge()) return out;
      const cls = img.ptr(p);
      const clsName = classNameOf(cls);
      if (cls === undefined || clsName === undefined) continue;
      const ro = roOf(cls)!;
      readList(img.ptr(ro + (w === 8 ? 32 : 20)), '-', clsName);
      const meta = img.ptr(cls);
      const metaRo = roOf(meta);
      if (metaRo !== undefined) readList(img.ptr(metaRo + (w === 8 ? 32 : 20)), '+', clsName);
    }
  }
  for (const s of listSection('__objc_catlist')) {
    for (let p = s.addr; p + w <= s.addr + s.size; p += w) {
      if (++classes > MAX_OBJC_CLASSES || !budget.charge()) return out;
      const cat = img.ptr(p);
      if (cat === undefined) continue;
      const catName = name(img.ptr(cat), CLASS_NAME);
      // The class of a category on another image's class is a bind to `_OBJC_CLASS_$_Name`: named by the symbol.
      const clsName = classNameOf(img.ptr(cat + w)) ?? boundClassName(img.pointers.bindName(cat + w)) ?? '?';
      if (catName === undefined) continue;
      readList(img.ptr(cat + 2 * w), '-', clsName, catName);
      readList(img.ptr(cat + 3 * w), '+', clsName, catName);
    }
  }
  return out;
}
