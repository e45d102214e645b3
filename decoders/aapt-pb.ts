import { ProtoReader, WireType, type ProtoField } from './protobuf.js';
import { ANDROID_ATTRS, ANDROID_NS, findAttribute } from './axml.js';
import { ResType, formatTypedValue, isFileResourceType, refersToFile, type TypedValue } from './arsc.js';
import type { ManifestInfo } from './manifest.js';
import { DecodeError, type DecodedString, type Decoder, type DecodeWarning, type ResourceResolver } from './types.js';

// aapt2 protobuf formats of an Android App Bundle: `aapt.pb.XmlNode` (manifest, res/**/*.xml) and
// `aapt.pb.ResourceTable` (resources.pb); field numbers from AOSP frameworks/base tools/aapt2/Resources.proto and
// Configuration.proto. Output mirrors the AXML and ARSC decoders (same pointers, same contexts) so an AAB and the
// APK built from it give the same findings.

/** Element nesting depth; deeper documents are rejected. */
const MAX_DEPTH = 256;
/** Elements kept per document. */
const MAX_ELEMENTS = 200_000;
/** Resource entries x configurations kept per table. */
const MAX_VALUES = 2_000_000;
/** Items kept per array, plural or style. */
const MAX_BAG_ITEMS = 65_536;
/** Depth of reference chains followed by `value()`. */
const MAX_REFERENCE_DEPTH = 8;
/** Warnings of one kind kept per document. */
const MAX_WARNINGS_PER_CODE = 16;

/** One attribute of a protobuf XML element, in the shape the AXML decoder uses. */
export interface PbAttribute {
  ns?: string;
  name: string;
  resId?: number;
  /** `XmlAttribute.value`: the attribute's source text. */
  raw: string;
  /** The compiled value's text (typed primitive or string), when aapt2 compiled it. */
  compiled?: string;
  /** Resource id of a compiled reference. */
  ref?: number;
}

/** One element of a protobuf XML document. */
export interface PbElement {
  name: string;
  ns?: string;
  attributes: PbAttribute[];
  children: PbElement[];
  text?: string;
  namespaces: { prefix: string; uri: string }[];
}

function warner(warn: (w: DecodeWarning) => void, prefix: string): (code: string, message: string, offset?: number) => void {
  const counts = new Map<string, number>();
  return (code, message, offset) => {
    const n = (counts.get(code) ?? 0) + 1;
    counts.set(code, n);
    if (n <= MAX_WARNINGS_PER_CODE) warn({ code: `${prefix}.${code}`, message, offset });
    else if (n === MAX_WARNINGS_PER_CODE + 1) warn({ code: `${prefix}.${code}`, message: 'more of these; further warnings suppressed', offset });
  };
}

/** Reads a `PackageId`/`TypeId`/`EntryId` (a message with `id = 1`), or a bare uint32 as older revisions wrote it. */
function idOf(r: ProtoReader, f: ProtoField): number {
  if (f.wire === WireType.VARINT) return f.lo32;
  if (f.wire !== WireType.LEN) return 0;
  for (const g of r.sub(f).fields()) if (g.field === 1 && g.wire === WireType.VARINT) return g.lo32;
  return 0;
}

/**
 * `aapt.pb.Primitive` -> the `Res_value` it flattens to (ResourceTypes.h data types). Data is the field's low 32 bits:
 * a negative int_decimal_value is written as a 10-byte varint.
 */
function primitive(r: ProtoReader): TypedValue | undefined {
  for (const f of r.fields()) {
    switch (f.field) {
      case 1: return { type: ResType.NULL, data: 0 };
      case 2: return { type: ResType.NULL, data: 1 };
      case 3: return { type: ResType.FLOAT, data: f.lo32 };
      case 4: return { type: ResType.DIMENSION, data: f.lo32 };
      case 5: return { type: ResType.FRACTION, data: f.lo32 };
      case 6: return { type: ResType.INT_DEC, data: f.lo32 };
      case 7: return { type: ResType.INT_HEX, data: f.lo32 };
      case 8: return { type: ResType.INT_BOOLEAN, data: f.value ? 0xffffffff : 0 };
      case 9: return { type: ResType.INT_COLOR_ARGB8, data: f.lo32 };
      case 10: return { type: ResType.INT_COLOR_RGB8, data: f.lo32 };
      case 11: return { type: ResType.INT_COLOR_ARGB4, data: f.lo32 };
      case 12: return { type: ResType.INT_COLOR_RGB4, data: f.lo32 };
      case 13: return { type: ResType.DIMENSION, data: f.lo32 };
      case 14: return { type: ResType.FRACTION, data: f.lo32 };
    }
  }
  return undefined;
}

/** A decoded `aapt.pb.Item`. */
interface PbItem {
  /** String-like value (str, raw_str, styled_str, file path). */
  text?: string;
  /** The value is a `FileReference`: `text` is a path in the archive, not a string resource. */
  file?: boolean;
  /** Reference id (`@`), or attribute reference when `attr` is set. */
  ref?: number;
  refName?: string;
  attr?: boolean;
  prim?: TypedValue;
}

function item(r: ProtoReader): PbItem {
  const out: PbItem = {};
  for (const f of r.fields()) {
    if (f.wire !== WireType.LEN) continue;
    if (f.field === 1) {
      for (const g of r.sub(f).fields()) {
        if (g.field === 1 && g.wire === WireType.VARINT) out.attr = g.value === 1;
        else if (g.field === 2 && g.wire === WireType.VARINT) out.ref = g.lo32;
        else if (g.field === 3 && g.wire === WireType.LEN) out.refName = r.string(g);
      }
      out.ref ??= 0;
    } else if (f.field >= 2 && f.field <= 5) {
      // String, RawString, StyledString, FileReference: field 1 is the text or path.
      for (const g of r.sub(f).fields()) if (g.field === 1 && g.wire === WireType.LEN) out.text = r.string(g);
      out.text ??= '';
      if (f.field === 5) out.file = true;
    } else if (f.field === 7) {
      out.prim = primitive(r.sub(f));
    }
  }
  return out;
}

/** Parses an `aapt.pb.XmlNode` document into its root element; throws DecodeError when it is not one. */
export function parseAaptXml(bytes: Uint8Array, warnFn: (w: DecodeWarning) => void = () => {}): PbElement {
  const warn = warner(warnFn, 'aapt-xml');
  const top = new ProtoReader(bytes, 0, bytes.length, 'aapt-xml');
  let count = 0;
  const readElement = (r: ProtoReader, depth: number): PbElement => {
    if (depth > MAX_DEPTH) throw new DecodeError('aapt-xml.too_deep', `elements nested deeper than ${MAX_DEPTH}`, r.start);
    const el: PbElement = { name: '', attributes: [], children: [], namespaces: [] };
    for (const f of r.fields()) {
      if (f.wire !== WireType.LEN) continue;
      switch (f.field) {
        case 1: {
          let prefix = '';
          let uri = '';
          for (const g of r.sub(f).fields()) {
            if (g.field === 1 && g.wire === WireType.LEN) prefix = r.string(g);
            else if (g.field === 2 && g.wire === WireType.LEN) uri = r.string(g);
          }
          el.namespaces.push({ prefix, uri });
          break;
        }
        case 2: el.ns = r.string(f) || undefined; break;
        case 3: el.name = r.string(f); break;
        case 4: el.attributes.push(readAttribute(r.sub(f))); break;
        case 5: {
          const node = readNode(r.sub(f), depth + 1);
          if (typeof node === 'string') el.text = (el.text ?? '') + node;
          else if (node) {
            if (++count > MAX_ELEMENTS) {
              if (count === MAX_ELEMENTS + 1) warn('too_many_elements', `more than ${MAX_ELEMENTS} elements; the rest are dropped`, f.at);
            } else el.children.push(node);
          }
          break;
        }
      }
    }
    if (el.ns === undefined) delete el.ns;
    return el;
  };
  const readAttribute = (r: ProtoReader): PbAttribute => {
    const a: PbAttribute = { name: '', raw: '' };
    for (const f of r.fields()) {
      if (f.field === 1 && f.wire === WireType.LEN) {
        const ns = r.string(f);
        if (ns) a.ns = ns;
      } else if (f.field === 2 && f.wire === WireType.LEN) a.name = r.string(f);
      else if (f.field === 3 && f.wire === WireType.LEN) a.raw = r.string(f);
      else if (f.field === 5 && f.wire === WireType.VARINT && f.value) a.resId = f.lo32;
      else if (f.field === 6 && f.wire === WireType.LEN) {
        const it = item(r.sub(f));
        if (it.ref !== undefined && !it.attr && it.ref !== 0) a.ref = it.ref;
        else if (it.text !== undefined) a.compiled = it.text;
        else if (it.prim) a.compiled = formatTypedValue(it.prim);
      }
    }
    // As in the AXML decoder: framework attributes are named by their resource id, whatever the name says.
    const known = a.resId !== undefined ? ANDROID_ATTRS.get(a.resId) : undefined;
    if (known !== undefined && known !== a.name) {
      warn('obfuscated_attribute', `attribute named "${a.name.slice(0, 40)}" has the id of android:${known}`, r.start);
      a.name = known;
    }
    if (a.ns === undefined && a.resId !== undefined && a.resId >>> 24 === 0x01) a.ns = ANDROID_NS;
    return a;
  };
  const readNode = (r: ProtoReader, depth: number): PbElement | string | undefined => {
    let out: PbElement | string | undefined;
    for (const f of r.fields()) {
      if (f.field === 1 && f.wire === WireType.LEN) out = readElement(r.sub(f), depth);
      else if (f.field === 2 && f.wire === WireType.LEN) out = r.string(f);
    }
    return out;
  };
  if (bytes.length === 0) throw new DecodeError('aapt-xml.empty', 'empty protobuf XML document', 0);
  const root = readNode(top, 0);
  if (root === undefined || typeof root === 'string' || root.name === '') {
    throw new DecodeError('aapt-xml.no_root', 'protobuf XmlNode without a root element', 0);
  }
  return root;
}

/** Text of an attribute as the AXML decoder shows it: framework attributes by compiled value, others by source text. */
function attrText(a: PbAttribute): string {
  const known = a.resId !== undefined && ANDROID_ATTRS.has(a.resId);
  return (known ? a.compiled ?? a.raw : a.raw || (a.compiled ?? '')) ?? '';
}


/**
 * Protobuf XML decoder (AAB manifest and res/**.xml): the same strings, pointers and contexts as the AXML decoder
 * gives for the binary XML aapt2 makes of the same source (`meta-data[NAME]`, `manifest/application@android:label`,
 * references resolved through `ctx.resources` with `-> @string/name` in the pointer).
 */
export const decodeAaptXml: Decoder = function* (bytes, ctx) {
  const root = parseAaptXml(bytes, (w) => ctx.warn(w));
  const res = ctx.resources;
  const entry = ctx.entry;
  const prefixes = new Map<string, string>([[ANDROID_NS, 'android']]);
  const emit = (text: string, pointer: string, context?: string): DecodedString => {
    const d: DecodedString = { text, location: { entry, decoder: 'aapt-xml', pointer } };
    if (context !== undefined) d.context = context;
    return d;
  };
  const qualified = (name: string, ns: string | undefined) => {
    if (!ns) return name;
    const p = prefixes.get(ns);
    return p ? `${p}:${name}` : `{${ns}}${name}`;
  };
  const work: { el: PbElement; path: string }[] = [{ el: root, path: root.name }];
  while (work.length > 0) {
    const { el, path } = work.pop()!;
    for (const n of el.namespaces) if (n.uri && n.uri !== ANDROID_NS && n.prefix) prefixes.set(n.uri, n.prefix);
    const metaName = el.name === 'meta-data' ? (() => {
      const a = findAttribute(el, 'name');
      return a ? attrText(a) : undefined;
    })() : undefined;
    for (const a of el.attributes) {
      const isMetaValue = metaName !== undefined && (a.name === 'value' || a.name === 'resource') && (a.ns === ANDROID_NS || a.ns === undefined);
      const pointer = isMetaValue ? `meta-data[${metaName}]` : `${path}@${qualified(a.name, a.ns)}`;
      const context = isMetaValue ? metaName : a.name;
      if (a.ref !== undefined) {
        const resolved = res?.value(a.ref);
        const refName = res?.name(a.ref);
        const refText = `@${refName ?? `0x${a.ref.toString(16).padStart(8, '0')}`}`;
        if (resolved !== undefined && resolved !== '') yield emit(resolved, `${pointer} -> ${refText}`, refersToFile(refName) ? undefined : context);
        else if (resolved === undefined) yield emit(refText, `${pointer} -> ${refText}`, context);
        continue;
      }
      const value = attrText(a);
      if (value !== '') yield emit(value, pointer, context);
      if (a.raw !== '' && a.raw !== value) yield emit(a.raw, `${pointer}#raw`, context);
    }
    if (el.text !== undefined && el.text.trim() !== '') yield emit(el.text, `${path}/text()`, el.name);
    const counts = new Map<string, number>();
    for (const c of el.children) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
    const seen = new Map<string, number>();
    const items: { el: PbElement; path: string }[] = [];
    for (const c of el.children) {
      const k = seen.get(c.name) ?? 0;
      seen.set(c.name, k + 1);
      items.push({ el: c, path: counts.get(c.name)! > 1 ? `${path}/${c.name}[${k}]` : `${path}/${c.name}` });
    }
    for (let i = items.length - 1; i >= 0; i--) work.push(items[i]!);
  }
};

function* descendants(root: PbElement): Generator<PbElement> {
  const stack = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    yield el;
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
  }
}

/** Reads what an AAB's protobuf AndroidManifest.xml says about the app, like `manifestInfo` does for binary XML. */
export function aaptManifestInfo(bytes: Uint8Array, resources?: ResourceResolver, warn?: (w: DecodeWarning) => void): ManifestInfo {
  const root = parseAaptXml(bytes, warn);
  const info: ManifestInfo = { metaData: {}, permissions: [] };
  const clean = (s: string) => {
    const nul = s.indexOf('\0');
    return nul < 0 ? s : s.slice(0, nul);
  };
  const text = (el: PbElement, name: string): string | undefined => {
    const a = findAttribute(el, name);
    if (!a) return undefined;
    if (a.ref !== undefined && resources) {
      const value = resources.value(a.ref);
      if (value !== undefined) return clean(value);
      const n = resources.name(a.ref);
      if (n !== undefined) return `@${n}`;
    }
    return clean(attrText(a));
  };
  const pkg = root.attributes.find((a) => a.name === 'package' && a.ns !== ANDROID_NS) ?? root.attributes.find((a) => a.name === 'package');
  if (pkg) info.package = clean(pkg.raw || (pkg.compiled ?? ''));
  const vc = text(root, 'versionCode');
  if (vc !== undefined) info.versionCode = vc;
  const vn = text(root, 'versionName');
  if (vn !== undefined) info.versionName = vn;
  const permissions = new Set<string>();
  for (const el of descendants(root)) {
    if (el === root) continue;
    if (el.name === 'uses-sdk') {
      info.minSdk ??= text(el, 'minSdkVersion');
      info.targetSdk ??= text(el, 'targetSdkVersion');
    } else if (el.name === 'application') {
      info.label ??= text(el, 'label');
    } else if (el.name === 'meta-data') {
      const name = text(el, 'name');
      const value = name === undefined ? undefined : text(el, 'value') ?? text(el, 'resource');
      if (name !== undefined && value !== undefined) info.metaData[name] = value;
    } else if (el.name.startsWith('uses-permission')) {
      const name = text(el, 'name');
      if (name) permissions.add(name);
    }
  }
  for (const k of ['minSdk', 'targetSdk', 'label'] as const) if (info[k] === undefined) delete info[k];
  info.permissions = [...permissions];
  return info;
}

const DENSITIES: Record<number, string> = { 120: 'ldpi', 160: 'mdpi', 213: 'tvdpi', 240: 'hdpi', 320: 'xhdpi', 480: 'xxhdpi', 640: 'xxxhdpi', 0xfffe: 'anydpi', 0xffff: 'nodpi' };

/** BCP-47 tag as aapt2 writes it (`fr-CA`, `sr-Latn`) -> res/ folder qualifier as the ARSC decoder prints it. */
function localeQualifier(tag: string): string {
  const parts = tag.split(/[-_]/).filter(Boolean);
  const lang = parts.shift() ?? '';
  let script = '';
  let region = '';
  const variants: string[] = [];
  for (const p of parts) {
    if (!script && !region && /^[A-Za-z]{4}$/.test(p)) script = p;
    else if (!region && /^([A-Za-z]{2}|\d{3})$/.test(p)) region = p.toUpperCase();
    else variants.push(p);
  }
  if (script || variants.length) return `b+${lang || 'und'}${script ? `+${script}` : ''}${region ? `+${region}` : ''}${variants.map((v) => `+${v}`).join('')}`;
  return region ? `${lang || 'any'}-r${region}` : lang;
}

/** `aapt.pb.Configuration` -> qualifier string in the order of `ResTable_config::toString` (Configuration.proto). */
export function configQualifiers(r: ProtoReader): string {
  const v = new Map<number, number>();
  let locale = '';
  for (const f of r.fields()) {
    if (f.wire === WireType.VARINT) v.set(f.field, f.value);
    else if (f.field === 3 && f.wire === WireType.LEN) locale = r.string(f);
  }
  const parts: string[] = [];
  const n = (k: number) => v.get(k) ?? 0;
  if (n(1)) parts.push(`mcc${n(1)}`);
  if (n(2)) parts.push(n(2) === 0xffff ? 'mnc00' : `mnc${n(2)}`);
  if (locale) parts.push(localeQualifier(locale));
  if (n(4)) parts.push(['', 'ldltr', 'ldrtl'][n(4)] ?? `layoutDirection=${n(4)}`);
  if (n(9)) parts.push(`sw${n(9)}dp`);
  if (n(7)) parts.push(`w${n(7)}dp`);
  if (n(8)) parts.push(`h${n(8)}dp`);
  if (n(10)) parts.push(['', 'small', 'normal', 'large', 'xlarge'][n(10)] ?? `screenLayoutSize=${n(10)}`);
  if (n(11)) parts.push(['', 'long', 'notlong'][n(11)] ?? `screenLayoutLong=${n(11)}`);
  if (n(12)) parts.push(['', 'round', 'notround'][n(12)] ?? `screenRound=${n(12)}`);
  if (n(13)) parts.push(['', 'widecg', 'nowidecg'][n(13)] ?? `wideColorGamut=${n(13)}`);
  if (n(14)) parts.push(['', 'highdr', 'lowdr'][n(14)] ?? `hdr=${n(14)}`);
  if (n(15)) parts.push(['', 'port', 'land', 'square'][n(15)] ?? `orientation=${n(15)}`);
  if (n(16)) parts.push(['', '', 'desk', 'car', 'television', 'appliance', 'watch', 'vrheadset'][n(16)] ?? `uiModeType=${n(16)}`);
  if (n(17)) parts.push(['', 'notnight', 'night'][n(17)] ?? `uiModeNight=${n(17)}`);
  if (n(18)) parts.push(DENSITIES[n(18)] ?? `${n(18)}dpi`);
  if (n(19)) parts.push(['', 'notouch', 'stylus', 'finger'][n(19)] ?? `touchscreen=${n(19)}`);
  if (n(20)) parts.push(['', 'keysexposed', 'keyshidden', 'keyssoft'][n(20)] ?? `keysHidden=${n(20)}`);
  if (n(21)) parts.push(['', 'nokeys', 'qwerty', '12key'][n(21)] ?? `keyboard=${n(21)}`);
  if (n(22)) parts.push(['', 'navexposed', 'navhidden'][n(22)] ?? `navHidden=${n(22)}`);
  if (n(23)) parts.push(['', 'nonav', 'dpad', 'trackball', 'wheel'][n(23)] ?? `navigation=${n(23)}`);
  if (n(5) || n(6)) parts.push(`${n(5)}x${n(6)}`);
  if (n(24)) parts.push(`v${n(24)}`);
  return parts.join('-');
}

interface PbValue {
  id: number;
  typeName: string;
  name: string;
  config: string;
  item?: PbItem;
  bag?: PbItem[];
}

// The scan parses resources.pb for its resolver and decodeAaptTable parses the same bytes again: parse once, so its
// warnings are reported once (as ResourceTable.parse does for resources.arsc).
const tableCache = new WeakMap<Uint8Array, AaptResourceTable>();

/** A parsed `resources.pb` (`aapt.pb.ResourceTable`): resolves ids to names and default values, like ResourceTable. */
export class AaptResourceTable implements ResourceResolver {
  readonly packages: { id: number; name: string }[] = [];
  private readonly list: PbValue[] = [];
  private readonly byId = new Map<number, PbValue[]>();

  private constructor(private readonly warn: (code: string, message: string, offset?: number) => void) {}

  /** Parses a resources.pb; throws DecodeError when it is not a readable resource table. */
  static parse(bytes: Uint8Array, warnFn: (w: DecodeWarning) => void = () => {}): AaptResourceTable {
    const cached = tableCache.get(bytes);
    if (cached) return cached;
    const t = new AaptResourceTable(warner(warnFn, 'aapt-table'));
    const r = new ProtoReader(bytes, 0, bytes.length, 'aapt-table');
    let packages = 0;
    for (const f of r.fields()) {
      if (f.field === 2 && f.wire === WireType.LEN) {
        packages++;
        t.readPackage(r.sub(f));
      } else if (f.field === 2 || (f.field === 1 && f.wire !== WireType.LEN)) {
        throw new DecodeError('aapt-table.bad_table', `field ${f.field} has wire type ${f.wire}; not a resource table`, f.at);
      }
    }
    if (packages === 0 && bytes.length > 0) throw new DecodeError('aapt-table.no_package', 'resource table without any package', 0);
    tableCache.set(bytes, t);
    return t;
  }

  private readPackage(r: ProtoReader): void {
    let id = 0;
    let name = '';
    const types: ProtoField[] = [];
    for (const f of r.fields()) {
      if (f.field === 1) id = idOf(r, f) & 0xff;
      else if (f.field === 2 && f.wire === WireType.LEN) name = r.string(f);
      else if (f.field === 3 && f.wire === WireType.LEN) types.push(f);
    }
    this.packages.push({ id, name });
    for (const tf of types) {
      const tr = r.sub(tf);
      let typeId = 0;
      let typeName = '';
      const entries: ProtoField[] = [];
      for (const f of tr.fields()) {
        if (f.field === 1) typeId = idOf(tr, f) & 0xff;
        else if (f.field === 2 && f.wire === WireType.LEN) typeName = tr.string(f);
        else if (f.field === 3 && f.wire === WireType.LEN) entries.push(f);
      }
      for (const ef of entries) this.readEntry(tr.sub(ef), id, typeId, typeName || `type${typeId}`);
    }
  }

  private readEntry(r: ProtoReader, pkgId: number, typeId: number, typeName: string): void {
    let entryId = 0;
    let name = '';
    const configs: ProtoField[] = [];
    for (const f of r.fields()) {
      if (f.field === 1) entryId = idOf(r, f) & 0xffff;
      else if (f.field === 2 && f.wire === WireType.LEN) name = r.string(f);
      else if (f.field === 6 && f.wire === WireType.LEN) configs.push(f);
    }
    const id = ((pkgId << 24) | (typeId << 16) | entryId) >>> 0;
    name ||= `0x${entryId.toString(16)}`;
    for (const cf of configs) {
      if (this.list.length >= MAX_VALUES) throw new DecodeError('aapt-table.too_many_values', `more than ${MAX_VALUES} resource values`, cf.at);
      const cr = r.sub(cf);
      let config = '';
      const v: PbValue = { id, typeName, name, config };
      for (const f of cr.fields()) {
        if (f.wire !== WireType.LEN) continue;
        if (f.field === 1) config = configQualifiers(cr.sub(f));
        else if (f.field === 2) this.readValue(cr.sub(f), v);
      }
      v.config = config;
      if (!v.item && !v.bag) continue;
      this.list.push(v);
      const same = this.byId.get(id);
      if (same) same.push(v);
      else this.byId.set(id, [v]);
    }
  }

  private readValue(r: ProtoReader, v: PbValue): void {
    for (const f of r.fields()) {
      if (f.wire !== WireType.LEN) continue;
      if (f.field === 4) v.item = item(r.sub(f));
      else if (f.field === 5) v.bag = this.compound(r.sub(f));
    }
  }

  // CompoundValue: style (entry.item = 4), array (element.item = 3), plural (entry.item = 4); attr and styleable hold no values.
  private compound(r: ProtoReader): PbItem[] | undefined {
    for (const f of r.fields()) {
      if (f.wire !== WireType.LEN) continue;
      const itemField = f.field === 2 ? 4 : f.field === 4 ? 3 : f.field === 5 ? 4 : 0;
      const listField = f.field === 2 ? 3 : 1;
      if (!itemField) continue;
      const out: PbItem[] = [];
      const cr = r.sub(f);
      for (const e of cr.fields()) {
        if (e.field !== listField || e.wire !== WireType.LEN) continue;
        if (out.length >= MAX_BAG_ITEMS) {
          this.warn('too_many_items', `more than ${MAX_BAG_ITEMS} items in one value; the rest are dropped`, e.at);
          break;
        }
        const er = cr.sub(e);
        let it: PbItem = {};
        for (const g of er.fields()) if (g.field === itemField && g.wire === WireType.LEN) it = item(er.sub(g));
        out.push(it);
      }
      return out;
    }
    return undefined;
  }

  /** `type/name` of a resource id. */
  name(id: number): string | undefined {
    const v = this.byId.get(id >>> 0)?.[0];
    return v ? `${v.typeName}/${v.name}` : undefined;
  }

  private itemText(it: PbItem): string | undefined {
    if (it.text !== undefined) return it.text;
    if (it.prim) return formatTypedValue(it.prim);
    if (it.ref !== undefined) {
      if (it.ref === 0) return it.attr ? undefined : '@null';
      const n = this.name(it.ref);
      return n ? `${it.attr ? '?' : '@'}${n}` : `${it.attr ? '?' : '@'}0x${it.ref.toString(16).padStart(8, '0')}`;
    }
    return undefined;
  }

  /** Default-configuration (else first) simple value as text; references followed up to 8 deep. */
  value(id: number): string | undefined {
    let cur = id >>> 0;
    for (let depth = 0; depth <= MAX_REFERENCE_DEPTH; depth++) {
      const list = this.byId.get(cur);
      if (!list) return undefined;
      const v = list.find((x) => x.config === '') ?? list[0]!;
      const it = v.item;
      if (!it) return undefined;
      if (it.ref !== undefined && !it.attr) {
        if (it.ref === 0) return undefined;
        cur = it.ref;
        continue;
      }
      return this.itemText(it);
    }
    return undefined;
  }

  /** String values with their locations, as `ResourceTable.strings` gives them for resources.arsc. */
  *strings(entry: string): Iterable<DecodedString> {
    for (const v of this.list) {
      const cfg = v.config ? ` [${v.config}]` : '';
      if (v.item?.text) {
        const location = { entry, decoder: 'aapt-table', pointer: `${v.typeName}/${v.name}${cfg}` };
        // A FileReference (or any string value of a file type, as in resources.arsc) is a path: not bound to the name.
        if (v.item.file || isFileResourceType(v.typeName)) yield { text: v.item.text, location };
        else yield { text: v.item.text, location, context: v.name };
      }
      else if (v.bag) {
        for (let i = 0; i < v.bag.length; i++) {
          const text = v.bag[i]!.text;
          if (text) yield { text, location: { entry, decoder: 'aapt-table', pointer: `${v.typeName}/${v.name}[${i}]${cfg}` }, context: v.name };
        }
      }
    }
  }
}

/** Several resource tables seen as one (an AAB's base and feature modules: ids are unique across them). */
export class ResolverChain implements ResourceResolver {
  constructor(readonly tables: ResourceResolver[] = []) {}
  name(id: number): string | undefined {
    for (const t of this.tables) {
      const n = t.name(id);
      if (n !== undefined) return n;
    }
    return undefined;
  }
  value(id: number): string | undefined {
    for (const t of this.tables) {
      if (t.name(id) !== undefined) return t.value(id);
    }
    return undefined;
  }
}

/** resources.pb decoder: one DecodedString per string value, bound to its resource name; file paths unbound (like `decodeArsc`). */
export const decodeAaptTable: Decoder = function* (bytes, ctx) {
  yield* AaptResourceTable.parse(bytes, (w) => ctx.warn(w)).strings(ctx.entry);
};
