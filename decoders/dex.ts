/**
 * DEX decoder: every string_ids entry in table order, with static final String initial values bound to their field
 * name and class. Spec: source.android.com/docs/core/runtime/dex-format ("Dalvik executable format"); the loader's
 * checks are AOSP art/libdexfile/dex/dex_file_verifier.cc.
 */
import { Reader } from './reader.js';
import { decodeMutf8 } from './mutf8.js';
import { DecodeError, type DecodeContext, type DecodedString, type Decoder } from './types.js';
import { CodeWalker, SHARED_OWNER, type DexTables } from './dex-code.js';
import { OPCODE_UNITS, nopWidth } from './dex-opcodes.js';

/** Size of header_item for versions 035..040; 041 (containers) adds two words. */
const HEADER_SIZE = 0x70;
const ENDIAN_CONSTANT = 0x12345678;
const REVERSE_ENDIAN_CONSTANT = 0x78563412;
const MIN_KNOWN_VERSION = 35;
const MAX_KNOWN_VERSION = 41;
const CONTAINER_VERSION = 41;
/** Longest string_data_item walked for its NUL (bytes); longer data is cut with a warning. */
const MAX_STRING_BYTES = 4 << 20;
/** Bytes walked over all strings of one file may not exceed this multiple of the file size (overlapping offsets). */
const STRING_WORK_FACTOR = 4;
/** type_ids and field_ids are indexed by 16-bit values, so no valid file has more class_defs or fields than this. */
const MAX_CLASS_DEFS = 0x10000;
const MAX_STATIC_FIELDS = 0x10000;
/** Nesting limit for encoded_value arrays and annotations. */
const MAX_VALUE_DEPTH = 16;
/** encoded_values read over all classes may not exceed this multiple of the file size (classes sharing one array). */
const VALUE_WORK_FACTOR = 4;
/** Individual warnings of one code per file; the rest are counted in one summary warning. */
const MAX_WARNINGS_PER_CODE = 8;

const STRING_OVERLAP = 'dex.string_overlap';
const CLASS_DEF_SIZE = 32;
const FIELD_ID_SIZE = 8;

// encoded_value types (dex-format "Value formats").
const VALUE_BYTE = 0x00;
const VALUE_STRING = 0x17;
const VALUE_ARRAY = 0x1c;
const VALUE_ANNOTATION = 0x1d;
const VALUE_NULL = 0x1e;
const VALUE_BOOLEAN = 0x1f;
/** Types whose payload is value_arg + 1 little-endian bytes, with the largest value_arg allowed. */
const SIZED_VALUE_MAX_ARG: Record<number, number> = {
  0x02: 1, // SHORT
  0x03: 1, // CHAR
  0x04: 3, // INT
  0x06: 7, // LONG
  0x10: 3, // FLOAT
  0x11: 7, // DOUBLE
  0x15: 3, // METHOD_TYPE
  0x16: 3, // METHOD_HANDLE
  0x17: 3, // STRING
  0x18: 3, // TYPE
  0x19: 3, // FIELD
  0x1a: 3, // METHOD
  0x1b: 3, // ENUM
};

/** The header fields this decoder uses, already checked against the buffer (the id tables are DexTables). */
interface DexHeader extends DexTables {
  version: number;
  classDefsSize: number;
  classDefsOff: number;
}

/** A static field whose initial value is a string_ids entry. */
interface Binding {
  field: string;
  className: string;
}

type Warn = DecodeContext['warn'];

function readHeader(bytes: Uint8Array, warn: Warn): DexHeader {
  const r = new Reader(bytes, 'dex');
  r.need(8, 0, 'magic');
  // "dex\n" + three ASCII digits + NUL (dex-format "DEX_FILE_MAGIC").
  const digits = bytes[4]! >= 0x30 && bytes[4]! <= 0x39 && bytes[5]! >= 0x30 && bytes[5]! <= 0x39 && bytes[6]! >= 0x30 && bytes[6]! <= 0x39;
  if (bytes[0] !== 0x64 || bytes[1] !== 0x65 || bytes[2] !== 0x78 || bytes[3] !== 0x0a || !digits || bytes[7] !== 0) {
    r.fail('bad_magic', 'not a DEX file (magic is not "dex\\n0NN\\0")', 0);
  }
  const version = (bytes[4]! - 0x30) * 100 + (bytes[5]! - 0x30) * 10 + (bytes[6]! - 0x30);
  if (version < MIN_KNOWN_VERSION || version > MAX_KNOWN_VERSION) {
    warn({ code: 'dex.unknown_version', message: `DEX version ${String(version).padStart(3, '0')} is not one of 035..041; reading it as 035`, offset: 4 });
  }
  r.need(HEADER_SIZE, 0, 'header_item');
  const endian = r.view.getUint32(0x28, true);
  if (endian === REVERSE_ENDIAN_CONSTANT) r.fail('reverse_endian', 'big-endian (REVERSE_ENDIAN_CONSTANT) DEX files are not supported', 0x28);
  if (endian !== ENDIAN_CONSTANT) r.fail('bad_endian', `endian_tag is 0x${endian.toString(16)}, not 0x12345678`, 0x28);
  const fileSize = r.view.getUint32(0x20, true);
  const headerSize = r.view.getUint32(0x24, true);
  if (headerSize < HEADER_SIZE) r.fail('bad_header_size', `header_size ${headerSize} is below ${HEADER_SIZE}`, 0x24);
  if (fileSize > bytes.length) {
    warn({ code: 'dex.truncated', message: `file_size says ${fileSize} bytes, only ${bytes.length} present`, offset: 0x20 });
  }
  if (version >= CONTAINER_VERSION && headerSize >= HEADER_SIZE + 8 && bytes.length >= HEADER_SIZE + 8) {
    // DEX 041 container: more dex sections may follow this one (AOSP art/libdexfile/dex/dex_file.h, container_size_).
    const containerSize = r.view.getUint32(HEADER_SIZE, true);
    if (containerSize > fileSize) {
      warn({ code: 'dex.container', message: `DEX container of ${containerSize} bytes: only the first ${fileSize}-byte section is read`, offset: HEADER_SIZE });
    }
  }
  const u32 = (off: number) => r.view.getUint32(off, true);
  const h: DexHeader = {
    version,
    stringIdsSize: u32(0x38),
    stringIdsOff: u32(0x3c),
    typeIdsSize: u32(0x40),
    typeIdsOff: u32(0x44),
    protoIdsSize: u32(0x48),
    protoIdsOff: u32(0x4c),
    methodIdsSize: u32(0x58),
    methodIdsOff: u32(0x5c),
    fieldIdsSize: u32(0x50),
    fieldIdsOff: u32(0x54),
    classDefsSize: u32(0x60),
    classDefsOff: u32(0x64),
  };
  if (h.stringIdsSize > 0) r.needItems(h.stringIdsSize, 4, h.stringIdsOff, 'string_ids');
  return h;
}

/** Number of entries in a DEX file's string_ids table (header checked; throws DecodeError when it is not a DEX). */
export function dexStringCount(bytes: Uint8Array): number {
  return readHeader(bytes, () => undefined).stringIdsSize;
}

/** `Lcom/example/BuildConfig;` -> `com.example.BuildConfig`. */
function dottedClassName(descriptor: string): string {
  if (descriptor.length >= 2 && descriptor.startsWith('L') && descriptor.endsWith(';')) {
    return descriptor.slice(1, -1).replaceAll('/', '.');
  }
  return descriptor;
}

/** Reads string_data_items with bounds, a per-string cap and a work budget over the whole file. */
class StringTable {
  private walked = 0;
  private readonly budget: number;
  mismatches = 0;
  firstMismatch = -1;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    private readonly h: DexHeader,
    private readonly warn: (code: string, message: string, offset: number) => void,
  ) {
    this.budget = STRING_WORK_FACTOR * bytes.length + MAX_STRING_BYTES;
  }

  /** Names decoded so far by string index: undefined not yet asked, null unreadable (an array: ids are dense). */
  private names: Array<string | null | undefined> | undefined;

  /**
   * A name for the class and code passes (class, field, method and type names): string_ids[index] decoded once and
   * remembered for every pass, quietly; undefined when the index is outside the table or its data cannot be read.
   */
  name(index: number): string | undefined {
    if (index >= this.h.stringIdsSize) return undefined;
    // At most one slot per string_ids entry, which the header check bounded by the file size.
    const names = (this.names ??= new Array<string | null | undefined>(this.h.stringIdsSize));
    let s = names[index];
    if (s === undefined) names[index] = s = this.get(index, true) ?? null;
    return s ?? undefined;
  }

  /**
   * The decoded string at string_ids[index], or undefined when its data cannot be read or `keep` turns its bytes
   * down. Quiet lookups (names for the class passes) neither warn nor count length mismatches: the table pass reads
   * every entry once and does both.
   */
  get(index: number, quiet = false, keep?: DecodeContext['keepPlain']): string | undefined {
    const at = this.locate(index, quiet);
    if (at === undefined) return undefined;
    if (keep !== undefined && !keep(this.bytes, at.start, at.end)) {
      // keep() turns down only ASCII data, which decodes to one UTF-16 unit a byte: the mismatch is still counted.
      if (!quiet && at.end - at.start !== at.declared && this.mismatches++ === 0) this.firstMismatch = index;
      return undefined;
    }
    const text = decodeMutf8(this.bytes, at.start, at.end);
    if (!quiet && text.length !== at.declared) {
      if (this.mismatches++ === 0) this.firstMismatch = index;
    }
    return text;
  }

  /**
   * Where the MUTF-8 data of string_ids[index] lies, [start, end), and its declared utf16_size; undefined when it
   * cannot be read (warned unless quiet). Charges the walk to the overlap budget.
   */
  locate(index: number, quiet = false): { start: number; end: number; declared: number } | undefined {
    const warn = quiet ? () => undefined : this.warn;
    const bytes = this.bytes;
    const len = bytes.length;
    const idOff = this.h.stringIdsOff + index * 4;
    const dataOff = this.view.getUint32(idOff, true);
    if (dataOff >= len) {
      warn('dex.string_offset', `string_ids[${index}] points to ${dataOff}, outside the ${len}-byte file`, idOff);
      return undefined;
    }
    // string_data_item: utf16_size (uleb128), then MUTF-8 data up to a NUL.
    let p = dataOff;
    let b = bytes[p++]!;
    let declared = b & 0x7f;
    if (b & 0x80) {
      let shift = 7;
      for (;;) {
        if (p >= len || shift > 28) {
          warn('dex.string_length', `string_ids[${index}]: bad utf16_size ULEB128`, dataOff);
          return undefined;
        }
        b = bytes[p++]!;
        declared += (b & 0x7f) * 2 ** shift;
        if ((b & 0x80) === 0) break;
        shift += 7;
      }
    }
    let nul = bytes.indexOf(0, p);
    this.walked += (nul < 0 ? len : nul) - p;
    if (this.walked > this.budget) {
      throw new DecodeError(STRING_OVERLAP, `string data walked exceeds ${STRING_WORK_FACTOR}x the file size: string_ids offsets overlap`, idOff);
    }
    if (nul < 0) {
      warn('dex.string_unterminated', `string_ids[${index}]: no NUL before the end of the file; decoded to the end`, dataOff);
      nul = len;
    }
    if (nul - p > MAX_STRING_BYTES) {
      warn('dex.string_too_long', `string_ids[${index}]: ${nul - p} bytes of string data; cut at ${MAX_STRING_BYTES}`, dataOff);
      nul = p + MAX_STRING_BYTES;
    }
    return { start: p, end: nul, declared };
  }
}

/** Calls `warn` for the first few warnings of each code, then counts; `flush` reports the counts. */
function limitedWarner(ctx: DecodeContext) {
  const counts = new Map<string, number>();
  return {
    warn(code: string, message: string, offset?: number): void {
      const n = (counts.get(code) ?? 0) + 1;
      counts.set(code, n);
      if (n <= MAX_WARNINGS_PER_CODE) ctx.warn(offset === undefined ? { code, message } : { code, message, offset });
    },
    flush(): void {
      for (const [code, n] of counts) {
        if (n > MAX_WARNINGS_PER_CODE) ctx.warn({ code, message: `${n - MAX_WARNINGS_PER_CODE} more ${code} warnings not shown` });
      }
    },
  };
}

/** Count of encoded_values still allowed for this file. */
interface ValueBudget {
  left: number;
}

/** Skips one encoded_value at the reader's cursor, or returns the string index when it is a VALUE_STRING. */
function readEncodedValue(r: Reader, depth: number, budget: ValueBudget): number | undefined {
  const start = r.pos;
  if (--budget.left < 0) r.fail('value_budget', `more than ${VALUE_WORK_FACTOR}x the file size in encoded values: static_values overlap`, start);
  const header = r.u8();
  const type = header & 0x1f;
  const arg = header >> 5;
  const maxArg = SIZED_VALUE_MAX_ARG[type];
  if (maxArg !== undefined) {
    if (arg > maxArg) r.fail('bad_value', `encoded_value type 0x${type.toString(16)} with value_arg ${arg}`, start);
    r.need(arg + 1, r.pos, 'encoded_value');
    let index: number | undefined;
    if (type === VALUE_STRING) {
      index = 0;
      for (let k = 0; k <= arg; k++) index += r.bytes[r.pos + k]! * 2 ** (8 * k);
    }
    r.pos += arg + 1;
    return index;
  }
  switch (type) {
    case VALUE_BYTE:
      r.skip(1);
      return undefined;
    case VALUE_NULL:
    case VALUE_BOOLEAN:
      return undefined;
    case VALUE_ARRAY:
      if (depth >= MAX_VALUE_DEPTH) r.fail('too_deep', `encoded values nested deeper than ${MAX_VALUE_DEPTH}`, start);
      skipEncodedArray(r, depth + 1, budget);
      return undefined;
    case VALUE_ANNOTATION: {
      if (depth >= MAX_VALUE_DEPTH) r.fail('too_deep', `encoded values nested deeper than ${MAX_VALUE_DEPTH}`, start);
      r.uleb128();
      const size = r.uleb128();
      r.needItems(size, 2, r.pos, 'encoded_annotation');
      for (let k = 0; k < size; k++) {
        r.uleb128();
        readEncodedValue(r, depth + 1, budget);
      }
      return undefined;
    }
    default:
      return r.fail('bad_value', `unknown encoded_value type 0x${type.toString(16)}`, start);
  }
}

function skipEncodedArray(r: Reader, depth: number, budget: ValueBudget): void {
  const size = r.uleb128();
  r.needItems(size, 1, r.pos, 'encoded_array');
  for (let k = 0; k < size; k++) readEncodedValue(r, depth, budget);
}

/** Throws unless class_defs is a believable size and lies inside the file; both class passes rely on it. */
function checkClassDefs(bytes: Uint8Array, h: DexHeader): void {
  if (h.classDefsSize === 0) return;
  const r = new Reader(bytes, 'dex');
  if (h.classDefsSize > MAX_CLASS_DEFS) r.fail('bad_count', `class_defs_size ${h.classDefsSize} exceeds ${MAX_CLASS_DEFS}`, 0x60);
  r.needItems(h.classDefsSize, CLASS_DEF_SIZE, h.classDefsOff, 'class_defs');
}

/**
 * Pairs each class's static_values (encoded_array_item) with its static fields (class_data_item, in order) and
 * returns the string bindings by string index. Problems in one class are warnings; that class is skipped. class_defs
 * must have passed checkClassDefs.
 */
function staticStringBindings(
  bytes: Uint8Array,
  h: DexHeader,
  strings: StringTable,
  classOf: (c: number) => string,
  warn: (code: string, message: string, offset?: number) => void,
): Map<number, Binding[]> {
  const bindings = new Map<number, Binding[]>();
  if (h.classDefsSize === 0) return bindings;
  const r = new Reader(bytes, 'dex');
  if (h.typeIdsSize > 0) r.needItems(h.typeIdsSize, 4, h.typeIdsOff, 'type_ids');
  if (h.fieldIdsSize > 0) r.needItems(h.fieldIdsSize, FIELD_ID_SIZE, h.fieldIdsOff, 'field_ids');
  const values = new Reader(bytes, 'dex');
  const fields = new Reader(bytes, 'dex');
  const budget: ValueBudget = { left: VALUE_WORK_FACTOR * bytes.length };

  for (let c = 0; c < h.classDefsSize; c++) {
    const def = h.classDefsOff + c * CLASS_DEF_SIZE;
    const classDataOff = r.view.getUint32(def + 24, true);
    const staticValuesOff = r.view.getUint32(def + 28, true);
    if (staticValuesOff === 0) continue;
    let className: string | undefined;
    try {
      if (classDataOff === 0) r.fail('static_values', 'static_values_off set but class has no class_data', def + 28);
      values.seek(staticValuesOff);
      fields.seek(classDataOff);
      const staticFieldsSize = fields.uleb128();
      fields.uleb128(); // instance_fields_size
      fields.uleb128(); // direct_methods_size
      fields.uleb128(); // virtual_methods_size
      if (staticFieldsSize > MAX_STATIC_FIELDS) fields.fail('bad_count', `static_fields_size ${staticFieldsSize} exceeds ${MAX_STATIC_FIELDS}`, classDataOff);
      fields.needItems(staticFieldsSize, 2, fields.pos, 'static_fields');
      const valueCount = values.uleb128();
      values.needItems(valueCount, 1, values.pos, 'encoded_array');
      if (valueCount > staticFieldsSize) {
        warn('dex.static_values', `class_defs[${c}]: ${valueCount} static values for ${staticFieldsSize} static fields`, staticValuesOff);
      }
      let fieldIdx = 0;
      for (let k = 0; k < valueCount && k < staticFieldsSize; k++) {
        const stringIdx = readEncodedValue(values, 0, budget);
        fieldIdx += fields.uleb128(); // encoded_field.field_idx_diff
        fields.uleb128(); // access_flags
        if (stringIdx === undefined) continue;
        if (stringIdx >= h.stringIdsSize) {
          warn('dex.bad_index', `class_defs[${c}]: static value string index ${stringIdx} >= ${h.stringIdsSize}`, staticValuesOff);
          continue;
        }
        if (fieldIdx >= h.fieldIdsSize) {
          warn('dex.bad_index', `class_defs[${c}]: field index ${fieldIdx} >= ${h.fieldIdsSize}`, classDataOff);
          continue;
        }
        const field = strings.name(r.view.getUint32(h.fieldIdsOff + fieldIdx * FIELD_ID_SIZE + 4, true));
        if (field === undefined) continue;
        className ??= classOf(c);
        const list = bindings.get(stringIdx);
        if (list === undefined) bindings.set(stringIdx, [{ field, className }]);
        else list.push({ field, className });
      }
    } catch (e) {
      if (!(e instanceof DecodeError) || e.code === STRING_OVERLAP) throw e;
      warn(e.code, `class_defs[${c}] static values skipped: ${e.message}`, e.offset);
      if (e.code === 'dex.value_budget') break;
    }
  }
  return bindings;
}

/** A string referenced by more than one class gets no class scope. */
const SHARED = SHARED_OWNER;

/** What the code pass found: the class that references each string, and each string's code uses. */
interface CodePass {
  /** By string index: a class_defs index, -1 when no code references it, SHARED when several classes do. */
  owners: Int32Array;
  walker: CodeWalker | undefined;
}

/** Checks the id tables the code walk resolves names from; throws a DecodeError naming the first bad one. */
function checkCodeTables(bytes: Uint8Array, h: DexHeader): DexTables {
  const r = new Reader(bytes, 'dex');
  if (h.typeIdsSize > 0) r.needItems(h.typeIdsSize, 4, h.typeIdsOff, 'type_ids');
  if (h.protoIdsSize > 0) r.needItems(h.protoIdsSize, 12, h.protoIdsOff, 'proto_ids');
  if (h.fieldIdsSize > 0) r.needItems(h.fieldIdsSize, FIELD_ID_SIZE, h.fieldIdsOff, 'field_ids');
  if (h.methodIdsSize > 0) r.needItems(h.methodIdsSize, 8, h.methodIdsOff, 'method_ids');
  return h;
}

/**
 * Walks each class_data_item and code_item once: the class that references each string from its code
 * (`const-string`), and, when the id tables are sound, what the code does with each string (CodeWalker). class_data,
 * code read and the walk's work are charged to one budget, so total work is bounded by the file (class_defs already
 * checked).
 */
function walkCode(bytes: Uint8Array, h: DexHeader, strings: StringTable, warn: (code: string, message: string, offset?: number) => void): CodePass {
  const owners = new Int32Array(h.stringIdsSize).fill(-1);
  const r = new Reader(bytes, 'dex');
  const data = new Reader(bytes, 'dex');
  const seen = new Set<number>();
  // A class sharing an already walked class_data_item would only meet code_items already in `seen`.
  const seenClassData = new Set<number>();
  let budget = VALUE_WORK_FACTOR * bytes.length;
  const charge = (n: number, at: number) => {
    budget -= n;
    if (budget < 0) r.fail('code_budget', `more than ${VALUE_WORK_FACTOR}x the file size in class data and code: items overlap`, at);
  };
  let c = 0;
  const own = (idx: number) => {
    const o = owners[idx]!;
    owners[idx] = o === -1 || o === c ? c : SHARED;
  };
  let walker: CodeWalker | undefined;
  try {
    walker = new CodeWalker(bytes, r.view, checkCodeTables(bytes, h), strings, owners);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    warn(e.code, `id tables not read (no code contexts): ${e.message}`, e.offset);
  }
  for (c = 0; c < h.classDefsSize; c++) {
    const classDataOff = r.view.getUint32(h.classDefsOff + c * CLASS_DEF_SIZE + 24, true);
    if (classDataOff === 0 || seenClassData.has(classDataOff)) continue;
    seenClassData.add(classDataOff);
    if (walker) walker.ownerClass = c;
    try {
      data.seek(classDataOff);
      const staticFields = data.uleb128();
      const instanceFields = data.uleb128();
      const direct = data.uleb128();
      const methods = direct + data.uleb128();
      // Every encoded_field is at least 2 bytes and every encoded_method at least 3.
      data.needItems(staticFields + instanceFields, 2, data.pos, 'fields');
      // class_data_items at different offsets may overlap, so their fields and methods are charged to the budget too.
      charge((staticFields + instanceFields) * 2, classDataOff);
      for (let k = 0; k < staticFields + instanceFields; k++) {
        data.uleb128();
        data.uleb128();
      }
      data.needItems(methods, 3, data.pos, 'methods');
      charge(methods * 3, classDataOff);
      let methodIdx = 0;
      for (let k = 0; k < methods; k++) {
        // method_idx_diff: the first of the direct list and the first of the virtual list are absolute.
        const diff = data.uleb128();
        methodIdx = k === 0 || k === direct ? diff : methodIdx + diff;
        data.uleb128(); // access_flags
        const codeOff = data.uleb128();
        if (codeOff === 0 || seen.has(codeOff)) continue;
        seen.add(codeOff);
        // code_item: registers, ins, outs, tries (u16 each), debug_info_off (u32), insns_size (u32, in code units).
        r.need(16, codeOff, 'code_item');
        const units = r.view.getUint32(codeOff + 12, true);
        r.need(units * 2, codeOff + 16, 'insns');
        charge(units * 2, codeOff);
        if (walker) charge(walker.walk(codeOff + 16, units, methodIdx), codeOff);
        else constStrings(r.view, codeOff + 16, units, h.stringIdsSize, own);
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      warn(e.code === 'dex.code_budget' ? e.code : 'dex.code', `class_defs[${c}] code not read for class scope: ${e.message}`, e.offset);
      if (e.code === 'dex.code_budget') break;
    }
  }
  if (walker && walker.badIndexes > 0) warn('dex.code_bad_index', `${walker.badIndexes} string or method indexes in code are outside their tables`);
  if (walker && walker.uses.dropped > 0) warn('dex.code_uses_dropped', `${walker.uses.dropped} code uses not kept (at most per string and per file)`);
  return { owners, walker };
}

/** Calls `own` for the string of every const-string in the code units at `base` (the walk without code contexts). */
function constStrings(view: DataView, base: number, units: number, stringCount: number, own: (idx: number) => void): void {
  for (let pc = 0; pc < units; ) {
    const unit = view.getUint16(base + pc * 2, true);
    const op = unit & 0xff;
    let width = OPCODE_UNITS[op]!;
    if (width === 0) {
      width = nopWidth(view, base + pc * 2, unit, units - pc);
    } else if ((op === 0x1a || op === 0x1b) && pc + width <= units) {
      const idx = op === 0x1a ? view.getUint16(base + pc * 2 + 2, true) : view.getUint32(base + pc * 2 + 2, true);
      if (idx < stringCount) own(idx);
    }
    pc += width;
  }
}

/** One DecodedString per code use of string_ids[i] (docs/code-context.md), appended to `out`: those `keep` accepts. */
function codeUses(walker: CodeWalker, i: number, text: string, entry: string, scratch: number[], out: DecodedString[], keep: ((code: string, text: string, context?: string) => boolean) | undefined): void {
  for (const u of walker.uses.indexes(i, scratch)) {
    const d = walker.describe(u, text, keep);
    if (d === undefined) continue;
    out.push({ text, location: { entry, decoder: 'dex', pointer: d.pointer }, context: d.context, scope: d.scope, code: d.code });
  }
}

/** DEX decoder: every string_ids entry once, in table order; static final String values carry field and class;
 * a string that one class alone references from its code carries that class as `scope`. */
export const decodeDex: Decoder = function* decodeDex(bytes: Uint8Array, ctx: DecodeContext): Generator<DecodedString> {
  const warner = limitedWarner(ctx);
  const h = readHeader(bytes, ctx.warn);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strings = new StringTable(bytes, view, h, warner.warn);

  let classesOk = true;
  try {
    checkClassDefs(bytes, h);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    warner.warn(e.code, `class_defs not read (no static bindings or class scopes): ${e.message}`, e.offset);
    classesOk = false;
  }
  // class_defs index -> dotted class name, shared by both class passes.
  const classNames = new Map<number, string>();
  const classOf = (c: number): string => {
    let name = classNames.get(c);
    if (name === undefined) {
      const classIdx = view.getUint32(h.classDefsOff + c * CLASS_DEF_SIZE, true);
      const typeOff = h.typeIdsOff + classIdx * 4;
      const descriptorIdx = classIdx < h.typeIdsSize && typeOff + 4 <= bytes.length ? view.getUint32(typeOff, true) : h.stringIdsSize;
      const descriptor = strings.name(descriptorIdx);
      name = descriptor === undefined ? `class_defs[${c}]` : dottedClassName(descriptor);
      classNames.set(c, name);
    }
    return name;
  };

  let bindings = new Map<number, Binding[]>();
  let owners: Int32Array = new Int32Array(h.stringIdsSize).fill(-1);
  let walker: CodeWalker | undefined;
  if (classesOk) {
    try {
      bindings = staticStringBindings(bytes, h, strings, classOf, warner.warn);
    } catch (e) {
      if (!(e instanceof DecodeError) || e.code === STRING_OVERLAP) throw e;
      warner.warn(e.code, `static values not read: ${e.message}`, e.offset);
    }
    ({ owners, walker } = walkCode(bytes, h, strings, warner.warn));
  }

  const entry = ctx.entry;
  const scratch: number[] = [];
  const pending: DecodedString[] = [];
  const keepPlain = ctx.keepPlain;
  // A string bound to a field or owned by one class is made for the table only when the scan's rules could read it
  // (its code uses are asked about one by one through keepCodeUse).
  const keepLiteral = ctx.keepLiteral;
  for (let i = 0; i < h.stringIdsSize; i++) {
    // A string with no binding, no owning class and no code use (most names and descriptors) is made only when the
    // scan's rules could read it (DecodeContext.keepPlain).
    const plain = keepPlain !== undefined && owners[i]! < 0 && !(walker?.uses.has(i) ?? false) && !bindings.has(i);
    const text = strings.get(i, false, plain ? keepPlain : undefined);
    if (text === undefined) continue;
    const bound = bindings.get(i);
    if (bound === undefined) {
      const owner = owners[i]!;
      if (owner >= 0) {
        const scope = classOf(owner);
        if (keepLiteral === undefined || keepLiteral(text, 'dex')) yield { text, location: { entry, decoder: 'dex', pointer: `string_ids[${i}]` }, scope };
      } else yield { text, location: { entry, decoder: 'dex', pointer: `string_ids[${i}]` } };
      if (walker?.uses.has(i)) {
        codeUses(walker, i, text, entry, scratch, pending, ctx.keepCodeUse);
        for (const p of pending) yield p;
        pending.length = 0;
      }
      continue;
    }
    const first = bound[0]!;
    if (keepLiteral === undefined || keepLiteral(text, 'dex', first.field)) {
      yield { text, location: { entry, decoder: 'dex', pointer: `string_ids[${i}] ${first.className}.${first.field}` }, context: first.field, scope: first.className };
    }
    for (let k = 1; k < bound.length; k++) {
      const b = bound[k]!;
      if (keepLiteral !== undefined && !keepLiteral(text, 'dex', b.field)) continue;
      yield { text, location: { entry, decoder: 'dex', pointer: `static_values ${b.className}.${b.field}` }, context: b.field, scope: b.className };
    }
    if (walker?.uses.has(i)) {
      codeUses(walker, i, text, entry, scratch, pending, ctx.keepCodeUse);
      for (const p of pending) yield p;
      pending.length = 0;
    }
  }
  if (strings.mismatches > 0) {
    ctx.warn({
      code: 'dex.string_length_mismatch',
      message: `${strings.mismatches} ${strings.mismatches === 1 ? 'string decodes' : 'strings decode'} to a length other than their declared utf16_size (first: string_ids[${strings.firstMismatch}])`,
    });
  }
  warner.flush();
};
