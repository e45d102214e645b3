import { Reader, hex } from './reader.js';
import { RES_STRING_POOL_TYPE, StringPool } from './stringpool.js';
import type { DecodedString, Decoder, DecodeWarning, ResourceResolver } from './types.js';

// Chunk types, AOSP libs/androidfw/include/androidfw/ResourceTypes.h.
const RES_TABLE_TYPE = 0x0002;
const RES_TABLE_PACKAGE_TYPE = 0x0200;
const RES_TABLE_TYPE_TYPE = 0x0201;
const RES_TABLE_TYPE_SPEC_TYPE = 0x0202;

/** Packages per table; real tables have one (plus shared libraries). */
const MAX_PACKAGES = 256;
/** Entries (id x configuration) kept per table; far above any real app. */
const MAX_ENTRIES = 2_000_000;
/** Depth of reference chains followed by `value()`. */
const MAX_REFERENCE_DEPTH = 8;
/** Warnings of one kind kept per table before they are summarised. */
const MAX_WARNINGS_PER_CODE = 16;

/** `ResTable_type::flags`. */
const FLAG_SPARSE = 0x01;
const FLAG_OFFSET16 = 0x02;
/** `ResTable_entry::flags`. */
const ENTRY_FLAG_COMPLEX = 0x0001;
const ENTRY_FLAG_COMPACT = 0x0008;
const NO_ENTRY = 0xffffffff;
const NO_ENTRY16 = 0xffff;

/** `Res_value::dataType` values (ResourceTypes.h). */
export const ResType = {
  NULL: 0x00,
  REFERENCE: 0x01,
  ATTRIBUTE: 0x02,
  STRING: 0x03,
  FLOAT: 0x04,
  DIMENSION: 0x05,
  FRACTION: 0x06,
  DYNAMIC_REFERENCE: 0x07,
  DYNAMIC_ATTRIBUTE: 0x08,
  INT_DEC: 0x10,
  INT_HEX: 0x11,
  INT_BOOLEAN: 0x12,
  INT_COLOR_ARGB8: 0x1c,
  INT_COLOR_RGB8: 0x1d,
  INT_COLOR_ARGB4: 0x1e,
  INT_COLOR_RGB4: 0x1f,
} as const;

/**
 * Resource types whose values may be files (aapt2 `ResourceUtils`/`ResourceParser`: res/<type>/ folders compiled as
 * files). A string value of one of these types is the path of that file inside the archive (`res/drawable/x.xml`,
 * or `res/FS.xml` after `aapt2 optimize --shorten-resource-paths`), which the runtime opens as an asset: it is a file
 * reference, not a string resource, and is not bound to the resource name as text.
 */
export const FILE_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  'anim', 'animator', 'color', 'drawable', 'font', 'interpolator', 'layout', 'menu', 'mipmap', 'navigation', 'raw',
  'transition', 'xml',
]);

/** True when `typeName` (e.g. `drawable`, from `drawable/avd_show_password`) names a type whose string values are file paths. */
export function isFileResourceType(typeName: string): boolean {
  return FILE_RESOURCE_TYPES.has(typeName);
}

/** True when a resource name (`drawable/avd_show_password`, from `ResourceResolver.name`) is of a file resource type. */
export function refersToFile(typeAndName: string | undefined): boolean {
  if (typeAndName === undefined) return false;
  const slash = typeAndName.indexOf('/');
  return slash > 0 && isFileResourceType(typeAndName.slice(0, slash));
}

/** A typed value (`Res_value`): data type and 32-bit data. */
export interface TypedValue {
  type: number;
  data: number;
}

/** One resource value of one configuration, as listed by `ResourceTable.entries()`. */
export interface ResourceValue {
  /** Type name, e.g. `string`, `array`, `plurals`. */
  type: string;
  /** Entry key name, e.g. `app_name`. */
  name: string;
  /** Configuration qualifiers as in res/ folder names: '' for default, else e.g. 'fr-rCA', 'v21', 'hdpi'. */
  config: string;
  /** Text of a simple value, or the item texts of a complex value (string arrays, plurals, styles). */
  value: string | string[];
  /** Resource id (0xPPTTEEEE). */
  id: number;
}

interface Entry {
  id: number;
  typeName: string;
  key: number;
  keys: StringPool | undefined;
  config: string;
  value?: TypedValue;
  bag?: TypedValue[];
}

const DENSITIES: Record<number, string> = { 120: 'ldpi', 160: 'mdpi', 213: 'tvdpi', 240: 'hdpi', 320: 'xhdpi', 480: 'xxhdpi', 640: 'xxxhdpi', 0xfffe: 'anydpi', 0xffff: 'nodpi' };

/** Unpacks a 2-byte language or region code, 3-letter packed form included (ResourceTypes.cpp `unpackLanguageOrRegion`). */
function unpackLocalePart(b0: number, b1: number, base: number): string {
  if (b0 & 0x80) {
    const first = b1 & 0x1f;
    const second = ((b1 & 0xe0) >> 5) | ((b0 & 0x03) << 3);
    const third = (b0 & 0x7c) >> 2;
    return String.fromCharCode(first + base, second + base, third + base);
  }
  if (b0 === 0) return '';
  return b1 === 0 ? String.fromCharCode(b0) : String.fromCharCode(b0, b1);
}

/**
 * Qualifier string of a `ResTable_config` (layout in ResourceTypes.h, order as `ResTable_config::toString`):
 * fields beyond the declared config size read as zero.
 */
export function configToString(src: Uint8Array, at: number, declaredSize: number): string {
  const size = Math.min(64, declaredSize, src.length - at);
  const byte = (o: number) => (o < size ? src[at + o]! : 0);
  const u16 = (o: number) => byte(o) | (byte(o + 1) << 8);
  const ascii = (o: number, n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) {
      const c = byte(o + i);
      if (c === 0) break;
      if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    }
    return s;
  };
  if (size <= 8 || (u16(4) | u16(6) | u16(8) | u16(10) | u16(12) | u16(14) | u16(16) | u16(18) | u16(20) | u16(22) | u16(24) | u16(28) | u16(30) | u16(32) | u16(34) | byte(48)) === 0) {
    return '';
  }
  const parts: string[] = [];
  const mcc = u16(4);
  const mnc = u16(6);
  if (mcc) parts.push(`mcc${mcc}`);
  if (mnc) parts.push(mnc === 0xffff ? 'mnc00' : `mnc${mnc}`);
  const lang = unpackLocalePart(byte(8), byte(9), 0x61);
  const region = unpackLocalePart(byte(10), byte(11), 0x30);
  const script = ascii(36, 4);
  const variant = ascii(40, 8);
  if (lang || region) {
    if (script || variant) {
      let s = `b+${lang || 'und'}`;
      if (script) s += `+${script}`;
      if (region) s += `+${region}`;
      if (variant) s += `+${variant}`;
      parts.push(s);
    } else {
      parts.push(region ? `${lang || 'any'}-r${region}` : lang);
    }
  }
  const screenLayout = byte(28);
  const layoutDir = screenLayout & 0xc0;
  if (layoutDir === 0x40) parts.push('ldltr');
  else if (layoutDir === 0x80) parts.push('ldrtl');
  if (u16(30)) parts.push(`sw${u16(30)}dp`);
  if (u16(32)) parts.push(`w${u16(32)}dp`);
  if (u16(34)) parts.push(`h${u16(34)}dp`);
  const sizes = ['', 'small', 'normal', 'large', 'xlarge'];
  if (screenLayout & 0x0f) parts.push(sizes[screenLayout & 0x0f] ?? `screenLayoutSize=${screenLayout & 0x0f}`);
  const longness = screenLayout & 0x30;
  if (longness === 0x10) parts.push('notlong');
  else if (longness === 0x20) parts.push('long');
  const layout2 = byte(48);
  if ((layout2 & 0x03) === 0x01) parts.push('notround');
  else if ((layout2 & 0x03) === 0x02) parts.push('round');
  const orientation = byte(12);
  if (orientation) parts.push(['', 'port', 'land', 'square'][orientation] ?? `orientation=${orientation}`);
  const uiMode = byte(29);
  const uiType = uiMode & 0x0f;
  if (uiType) parts.push(['', '', 'desk', 'car', 'television', 'appliance', 'watch', 'vrheadset'][uiType] ?? `uiModeType=${uiType}`);
  const night = uiMode & 0x30;
  if (night === 0x10) parts.push('notnight');
  else if (night === 0x20) parts.push('night');
  const density = u16(14);
  if (density) parts.push(DENSITIES[density] ?? `${density}dpi`);
  const touch = byte(13);
  if (touch) parts.push(['', 'notouch', 'stylus', 'finger'][touch] ?? `touchscreen=${touch}`);
  const inputFlags = byte(18);
  const keysHidden = inputFlags & 0x03;
  if (keysHidden) parts.push(['', 'keysexposed', 'keyshidden', 'keyssoft'][keysHidden]!);
  const keyboard = byte(16);
  if (keyboard) parts.push(['', 'nokeys', 'qwerty', '12key'][keyboard] ?? `keyboard=${keyboard}`);
  const navHidden = inputFlags & 0x0c;
  if (navHidden === 0x04) parts.push('navexposed');
  else if (navHidden === 0x08) parts.push('navhidden');
  const nav = byte(17);
  if (nav) parts.push(['', 'nonav', 'dpad', 'trackball', 'wheel'][nav] ?? `navigation=${nav}`);
  if (u16(20) || u16(22)) parts.push(`${u16(20)}x${u16(22)}`);
  if (u16(24)) parts.push(`v${u16(24)}`);
  return parts.join('-');
}

const f32 = new DataView(new ArrayBuffer(4));
const RADIX_MULTS = [1 / 2 ** 8, 1 / 2 ** 15, 1 / 2 ** 23, 1 / 2 ** 31];
const DIMENSION_UNITS = ['px', 'dip', 'sp', 'pt', 'in', 'mm'];

/** `Res_value` COMPLEX_* decoding (ResourceTypes.h): 24-bit mantissa with a 2-bit radix. */
function complexToFloat(data: number): number {
  return (data & 0xffffff00) * RADIX_MULTS[(data >> 4) & 3]!;
}

function trimFloat(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(Math.round(n * 1e6) / 1e6);
}

/**
 * Text of a typed value as aapt prints it: decimal ints, `true`/`false`, `#aarrggbb`, `@0x7f...` references (or
 * `@type/name` when `names` knows the id), dimensions like `16.0dip`. Strings come from `strings`.
 */
export function formatTypedValue(v: TypedValue, strings?: StringPool, names?: (id: number) => string | undefined): string | undefined {
  const d = v.data >>> 0;
  switch (v.type) {
    case ResType.NULL:
      return d === 1 ? '' : undefined;
    case ResType.STRING:
      return strings?.get(d);
    case ResType.REFERENCE:
    case ResType.DYNAMIC_REFERENCE: {
      if (d === 0) return '@null';
      const n = names?.(d);
      return n ? `@${n}` : `@${hex8(d)}`;
    }
    case ResType.ATTRIBUTE:
    case ResType.DYNAMIC_ATTRIBUTE: {
      const n = names?.(d);
      return n ? `?${n}` : `?${hex8(d)}`;
    }
    case ResType.FLOAT:
      f32.setUint32(0, d, true);
      return String(f32.getFloat32(0, true));
    case ResType.DIMENSION:
      return trimFloat(complexToFloat(d)) + (DIMENSION_UNITS[d & 0xf] ?? ' (unknown unit)');
    case ResType.FRACTION:
      return trimFloat(complexToFloat(d) * 100) + ((d & 0xf) === 1 ? '%p' : '%');
    case ResType.INT_DEC:
      return String(d | 0);
    case ResType.INT_HEX:
      return hex8(d);
    case ResType.INT_BOOLEAN:
      return d !== 0 ? 'true' : 'false';
    case ResType.INT_COLOR_ARGB8:
    case ResType.INT_COLOR_RGB8:
    case ResType.INT_COLOR_ARGB4:
    case ResType.INT_COLOR_RGB4:
      return '#' + d.toString(16).padStart(8, '0');
    default:
      return `(type 0x${v.type.toString(16)})${hex8(d)}`;
  }
}

function hex8(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

/** Reads `Res_value` at `at` (size u16, res0 u8, dataType u8, data u32). */
function readValue(view: DataView, at: number): TypedValue {
  return { type: view.getUint8(at + 3), data: view.getUint32(at + 4, true) };
}

interface ChunkHeader {
  start: number;
  type: number;
  headerSize: number;
  size: number;
}

/** Reads and checks a chunk header inside [start, end): undefined when it does not fit (AOSP `validate_chunk`). */
function chunkAt(r: Reader, start: number, end: number): ChunkHeader | undefined {
  if (end - start < 8) return undefined;
  const type = r.view.getUint16(start, true);
  const headerSize = r.view.getUint16(start + 2, true);
  const size = r.view.getUint32(start + 4, true);
  if (headerSize < 8 || size < headerSize || size > end - start) return undefined;
  return { start, type, headerSize, size };
}

const tableCache = new WeakMap<Uint8Array, ResourceTable>();

/** A parsed resources.arsc (AOSP `ResTable_header` ... `ResTable_type`); resolves ids to names and default values. */
export class ResourceTable implements ResourceResolver {
  /** Packages in the table: id and name. */
  readonly packages: { id: number; name: string }[] = [];
  /** The global value string pool. */
  values: StringPool | undefined;
  private readonly list: Entry[] = [];
  private readonly byId = new Map<number, Entry[]>();
  private readonly warnCounts = new Map<string, number>();

  private constructor(
    private readonly r: Reader,
    private readonly warnFn: (w: DecodeWarning) => void,
  ) {}

  /** Parses a resources.arsc; throws DecodeError when the table header is unusable. */
  static parse(bytes: Uint8Array, warn: (w: DecodeWarning) => void = () => {}): ResourceTable {
    const cached = tableCache.get(bytes);
    if (cached) return cached;
    const r = new Reader(bytes, 'arsc');
    const t = new ResourceTable(r, warn);
    t.read();
    tableCache.set(bytes, t);
    return t;
  }

  private warn(code: string, message: string, offset?: number): void {
    const n = (this.warnCounts.get(code) ?? 0) + 1;
    this.warnCounts.set(code, n);
    if (n <= MAX_WARNINGS_PER_CODE) this.warnFn({ code: `arsc.${code}`, message, offset });
    else if (n === MAX_WARNINGS_PER_CODE + 1) this.warnFn({ code: `arsc.${code}`, message: 'more of these; further warnings suppressed', offset });
  }

  private read(): void {
    const r = this.r;
    r.need(12, 0, 'table header');
    const type = r.view.getUint16(0, true);
    const headerSize = r.view.getUint16(2, true);
    let size = r.view.getUint32(4, true);
    if (type !== RES_TABLE_TYPE) r.fail('bad_magic', `chunk type 0x${type.toString(16)} is not a resource table`, 0);
    if (headerSize < 12 || headerSize > r.length) r.fail('bad_header', `table header size ${headerSize} is invalid`, 2);
    if (size > r.length) {
      this.warn('bad_size', `table declares ${size} bytes, only ${r.length} present`, 4);
      size = r.length;
    } else if (size < headerSize) {
      this.warn('bad_size', `table declares ${size} bytes, less than its header`, 4);
      size = r.length;
    }
    let pos = headerSize;
    while (pos < size) {
      const c = chunkAt(r, pos, size);
      if (!c) {
        this.warn('bad_chunk', 'chunk header does not fit the table; rest ignored', pos);
        break;
      }
      if (c.type === RES_STRING_POOL_TYPE) {
        if (!this.values) this.values = StringPool.parse(r, pos, this.warnFn, pos + c.size);
        else this.warn('extra_pool', 'more than one global string pool; ignored as the runtime does', pos);
      } else if (c.type === RES_TABLE_PACKAGE_TYPE) {
        if (this.packages.length >= MAX_PACKAGES) r.fail('too_many_packages', `more than ${MAX_PACKAGES} packages`, pos);
        this.readPackage(c);
      } else {
        this.warn('unknown_chunk', `unknown chunk type 0x${c.type.toString(16)} skipped`, pos);
      }
      pos += c.size;
    }
    if (!this.values) this.warn('no_pool', 'table has no global string pool', 0);
  }

  // ResTable_package (ResourceTypes.h); children walked as LoadedPackage::Load in LoadedArsc.cpp does.
  private readPackage(c: ChunkHeader): void {
    const r = this.r;
    const v = r.view;
    const end = c.start + c.size;
    if (c.headerSize < 284) {
      this.warn('bad_package', `package header of ${c.headerSize} bytes is too small; package skipped`, c.start);
      return;
    }
    const id = v.getUint32(c.start + 8, true);
    let name = '';
    for (let i = 0; i < 128; i++) {
      const ch = v.getUint16(c.start + 12 + i * 2, true);
      if (ch === 0) break;
      name += String.fromCharCode(ch);
    }
    const typeStringsOff = v.getUint32(c.start + 268, true);
    const keyStringsOff = v.getUint32(c.start + 276, true);
    const typeIdOffset = c.headerSize >= 288 ? v.getUint32(c.start + 284, true) : 0;
    const pkgId = id & 0xff;
    this.packages.push({ id: pkgId, name });
    let types: StringPool | undefined;
    let keys: StringPool | undefined;
    let pos = c.start + c.headerSize;
    while (pos < end) {
      const ch = chunkAt(r, pos, end);
      if (!ch) {
        this.warn('bad_chunk', `chunk header does not fit package ${name}; rest of the package ignored`, pos);
        break;
      }
      if (ch.type === RES_STRING_POOL_TYPE) {
        const rel = pos - c.start;
        const pool = StringPool.parse(r, pos, this.warnFn, pos + ch.size);
        if (rel === typeStringsOff && !types) types = pool;
        else if (rel === keyStringsOff && !keys) keys = pool;
        else if (!types) {
          this.warn('pool_offset', 'type string pool is not where the package header says; taken by order', pos);
          types = pool;
        } else if (!keys) {
          this.warn('pool_offset', 'key string pool is not where the package header says; taken by order', pos);
          keys = pool;
        } else this.warn('extra_pool', 'extra string pool in package ignored', pos);
      } else if (ch.type === RES_TABLE_TYPE_TYPE) {
        this.readType(ch, pkgId, typeIdOffset, types, keys);
      } else if (ch.type !== RES_TABLE_TYPE_SPEC_TYPE) {
        // Library, overlayable, staged-alias chunks carry no values.
      }
      pos += ch.size;
    }
  }

  // ResTable_type + entries (ResourceTypes.h; checks as in LoadedArsc.cpp VerifyResTableType / VerifyResTableEntry).
  private readType(c: ChunkHeader, pkgId: number, typeIdOffset: number, types: StringPool | undefined, keys: StringPool | undefined): void {
    const v = this.r.view;
    const bytes = this.r.bytes;
    const end = c.start + c.size;
    if (c.headerSize < 24) {
      this.warn('bad_type', `type chunk header of ${c.headerSize} bytes is too small; skipped`, c.start);
      return;
    }
    const typeId = v.getUint8(c.start + 8);
    const flags = v.getUint8(c.start + 9);
    const entryCount = v.getUint32(c.start + 12, true);
    const entriesStart = v.getUint32(c.start + 16, true);
    const configSize = v.getUint32(c.start + 20, true);
    if (typeId === 0) {
      this.warn('bad_type', 'type chunk with id 0 skipped', c.start + 8);
      return;
    }
    if (configSize > c.headerSize - 20) this.warn('bad_config', `config of ${configSize} bytes overruns the type header`, c.start + 20);
    const config = configToString(bytes, c.start + 20, Math.min(configSize, c.headerSize - 20));
    const typeName = types?.get(typeId - 1 - typeIdOffset) ?? `type${typeId}`;
    const sparse = (flags & FLAG_SPARSE) !== 0;
    const offset16 = !sparse && (flags & FLAG_OFFSET16) !== 0;
    const itemSize = offset16 ? 2 : 4;
    const offsetsAt = c.start + c.headerSize;
    if (entriesStart > c.size || entriesStart < c.headerSize || entryCount > (entriesStart - c.headerSize) / itemSize) {
      this.warn('bad_type', `type ${typeName} [${config}]: ${entryCount} entries do not fit before entries start ${entriesStart}; skipped`, c.start + 12);
      return;
    }
    const entriesAt = c.start + entriesStart;
    for (let i = 0; i < entryCount; i++) {
      let index: number;
      let offset: number;
      if (sparse) {
        // ResTable_sparseTypeEntry: u16 entry index, u16 offset / 4.
        index = v.getUint16(offsetsAt + i * 4, true);
        offset = v.getUint16(offsetsAt + i * 4 + 2, true) * 4;
      } else if (offset16) {
        index = i;
        const o = v.getUint16(offsetsAt + i * 2, true);
        if (o === NO_ENTRY16) continue;
        offset = o * 4;
      } else {
        index = i;
        const o = v.getUint32(offsetsAt + i * 4, true);
        if (o === NO_ENTRY) continue;
        offset = o;
      }
      const at = entriesAt + offset;
      if (offset % 4 !== 0 || at + 8 > end) {
        this.warn('bad_entry', `${typeName} entry ${index}: offset ${offset} is outside its chunk or unaligned`, offsetsAt + i * itemSize);
        continue;
      }
      if (this.list.length >= MAX_ENTRIES) {
        this.r.fail('too_many_entries', `more than ${MAX_ENTRIES} resource entries`, at);
      }
      const entry = this.readEntry(at, end, typeName, keys, config, (pkgId << 24 | typeId << 16 | index) >>> 0);
      if (!entry) continue;
      this.list.push(entry);
      const same = this.byId.get(entry.id);
      if (same) same.push(entry);
      else this.byId.set(entry.id, [entry]);
    }
  }

  private readEntry(at: number, end: number, typeName: string, keys: StringPool | undefined, config: string, id: number): Entry | undefined {
    const v = this.r.view;
    const first = v.getUint16(at, true);
    const flags = v.getUint16(at + 2, true);
    if (flags & ENTRY_FLAG_COMPACT) {
      // ResTable_entry::compact: u16 key, u16 flags (data type in the high byte), u32 data.
      return { id, typeName, key: first, keys, config, value: { type: flags >> 8, data: v.getUint32(at + 4, true) } };
    }
    const key = v.getUint32(at + 4, true);
    const size = first;
    if (size < 8 || size > end - at) {
      this.warn('bad_entry', `${typeName} entry ${hex(id)}: size ${size} is invalid`, at);
      return undefined;
    }
    if (flags & ENTRY_FLAG_COMPLEX) {
      // ResTable_map_entry: parent ref, count, then `count` ResTable_map (u32 name + Res_value).
      if (size < 16) {
        this.warn('bad_entry', `${typeName} entry ${hex(id)}: map entry of ${size} bytes`, at);
        return undefined;
      }
      const count = v.getUint32(at + 12, true);
      const mapsAt = at + size;
      if (count > Math.floor((end - mapsAt) / 12)) {
        this.warn('bad_entry', `${typeName} entry ${hex(id)}: ${count} map items overrun the chunk`, at + 12);
        return undefined;
      }
      const bag: TypedValue[] = new Array<TypedValue>(count);
      for (let k = 0; k < count; k++) bag[k] = readValue(v, mapsAt + k * 12 + 4);
      return { id, typeName, key, keys, config, bag };
    }
    if (at + size + 8 > end) {
      this.warn('bad_entry', `${typeName} entry ${hex(id)}: value overruns the chunk`, at);
      return undefined;
    }
    return { id, typeName, key, keys, config, value: readValue(v, at + size) };
  }

  private keyName(e: Entry): string {
    return e.keys?.get(e.key) ?? `0x${(e.id & 0xffff).toString(16)}`;
  }

  /** `type/name` of a resource id, e.g. `string/app_name`. */
  name(id: number): string | undefined {
    const list = this.byId.get(id >>> 0);
    if (!list) return undefined;
    return `${list[0]!.typeName}/${this.keyName(list[0]!)}`;
  }

  /** Default-configuration (else first) simple value of a resource as text; references followed up to 8 deep. */
  value(id: number): string | undefined {
    let cur = id >>> 0;
    for (let depth = 0; depth <= MAX_REFERENCE_DEPTH; depth++) {
      const list = this.byId.get(cur);
      if (!list) return undefined;
      const e = list.find((x) => x.config === '') ?? list[0]!;
      if (!e.value) return undefined;
      const t = e.value.type;
      if (t === ResType.REFERENCE || t === ResType.DYNAMIC_REFERENCE) {
        if (e.value.data === 0) return undefined;
        cur = this.absolute(e.value.data, e.id);
        continue;
      }
      return formatTypedValue(e.value, this.values, (n) => this.name(n));
    }
    return undefined;
  }

  /** A dynamic reference with package 0 points into the referring package. */
  private absolute(ref: number, from: number): number {
    return (ref >>> 24 === 0 ? (ref | (from & 0xff000000)) : ref) >>> 0;
  }

  /** Every value of every configuration, in table order. */
  *entries(): Iterable<ResourceValue> {
    const names = (n: number) => this.name(n);
    for (const e of this.list) {
      const name = this.keyName(e);
      if (e.value) {
        const text = formatTypedValue(e.value, this.values, names);
        if (text !== undefined) yield { type: e.typeName, name, config: e.config, value: text, id: e.id };
      } else if (e.bag) {
        const items: string[] = [];
        for (const item of e.bag) items.push(formatTypedValue(item, this.values, names) ?? '');
        yield { type: e.typeName, name, config: e.config, value: items, id: e.id };
      }
    }
  }

  /**
   * String values with their locations (what `decodeArsc` emits), bound to their resource name; the paths that are
   * the values of file resources (FILE_RESOURCE_TYPES) come without a bound name.
   */
  *strings(entry: string): Iterable<DecodedString> {
    for (const e of this.list) {
      const name = this.keyName(e);
      const cfg = e.config ? ` [${e.config}]` : '';
      if (e.value?.type === ResType.STRING) {
        const text = this.values?.get(e.value.data >>> 0);
        if (!text) continue;
        const location = { entry, decoder: 'arsc', pointer: `${e.typeName}/${name}${cfg}` };
        // A file resource's value is its path in the archive: still scanned, but not text named by the resource.
        if (isFileResourceType(e.typeName)) yield { text, location };
        else yield { text, location, context: name };
      } else if (e.bag) {
        for (let i = 0; i < e.bag.length; i++) {
          const item = e.bag[i]!;
          if (item.type !== ResType.STRING) continue;
          const text = this.values?.get(item.data >>> 0);
          if (text) yield { text, location: { entry, decoder: 'arsc', pointer: `${e.typeName}/${name}[${i}]${cfg}` }, context: name };
        }
      }
    }
  }
}

/**
 * resources.arsc decoder: one DecodedString per string value (arrays and plurals item by item), bound to its resource
 * name; file paths (values of drawable, layout, raw, ... resources) are emitted unbound.
 */
export const decodeArsc: Decoder = function* (bytes, ctx) {
  const table = ResourceTable.parse(bytes, (w) => ctx.warn(w));
  yield* table.strings(ctx.entry);
};
