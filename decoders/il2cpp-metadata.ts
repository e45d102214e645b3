/**
 * Unity IL2CPP `global-metadata.dat`: constant string values bound to their field or parameter and class.
 *
 * A C# `const string` (and a string parameter's default) is stored in `fieldDefaultValues` / `parameterDefaultValues`
 * (fieldIndex or parameterIndex, typeIndex, dataIndex into `fieldAndParameterDefaultValueData`). The field's name and
 * its class come from `fields` and `typeDefinitions` (field ranges; names in the metadata string table; nesting from
 * `nestedTypes`). Layouts per version follow the public readers (Il2CppDumper Il2Cpp/MetadataClass.cs, Cpp2IL
 * LibCpp2IL/Metadata) and libil2cpp's utils/BlobReader.cpp for the value encoding; docs/code-context.md ("Unity
 * IL2CPP") says which versions are read. A string value is an int32 length (before v29) or a compressed int32 (v29+)
 * then UTF-8.
 *
 * The type of a default value is an index into the binary's Il2CppType table (in libil2cpp.so / GameAssembly, not in
 * this file), so a value is taken as a string when its type index is the byval type of the type definition
 * `System.String`, or when every value of that type index reads as a length-prefixed UTF-8 string that ends exactly
 * where the next value begins (the data is written back to back).
 */
import type { DecodeContext } from './types.js';

/** Longest name read from the metadata string table, bytes. */
const MAX_NAME_BYTES = 1024;
/** Bytes scanned for names over the whole file may not exceed this multiple of its size (names shared by many). */
const NAME_WORK_FACTOR = 4;
/** Field, method and parameter ranges walked may not exceed this multiple of the table rows (overlapping ranges). */
const RANGE_WORK_FACTOR = 4;
/** Deepest nesting of types followed for a class name (each level is a `nestedTypes` entry). */
const MAX_NESTING = 16;
/** Longest value returned, bytes (as the literal table). */
const MAX_VALUE_BYTES = 64 * 1024;
/** Individual warnings of one code per file. */
const MAX_WARNINGS_PER_CODE = 8;
/** Size of one Il2CppFieldDefaultValue / Il2CppParameterDefaultValue row: three int32. */
const DEFAULT_ROW = 12;

/** A constant string with the names the metadata binds it to. */
export interface Il2cppDefault {
  /** `field_defaults[N]` or `parameter_defaults[N]`. */
  table: 'field_defaults' | 'parameter_defaults';
  row: number;
  text: string;
  /** File offset of the UTF-8 bytes. */
  offset: number;
  /** Field or parameter name. */
  name: string;
  /** `Namespace.Class`, nested types as `Namespace.Outer/Inner`. */
  className: string;
  /** The method, for a parameter default. */
  method?: string;
}

type Warn = DecodeContext['warn'];

interface Section {
  off: number;
  size: number;
}

/** Struct layouts of one metadata version (sub-versions 24.0 / 24.1 / 24.2 share the header's version 24). */
export interface Il2cppLayout {
  version: number;
  headerSize: number;
  tables: Map<string, Section>;
  typeDef: { size: number; byval: number; fieldStart: number; methodStart: number; nestedStart: number; counts: number };
  fieldSize: number;
  method: { size: number; paramStart: number; paramCount: number };
  paramSize: number;
}

/** Table names in header order (Il2CppGlobalMetadataHeader) for version `v`. */
export function headerTables(v: number): string[] {
  const t = ['stringLiteral', 'stringLiteralData', 'string', 'events', 'properties', 'methods', 'parameterDefaultValues', 'fieldDefaultValues', 'defaultValueData'];
  t.push('fieldMarshaledSizes', 'parameters', 'fields', 'genericParameters', 'genericParameterConstraints', 'genericContainers', 'nestedTypes');
  t.push('interfaces', 'vtableMethods', 'interfaceOffsets', 'typeDefinitions');
  if (v <= 24.1) t.push('rgctxEntries');
  t.push('images', 'assemblies');
  if (v >= 19 && v < 27) t.push('metadataUsageLists', 'metadataUsagePairs');
  if (v >= 19) t.push('fieldRefs');
  if (v >= 20) t.push('referencedAssemblies');
  if (v >= 21) t.push(...(v >= 29 ? ['attributeData', 'attributeDataRange'] : ['attributesInfo', 'attributeTypes']));
  if (v >= 22) t.push('unresolvedVirtualCallParameterTypes', 'unresolvedVirtualCallParameterRanges');
  if (v >= 23) t.push('windowsRuntimeTypeNames');
  if (v >= 27) t.push('windowsRuntimeStrings');
  if (v >= 24) t.push('exportedTypeDefinitions');
  return t;
}

function layoutOf(bytes: Uint8Array, v: number): Il2cppLayout | undefined {
  const names = headerTables(v);
  const headerSize = 8 + 8 * names.length;
  if (bytes.length < headerSize) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = new Map<string, Section>();
  names.forEach((n, i) => tables.set(n, { off: dv.getUint32(8 + 8 * i, true), size: dv.getUint32(12 + 8 * i, true) }));
  // Il2CppTypeDefinition: int32 fields up to flags, eight int32 starts, eight uint16 counts, bitfield, token.
  const cattr = v <= 24.0 ? 1 : 0;
  const beforeStarts = 2 + cattr + 1 + (v < 27 ? 1 : 0) + 3 + (v <= 24.1 ? 2 : 0) + 1 + (v <= 22 ? 2 : 0) + (v >= 21 && v <= 22 ? 2 : 0) + 1;
  const fieldStart = 4 * beforeStarts;
  const counts = fieldStart + 32;
  const typeDef = { size: counts + 16 + 4 + (v >= 19 ? 4 : 0), byval: 4 * (2 + cattr), fieldStart, methodStart: fieldStart + 4, nestedStart: fieldStart + 16, counts };
  // Il2CppMethodDefinition: name, declaringType, returnType, [returnParameterToken], parameterStart, ..., token, 4 x uint16.
  const methodInts = 3 + (v >= 31 ? 1 : 0) + 1 + cattr + 1 + (v <= 24.1 ? 5 : 0) + 1;
  const method = { size: 4 * methodInts + 8, paramStart: 12 + (v >= 31 ? 4 : 0), paramCount: 4 * methodInts + 6 };
  return { version: v, headerSize, tables, typeDef, fieldSize: 8 + 4 * cattr + (v >= 19 ? 4 : 0), method, paramSize: 12 + 4 * cattr };
}

/** The tables this reader uses, with the row size each must be a multiple of. */
function rowSizes(l: Il2cppLayout): [string, number][] {
  return [
    ['string', 1],
    ['typeDefinitions', l.typeDef.size],
    ['fields', l.fieldSize],
    ['methods', l.method.size],
    ['parameters', l.paramSize],
    ['fieldDefaultValues', DEFAULT_ROW],
    ['parameterDefaultValues', DEFAULT_ROW],
    ['defaultValueData', 1],
    ['nestedTypes', 4],
  ];
}

/** Why `l` does not describe `bytes`, or undefined when every table it uses fits the file and its row size. */
function misfit(bytes: Uint8Array, l: Il2cppLayout): string | undefined {
  for (const [name, row] of rowSizes(l)) {
    const s = l.tables.get(name)!;
    if (s.off > bytes.length || s.size > bytes.length - s.off) return `${name} (${s.size} bytes at ${s.off}) does not fit the file`;
    if (s.size % row !== 0) return `${name} (${s.size} bytes) is not a whole number of ${row}-byte rows`;
  }
  // Every type's field range must lie inside the field table (a wrong row size reads garbage here).
  const td = l.tables.get('typeDefinitions')!;
  const fieldRows = l.tables.get('fields')!.size / l.fieldSize;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const checked = Math.min(td.size / l.typeDef.size, 64);
  for (let i = 0; i < checked; i++) {
    const at = td.off + i * l.typeDef.size;
    const start = dv.getInt32(at + l.typeDef.fieldStart, true);
    const count = dv.getUint16(at + l.typeDef.counts + 4, true);
    if (count > 0 && (start < 0 || start + count > fieldRows)) return `type ${i}'s fields (${count} at ${start}) are outside the ${fieldRows}-row field table`;
  }
  return undefined;
}

/**
 * The layout of the file's version: 24 has three struct layouts under one number (24.0; 24.1 without custom attribute
 * indices; 24.2..24.5 without rgctx entries, whose header is one pair shorter); the one whose first table starts right
 * after its header and whose tables fit is taken.
 */
export function il2cppLayout(bytes: Uint8Array, version: number): { layout?: Il2cppLayout; why?: string } {
  const candidates = version === 24 ? [24.2, 24.1, 24.0] : [version];
  let why = 'header is truncated';
  const fits: Il2cppLayout[] = [];
  for (const v of candidates) {
    const l = layoutOf(bytes, v);
    if (!l) continue;
    const bad = misfit(bytes, l);
    if (bad) {
      why = bad;
      continue;
    }
    fits.push(l);
  }
  const first = fits.find((l) => l.tables.get('stringLiteral')!.off === l.headerSize) ?? fits[0];
  return first ? { layout: first } : { why };
}

/** libil2cpp utils/MemoryRead ReadCompressedInt32 at `at`: [value, bytes read], or undefined past `end`. */
export function compressedInt32(bytes: Uint8Array, at: number, end: number): [number, number] | undefined {
  if (at < 0 || at >= end || end > bytes.length) return undefined;
  const b = bytes[at]!;
  const n = b < 0x80 ? 1 : (b & 0xc0) === 0x80 ? 2 : (b & 0xe0) === 0xc0 ? 4 : b === 0xf0 ? 5 : b >= 0xfe ? 1 : 0;
  if (n === 0 || n > end - at) return undefined;
  if (b === 0xff) return [-0x80000000, 1];
  let u: number;
  if (n === 1) u = b === 0xfe ? 0xfffffffe : b;
  else if (n === 2) u = ((b & 0x3f) << 8) | bytes[at + 1]!;
  else if (n === 4) u = (b & 0x1f) * 0x1000000 + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
  else u = (bytes[at + 1]! | (bytes[at + 2]! << 8) | (bytes[at + 3]! << 16)) + bytes[at + 4]! * 0x1000000;
  return [u % 2 === 1 ? -Math.floor(u / 2) - 1 : Math.floor(u / 2), n];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** Per-file state: bounds-checked reads of the tables, names, budgets and capped warnings. */
class MetadataTables {
  private readonly dv: DataView;
  private readonly names = new Map<number, string>();
  private nameBudget: number;
  private readonly warned = new Map<string, number>();
  readonly typeCount: number;
  readonly fieldCount: number;
  readonly methodCount: number;
  readonly paramCount: number;
  private readonly s: (name: string) => Section;

  constructor(
    readonly bytes: Uint8Array,
    readonly l: Il2cppLayout,
    private readonly warnTo: Warn,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.s = (name) => l.tables.get(name)!;
    this.nameBudget = NAME_WORK_FACTOR * bytes.length;
    this.typeCount = this.s('typeDefinitions').size / l.typeDef.size;
    this.fieldCount = this.s('fields').size / l.fieldSize;
    this.methodCount = this.s('methods').size / l.method.size;
    this.paramCount = this.s('parameters').size / l.paramSize;
  }

  warn(code: string, message: string, offset?: number): void {
    const n = (this.warned.get(code) ?? 0) + 1;
    this.warned.set(code, n);
    if (n <= MAX_WARNINGS_PER_CODE) this.warnTo({ code, message, offset });
  }

  summarize(): void {
    for (const [code, n] of this.warned) if (n > MAX_WARNINGS_PER_CODE) this.warnTo({ code, message: `${n - MAX_WARNINGS_PER_CODE} more ${code} warnings` });
  }

  i32(table: string, row: number, size: number, field: number): number {
    return this.dv.getInt32(this.s(table).off + row * size + field, true);
  }

  u16(table: string, row: number, size: number, field: number): number {
    return this.dv.getUint16(this.s(table).off + row * size + field, true);
  }

  /** A NUL-terminated name from the metadata string table; `?` when the index or budget does not allow it. */
  name(index: number): string {
    const cached = this.names.get(index);
    if (cached !== undefined) return cached;
    const { off, size } = this.s('string');
    if (index < 0 || index >= size) {
      this.warn('il2cpp.bad_name', `name index ${index} is outside the ${size}-byte string table`);
      return '?';
    }
    const limit = Math.min(size - index, MAX_NAME_BYTES);
    if (this.nameBudget < limit) {
      this.warn('il2cpp.name_budget', `names read exceed ${NAME_WORK_FACTOR}x the file size`);
      return '?';
    }
    const at = off + index;
    let end = at;
    while (end < at + limit && this.bytes[end] !== 0) end++;
    this.nameBudget -= end - at + 1;
    const text = lenient.decode(this.bytes.subarray(at, end));
    this.names.set(index, text);
    return text;
  }

  /** True when the name at `index` is exactly `want` (ASCII), without decoding or caching it. */
  nameIs(index: number, want: string): boolean {
    const { off, size } = this.s('string');
    if (index < 0 || index > size - want.length - 1) return false;
    for (let i = 0; i < want.length; i++) if (this.bytes[off + index + i] !== want.charCodeAt(i)) return false;
    return this.bytes[off + index + want.length] === 0;
  }

  /**
   * Owner of each row of a child table from the parents' (start, count) ranges; -1 where none. Ranges outside the child
   * table are warned about and skipped; the rows walked are charged to RANGE_WORK_FACTOR x the child rows.
   */
  owners(parents: number, children: number, range: (p: number) => [number, number], what: string): Int32Array {
    const owner = new Int32Array(children).fill(-1);
    let budget = RANGE_WORK_FACTOR * children + parents;
    for (let p = 0; p < parents; p++) {
      const [start, count] = range(p);
      if (count === 0) continue;
      if (start < 0 || start > children - count) {
        this.warn('il2cpp.bad_range', `${what} ${p}: ${count} rows at ${start} are outside the ${children}-row table`);
        continue;
      }
      budget -= count;
      if (budget < 0) {
        this.warn('il2cpp.range_budget', `${what} ranges exceed ${RANGE_WORK_FACTOR}x the rows they cover: the rest are not read`);
        break;
      }
      for (let i = start; i < start + count; i++) if (owner[i] === -1) owner[i] = p;
    }
    return owner;
  }
}

/** Class names (`Namespace.Outer/Inner`) of every type definition, nesting from the `nestedTypes` table. */
function classNames(t: MetadataTables): (type: number) => string {
  const td = t.l.typeDef;
  const nested = t.l.tables.get('nestedTypes')!;
  const nestedRows = nested.size / 4;
  const parent = new Int32Array(t.typeCount).fill(-1);
  const byNested = t.owners(t.typeCount, nestedRows, (p) => [t.i32('typeDefinitions', p, td.size, td.nestedStart), t.u16('typeDefinitions', p, td.size, td.counts + 8)], 'type nested types');
  for (let i = 0; i < nestedRows; i++) {
    const child = t.i32('nestedTypes', i, 4, 0);
    if (byNested[i] === -1) continue;
    if (child < 0 || child >= t.typeCount || child === byNested[i]) {
      t.warn('il2cpp.bad_nested', `nestedTypes[${i}] = ${child} is not another type definition`);
      continue;
    }
    if (parent[child] === -1) parent[child] = byNested[i]!;
  }
  const cache = new Map<number, string>();
  const full = (type: number, depth: number): string => {
    const hit = cache.get(type);
    if (hit !== undefined) return hit;
    const name = t.name(t.i32('typeDefinitions', type, td.size, 0));
    let out: string;
    if (parent[type] !== -1 && depth < MAX_NESTING) out = `${full(parent[type]!, depth + 1)}/${name}`;
    else {
      const ns = t.name(t.i32('typeDefinitions', type, td.size, 4));
      out = ns ? `${ns}.${name}` : name;
    }
    cache.set(type, out);
    return out;
  };
  return (type) => full(type, 0);
}

interface DefaultRow {
  table: Il2cppDefault['table'];
  row: number;
  owner: number;
  typeIndex: number;
  dataIndex: number;
}

/** A length-prefixed UTF-8 string at `dataIndex` of the default value data: text, file offset and end, or why not. */
function readString(t: MetadataTables, dataIndex: number): { text: string; at: number; end: number } | undefined {
  const { off, size } = t.l.tables.get('defaultValueData')!;
  if (dataIndex < 0 || dataIndex >= size) return undefined;
  const start = off + dataIndex;
  const end = off + size;
  let length: number;
  let at: number;
  if (t.l.version < 29) {
    if (end - start < 4) return undefined;
    length = t.bytes[start]! | (t.bytes[start + 1]! << 8) | (t.bytes[start + 2]! << 16) | (t.bytes[start + 3]! << 24);
    at = start + 4;
  } else {
    const c = compressedInt32(t.bytes, start, end);
    if (!c) return undefined;
    [length, at] = [c[0], start + c[1]];
  }
  // -1 is a null string (BlobReader::GetConstantValueFromBlob).
  if (length === -1) return { text: '', at, end: at - off };
  if (length < 0 || length > end - at) return undefined;
  // Longer values are cut (and not checked for UTF-8 validity past the cut).
  if (length > MAX_VALUE_BYTES) return { text: lenient.decode(t.bytes.subarray(at, at + MAX_VALUE_BYTES)), at, end: at + length - off };
  try {
    return { text: utf8.decode(t.bytes.subarray(at, at + length)), at, end: at + length - off };
  } catch {
    return undefined;
  }
}

/** Type indices whose values are strings (see the file comment). */
function stringTypes(t: MetadataTables, rows: DefaultRow[]): Set<number> {
  const out = new Set<number>();
  const td = t.l.typeDef;
  for (let i = 0; i < t.typeCount; i++) {
    if (t.nameIs(t.i32('typeDefinitions', i, td.size, 0), 'String') && t.nameIs(t.i32('typeDefinitions', i, td.size, 4), 'System')) {
      out.add(t.i32('typeDefinitions', i, td.size, td.byval));
      break;
    }
  }
  const dataSize = t.l.tables.get('defaultValueData')!.size;
  const starts = [...new Set(rows.map((r) => r.dataIndex).filter((d) => d >= 0 && d < dataSize))].sort((a, b) => a - b);
  const next = new Map<number, number>(starts.map((d, i) => [d, starts[i + 1] ?? dataSize]));
  const groups = new Map<number, { rows: number; ok: boolean; text: boolean }>();
  for (const r of rows) {
    if (r.dataIndex === -1) continue; // no data: a null constant
    let g = groups.get(r.typeIndex);
    if (!g) groups.set(r.typeIndex, (g = { rows: 0, ok: true, text: false }));
    g.rows++;
    if (!g.ok) continue;
    const s = readString(t, r.dataIndex);
    const last = next.get(r.dataIndex) === dataSize;
    g.ok = s !== undefined && (last ? s.end <= dataSize : s.end === next.get(r.dataIndex));
    g.text ||= s !== undefined && s.text.length > 0;
  }
  for (const [type, g] of groups) if (g.ok && g.text && g.rows >= 2) out.add(type);
  return out;
}

/** Every string constant of fields and parameters with its field/parameter name and class; warnings for what does not fit. */
export function* il2cppDefaults(bytes: Uint8Array, version: number, warn: Warn): Generator<Il2cppDefault> {
  const { layout, why } = il2cppLayout(bytes, version);
  if (!layout) {
    warn({ code: 'il2cpp.layout', message: `metadata v${version}: field and parameter defaults not read: ${why}` });
    return;
  }
  const t = new MetadataTables(bytes, layout, warn);
  const td = layout.typeDef;
  const m = layout.method;
  const fieldOwner = t.owners(t.typeCount, t.fieldCount, (p) => [t.i32('typeDefinitions', p, td.size, td.fieldStart), t.u16('typeDefinitions', p, td.size, td.counts + 4)], 'type fields');
  const methodOwner = t.owners(t.typeCount, t.methodCount, (p) => [t.i32('typeDefinitions', p, td.size, td.methodStart), t.u16('typeDefinitions', p, td.size, td.counts)], 'type methods');
  const paramOwner = t.owners(t.methodCount, t.paramCount, (p) => [t.i32('methods', p, m.size, m.paramStart), t.u16('methods', p, m.size, m.paramCount)], 'method parameters');
  const rows: DefaultRow[] = [];
  for (const [table, name, children] of [
    ['field_defaults', 'fieldDefaultValues', t.fieldCount],
    ['parameter_defaults', 'parameterDefaultValues', t.paramCount],
  ] as const) {
    const count = layout.tables.get(name)!.size / DEFAULT_ROW;
    for (let row = 0; row < count; row++) {
      const owner = t.i32(name, row, DEFAULT_ROW, 0);
      if (owner < 0 || owner >= children) {
        t.warn('il2cpp.bad_default', `${table}[${row}] names row ${owner} of a ${children}-row table`, layout.tables.get(name)!.off + row * DEFAULT_ROW);
        continue;
      }
      rows.push({ table, row, owner, typeIndex: t.i32(name, row, DEFAULT_ROW, 4), dataIndex: t.i32(name, row, DEFAULT_ROW, 8) });
    }
  }
  const strings = stringTypes(t, rows);
  const className = classNames(t);
  for (const r of rows) {
    if (!strings.has(r.typeIndex) || r.dataIndex === -1) continue;
    const s = readString(t, r.dataIndex);
    if (!s) {
      t.warn('il2cpp.bad_default', `${r.table}[${r.row}]: no string at default value data +${r.dataIndex}`);
      continue;
    }
    if (!s.text) continue;
    if (r.table === 'field_defaults') {
      const type = fieldOwner[r.owner]!;
      yield { table: r.table, row: r.row, text: s.text, offset: s.at, name: t.name(t.i32('fields', r.owner, layout.fieldSize, 0)), className: type >= 0 ? className(type) : '?' };
    } else {
      const method = paramOwner[r.owner]!;
      const type = method >= 0 ? methodOwner[method]! : -1;
      const name = t.name(t.i32('parameters', r.owner, layout.paramSize, 0));
      yield { table: r.table, row: r.row, text: s.text, offset: s.at, name, className: type >= 0 ? className(type) : '?', method: method >= 0 ? t.name(t.i32('methods', method, m.size, 0)) : '?' };
    }
  }
  t.summarize();
}
