import { Reader } from './reader.js';
import { RES_STRING_POOL_TYPE, StringPool } from './stringpool.js';
import { ResType, formatTypedValue, refersToFile, type TypedValue } from './arsc.js';
import type { DecodedString, Decoder, DecodeWarning } from './types.js';

// Chunk types, AOSP libs/androidfw/include/androidfw/ResourceTypes.h.
const RES_NULL_TYPE = 0x0000;
const RES_XML_TYPE = 0x0003;
const RES_XML_START_NAMESPACE_TYPE = 0x0100;
const RES_XML_END_NAMESPACE_TYPE = 0x0101;
const RES_XML_START_ELEMENT_TYPE = 0x0102;
const RES_XML_END_ELEMENT_TYPE = 0x0103;
const RES_XML_CDATA_TYPE = 0x0104;
const RES_XML_LAST_CHUNK_TYPE = 0x017f;
const RES_XML_RESOURCE_MAP_TYPE = 0x0180;

/** Element nesting depth; deeper documents are rejected. */
const MAX_DEPTH = 256;
/** Elements kept per document; the rest are dropped with a warning. */
const MAX_ELEMENTS = 200_000;
/** Attributes per element (the format allows 65535). */
const MAX_ATTRIBUTES = 65_535;
/** Warnings of one kind kept per document before they are summarised. */
const MAX_WARNINGS_PER_CODE = 16;
/** `ResXMLTree_node` is 16 bytes: chunk header, lineNumber, comment. */
const NODE_HEADER_SIZE = 16;
/** `ResXMLTree_attribute`: ns, name, rawValue, Res_value. */
const ATTRIBUTE_SIZE = 20;
const NO_INDEX = 0xffffffff;

/** The Android namespace URI. */
export const ANDROID_NS = 'http://schemas.android.com/apk/res/android';

/**
 * Framework attribute names by resource id (android.R.attr, public.xml): the runtime identifies attributes by the
 * resource map, so these names hold even when the string pool name is empty or obfuscated.
 */
export const ANDROID_ATTRS: ReadonlyMap<number, string> = new Map([
  [0x01010000, 'theme'], [0x01010001, 'label'], [0x01010002, 'icon'], [0x01010003, 'name'],
  [0x01010004, 'manageSpaceActivity'], [0x01010005, 'allowClearUserData'], [0x01010006, 'permission'],
  [0x01010007, 'readPermission'], [0x01010008, 'writePermission'], [0x01010009, 'protectionLevel'],
  [0x0101000a, 'permissionGroup'], [0x0101000b, 'sharedUserId'], [0x0101000c, 'hasCode'], [0x0101000d, 'persistent'],
  [0x0101000e, 'enabled'], [0x0101000f, 'debuggable'], [0x01010010, 'exported'], [0x01010011, 'process'],
  [0x01010012, 'taskAffinity'], [0x01010013, 'multiprocess'], [0x01010016, 'stateNotNeeded'],
  [0x01010017, 'excludeFromRecents'], [0x01010018, 'authorities'], [0x01010019, 'syncable'], [0x0101001a, 'initOrder'],
  [0x0101001b, 'grantUriPermissions'], [0x0101001c, 'priority'], [0x0101001d, 'launchMode'],
  [0x0101001e, 'screenOrientation'], [0x0101001f, 'configChanges'], [0x01010020, 'description'],
  [0x01010021, 'targetPackage'], [0x01010022, 'handleProfiling'], [0x01010023, 'functionalTest'], [0x01010024, 'value'],
  [0x01010025, 'resource'], [0x01010026, 'mimeType'], [0x01010027, 'scheme'], [0x01010028, 'host'], [0x01010029, 'port'],
  [0x0101002a, 'path'], [0x0101002b, 'pathPrefix'], [0x0101002c, 'pathPattern'], [0x01010202, 'targetActivity'],
  [0x0101020c, 'minSdkVersion'], [0x0101021b, 'versionCode'], [0x0101021c, 'versionName'],
  [0x0101022b, 'windowSoftInputMode'], [0x01010261, 'sharedUserLabel'], [0x01010270, 'targetSdkVersion'],
  [0x01010271, 'maxSdkVersion'], [0x01010272, 'testOnly'], [0x0101027f, 'backupAgent'], [0x01010280, 'allowBackup'],
  [0x01010281, 'glEsVersion'], [0x0101028e, 'required'], [0x010102b7, 'installLocation'], [0x010102be, 'logo'],
  [0x010102d3, 'hardwareAccelerated'], [0x0101035a, 'largeHeap'], [0x010103a7, 'parentActivityName'],
  [0x010103af, 'supportsRtl'], [0x010104ea, 'extractNativeLibs'], [0x010104ec, 'usesCleartextTraffic'],
  [0x01010505, 'directBootAware'], [0x01010527, 'networkSecurityConfig'], [0x0101052c, 'roundIcon'],
  [0x01010572, 'compileSdkVersion'], [0x01010573, 'compileSdkVersionCodename'], [0x0101057a, 'appComponentFactory'],
]);

/** One attribute of a binary XML element. */
export interface AxmlAttribute {
  /** Namespace URI, if any. */
  ns?: string;
  /** Local name (from the resource map for framework attributes). */
  name: string;
  /** Resource id of the attribute name from the resource map. */
  resId?: number;
  /** The raw string value, when present. */
  rawValue?: string;
  /** The typed value (`Res_value`). */
  typed: { type: number; data: number };
  /** Text form: the string, or the typed value formatted like aapt (`123`, `true`, `#ff00ff00`, `@0x7f040001`). */
  value: string;
}

/** One element of a binary XML document. */
export interface AxmlElement {
  /** Local name. */
  name: string;
  /** Namespace URI, if any. */
  ns?: string;
  attributes: AxmlAttribute[];
  children: AxmlElement[];
  /** Character data inside the element, concatenated. */
  text?: string;
  /** Source line number recorded by aapt. */
  line: number;
}

/** A parsed document with the pool and the indices of pool strings the tree uses. */
interface ParsedAxml {
  root: AxmlElement;
  pool: StringPool;
  used: Set<number>;
  prefixes: Map<string, string>;
}

function makeWarner(warn: (w: DecodeWarning) => void): (code: string, message: string, offset?: number) => void {
  const counts = new Map<string, number>();
  return (code, message, offset) => {
    const n = (counts.get(code) ?? 0) + 1;
    counts.set(code, n);
    if (n <= MAX_WARNINGS_PER_CODE) warn({ code: `axml.${code}`, message, offset });
    else if (n === MAX_WARNINGS_PER_CODE + 1) warn({ code: `axml.${code}`, message: 'more of these; further warnings suppressed', offset });
  };
}

// Walks chunks as ResXMLTree::setTo and ResXMLParser::nextNode do (ResourceTypes.cpp).
function parse(bytes: Uint8Array, warnFn: (w: DecodeWarning) => void): ParsedAxml {
  const r = new Reader(bytes, 'axml');
  const warn = makeWarner(warnFn);
  r.need(8, 0, 'XML header');
  const v = r.view;
  const type = v.getUint16(0, true);
  const headerSize = v.getUint16(2, true);
  let size = v.getUint32(4, true);
  // The runtime never checks the header's type; only 0x0000 is accepted besides RES_XML_TYPE so text files are not mistaken.
  if (type !== RES_XML_TYPE) {
    if (type !== RES_NULL_TYPE) r.fail('bad_magic', `chunk type 0x${type.toString(16)} is not binary XML`, 0);
    warn('bad_header_type', 'XML header chunk type is 0x0000, not 0x0003 (the runtime accepts it)', 0);
  }
  if (headerSize < 8 || headerSize > bytes.length) r.fail('bad_header', `XML header size ${headerSize} is invalid`, 2);
  if (size > bytes.length || size < headerSize) {
    warn('bad_size', `XML header declares ${size} bytes, file has ${bytes.length}`, 4);
    size = bytes.length;
  } else if (size < bytes.length) {
    warn('trailing_data', `${bytes.length - size} bytes after the declared document end`, size);
  }

  let pool: StringPool | undefined;
  let resMap: Uint32Array | undefined;
  let root: AxmlElement | undefined;
  const stack: AxmlElement[] = [];
  const namespaces: { prefix: string; uri: string }[] = [];
  const prefixes = new Map<string, string>([[ANDROID_NS, 'android']]);
  const used = new Set<number>();
  let elements = 0;
  let droppedElements = 0;

  const str = (i: number): string | undefined => {
    if (i === NO_INDEX || !pool) return undefined;
    used.add(i);
    return pool.get(i);
  };

  let pos = headerSize;
  while (pos < size) {
    if (size - pos < 8) {
      warn('bad_chunk', `${size - pos} stray bytes at the end`, pos);
      break;
    }
    const ctype = v.getUint16(pos, true);
    const chSize = v.getUint16(pos + 2, true);
    const cSize = v.getUint32(pos + 4, true);
    if (chSize < 8 || cSize < chSize || cSize > size - pos) {
      if (!root) r.fail('bad_chunk', `chunk at ${pos} (type 0x${ctype.toString(16)}, size ${cSize}) does not fit the document`, pos);
      warn('bad_chunk', `chunk (type 0x${ctype.toString(16)}, size ${cSize}) does not fit the document; rest ignored`, pos);
      break;
    }
    const next = pos + cSize;
    if (ctype === RES_STRING_POOL_TYPE) {
      // The last pool before the first node wins (ResXMLTree::setTo); pools after it are ignored.
      if (root) warn('late_pool', 'string pool after the first element ignored', pos);
      else {
        if (pool) warn('extra_pool', 'more than one string pool; the later one is used, as the runtime does', pos);
        pool = StringPool.parse(r, pos, warnFn, next);
      }
    } else if (ctype === RES_XML_RESOURCE_MAP_TYPE) {
      const n = Math.floor((cSize - chSize) / 4);
      resMap = new Uint32Array(n);
      for (let i = 0; i < n; i++) resMap[i] = v.getUint32(pos + chSize + i * 4, true);
    } else if (ctype >= RES_XML_START_NAMESPACE_TYPE && ctype <= RES_XML_LAST_CHUNK_TYPE) {
      if (!pool) r.fail('no_string_pool', 'XML node before any string pool', pos);
      if (chSize < NODE_HEADER_SIZE) {
        if (!root) r.fail('bad_node', `node header of ${chSize} bytes`, pos);
        warn('bad_node', `node header of ${chSize} bytes skipped`, pos);
        pos = next;
        continue;
      }
      const line = v.getUint32(pos + 8, true);
      const ext = pos + chSize;
      const extLen = cSize - chSize;
      if (ctype === RES_XML_START_NAMESPACE_TYPE || ctype === RES_XML_END_NAMESPACE_TYPE) {
        if (extLen < 8) warn('bad_node', 'namespace node too short', pos);
        else {
          const prefix = str(v.getUint32(ext, true)) ?? '';
          const uri = str(v.getUint32(ext + 4, true)) ?? '';
          if (ctype === RES_XML_START_NAMESPACE_TYPE) {
            namespaces.push({ prefix, uri });
            if (uri && uri !== ANDROID_NS && prefix) prefixes.set(uri, prefix);
          } else {
            let k = namespaces.length - 1;
            while (k >= 0 && (namespaces[k]!.prefix !== prefix || namespaces[k]!.uri !== uri)) k--;
            if (k >= 0) namespaces.splice(k, 1);
            else warn('namespace_mismatch', `end of namespace ${prefix}=${uri} that was not started`, pos);
          }
        }
      } else if (ctype === RES_XML_START_ELEMENT_TYPE) {
        const el = readElement(r, pos, chSize, cSize, line, str, resMap, warn);
        if (el) {
          if (stack.length >= MAX_DEPTH) r.fail('too_deep', `elements nested deeper than ${MAX_DEPTH}`, pos);
          if (elements >= MAX_ELEMENTS) {
            if (droppedElements++ === 0) warn('too_many_elements', `more than ${MAX_ELEMENTS} elements; the rest are dropped`, pos);
            stack.push(el);
          } else {
            elements++;
            const parent = stack[stack.length - 1];
            if (parent) parent.children.push(el);
            else if (!root) root = el;
            else {
              warn('extra_root', `second top-level element <${el.name}> kept under the root`, pos);
              root.children.push(el);
            }
            stack.push(el);
          }
        } else if (!root) {
          r.fail('bad_node', 'first element is unreadable', pos);
        }
      } else if (ctype === RES_XML_END_ELEMENT_TYPE) {
        if (stack.length === 0) warn('unbalanced', 'end of element with no open element', pos);
        else stack.pop();
      } else if (ctype === RES_XML_CDATA_TYPE) {
        const top = stack[stack.length - 1];
        if (extLen >= 4 && top) {
          const text = str(v.getUint32(ext, true));
          if (text !== undefined) top.text = (top.text ?? '') + text;
        }
      } else {
        warn('unknown_chunk', `unknown XML node type 0x${ctype.toString(16)} skipped`, pos);
      }
    } else {
      warn('unknown_chunk', `unknown chunk type 0x${ctype.toString(16)} skipped`, pos);
    }
    pos = next;
  }
  if (!pool) return r.fail('no_string_pool', 'binary XML without a string pool', headerSize);
  if (!root) return r.fail('no_root', 'binary XML without any element', headerSize);
  if (stack.length > 0) warn('unbalanced', `${stack.length} element(s) not closed`, size);
  return { root, pool, used, prefixes };
}

// ResXMLTree_attrExt + ResXMLTree_attribute (ResourceTypes.h); bounds as ResXMLParser::validateNode checks them.
function readElement(
  r: Reader,
  pos: number,
  chSize: number,
  cSize: number,
  line: number,
  str: (i: number) => string | undefined,
  resMap: Uint32Array | undefined,
  warn: (code: string, message: string, offset?: number) => void,
): AxmlElement | undefined {
  const v = r.view;
  const ext = pos + chSize;
  if (cSize - chSize < 20) {
    warn('bad_node', 'start element too short for its attribute header', pos);
    return undefined;
  }
  const ns = str(v.getUint32(ext, true));
  const name = str(v.getUint32(ext + 4, true)) ?? '';
  const attributeStart = v.getUint16(ext + 8, true);
  const attributeSize = v.getUint16(ext + 10, true);
  let attributeCount = v.getUint16(ext + 12, true);
  const el: AxmlElement = { name, attributes: [], children: [], line };
  if (ns) el.ns = ns;
  if (attributeCount > 0 && attributeSize < ATTRIBUTE_SIZE) {
    warn('bad_node', `<${name}>: attribute size ${attributeSize} is too small; attributes dropped`, ext + 10);
    return el;
  }
  if (attributeStart + attributeSize * attributeCount > cSize - chSize) {
    const fit = attributeSize ? Math.max(0, Math.floor((cSize - chSize - attributeStart) / attributeSize)) : 0;
    warn('bad_node', `<${name}>: ${attributeCount} attributes overrun the node; ${fit} kept`, ext + 12);
    attributeCount = fit;
  }
  attributeCount = Math.min(attributeCount, MAX_ATTRIBUTES);
  for (let i = 0; i < attributeCount; i++) {
    const at = ext + attributeStart + i * attributeSize;
    const nsIdx = v.getUint32(at, true);
    const nameIdx = v.getUint32(at + 4, true);
    const rawIdx = v.getUint32(at + 8, true);
    const typed: TypedValue = { type: v.getUint8(at + 15), data: v.getUint32(at + 16, true) };
    const attr = buildAttribute(str(nsIdx), nameIdx, str(nameIdx), rawIdx === NO_INDEX ? undefined : str(rawIdx), typed, resMap, str, warn, at);
    el.attributes.push(attr);
  }
  return el;
}

function buildAttribute(
  ns: string | undefined,
  nameIdx: number,
  poolName: string | undefined,
  rawValue: string | undefined,
  typed: TypedValue,
  resMap: Uint32Array | undefined,
  str: (i: number) => string | undefined,
  warn: (code: string, message: string, offset?: number) => void,
  at: number,
): AxmlAttribute {
  const resId = resMap && nameIdx < resMap.length ? resMap[nameIdx] : undefined;
  let name = poolName ?? '';
  const known = resId !== undefined ? ANDROID_ATTRS.get(resId) : undefined;
  if (known !== undefined && known !== name) {
    if (!name) warn('obfuscated_attribute', `attribute with an empty name has the id of android:${known}`, at + 4);
    else warn('obfuscated_attribute', `attribute named "${name.slice(0, 40)}" has the id of android:${known}`, at + 4);
    name = known;
  } else if (!name && resId) {
    name = `0x${resId.toString(16).padStart(8, '0')}`;
  }
  const attr: AxmlAttribute = { name, typed, value: '' };
  if (ns !== undefined && ns !== '') attr.ns = ns;
  else if (resId !== undefined && resId >>> 24 === 0x01) attr.ns = ANDROID_NS;
  if (resId) attr.resId = resId;
  if (rawValue !== undefined) attr.rawValue = rawValue;
  const typedText = typed.type === ResType.STRING ? str(typed.data >>> 0) : formatTypedValue(typed);
  // Framework attributes are read through their typed value (TypedArray); others by name through the raw string (XmlBlock).
  attr.value = (known !== undefined ? typedText ?? rawValue : rawValue ?? typedText) ?? '';
  return attr;
}

/** Parses an Android binary XML document into its root element; throws DecodeError when it is not readable. */
export function parseAxml(bytes: Uint8Array, warn: (w: DecodeWarning) => void = () => {}): AxmlElement {
  return parse(bytes, warn).root;
}

/** `android:`-style display prefix of a namespace URI. */
function qualified(name: string, ns: string | undefined, prefixes: Map<string, string>): string {
  if (!ns) return name;
  const p = prefixes.get(ns);
  return p ? `${p}:${name}` : `{${ns}}${name}`;
}

/** Finds an attribute by framework resource id, else by local name in the Android namespace, else by local name. */
export function findAttribute<A extends { resId?: number; name: string; ns?: string }>(el: { attributes: readonly A[] }, name: string): A | undefined {
  let byName: A | undefined;
  let byAnyName: A | undefined;
  for (const a of el.attributes) {
    if (a.resId !== undefined && ANDROID_ATTRS.get(a.resId) === name) return a;
    if (a.name === name) {
      if (a.ns === ANDROID_NS) byName ??= a;
      else byAnyName ??= a;
    }
  }
  return byName ?? byAnyName;
}

/** A reference's resource id, when the typed value is one. */
export function referenceId(t: { type: number; data: number }): number | undefined {
  if ((t.type === ResType.REFERENCE || t.type === ResType.DYNAMIC_REFERENCE) && t.data !== 0) return t.data >>> 0;
  return undefined;
}

/**
 * Binary XML decoder: every attribute value and element text, with XPath-like pointers
 * (`manifest/application/meta-data[3]@android:value`, sibling index 0-based and shown only when a name repeats).
 * `<meta-data android:name=N android:value=V>` binds V to N (`meta-data[N]`); `@string/...` references resolve
 * through `ctx.resources` and the pointer notes the reference. Pool strings the tree never uses are emitted too.
 */
export const decodeAxml: Decoder = function* (bytes, ctx) {
  const doc = parse(bytes, (w) => ctx.warn(w));
  const res = ctx.resources;
  const entry = ctx.entry;
  const emit = (text: string, pointer: string, context?: string): DecodedString => {
    const d: DecodedString = { text, location: { entry, decoder: 'axml', pointer } };
    if (context !== undefined) d.context = context;
    return d;
  };

  function* attributeStrings(el: AxmlElement, path: string): Generator<DecodedString> {
    const metaName = el.name === 'meta-data' ? findAttribute(el, 'name')?.value : undefined;
    for (const a of el.attributes) {
      const isMetaValue = metaName !== undefined && (a.name === 'value' || a.name === 'resource') && (a.ns === ANDROID_NS || a.ns === undefined);
      const pointer = isMetaValue ? `meta-data[${metaName}]` : `${path}@${qualified(a.name, a.ns, doc.prefixes)}`;
      const context = isMetaValue ? metaName : a.name;
      const ref = referenceId(a.typed);
      if (ref !== undefined) {
        const resolved = res?.value(ref);
        const refName = res?.name(ref);
        const refText = `@${refName ?? `0x${ref.toString(16).padStart(8, '0')}`}`;
        // A reference to a file resource resolves to a path in the archive, not to text named by the attribute.
        if (resolved !== undefined && resolved !== '') yield emit(resolved, `${pointer} -> ${refText}`, refersToFile(refName) ? undefined : context);
        else if (resolved === undefined) yield emit(refText, `${pointer} -> ${refText}`, context);
      } else if (a.value !== '') {
        yield emit(a.value, pointer, context);
      }
      if (a.rawValue !== undefined && a.rawValue !== '' && a.rawValue !== a.value) yield emit(a.rawValue, `${pointer}#raw`, context);
      const typedText = a.typed.type === ResType.STRING ? doc.pool.get(a.typed.data >>> 0) : undefined;
      if (typedText !== undefined && typedText !== '' && typedText !== a.value) yield emit(typedText, `${pointer}#typed`, context);
    }
    if (el.text !== undefined && el.text.trim() !== '') yield emit(el.text, `${path}/text()`, el.name);
  }

  // Depth-first walk with an explicit stack (depth is bounded by MAX_DEPTH at parse time anyway).
  const work: { el: AxmlElement; path: string }[] = [{ el: doc.root, path: doc.root.name }];
  while (work.length > 0) {
    const { el, path } = work.pop()!;
    yield* attributeStrings(el, path);
    const counts = new Map<string, number>();
    for (const c of el.children) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
    const seen = new Map<string, number>();
    const childItems: { el: AxmlElement; path: string }[] = [];
    for (const c of el.children) {
      const k = seen.get(c.name) ?? 0;
      seen.set(c.name, k + 1);
      childItems.push({ el: c, path: counts.get(c.name)! > 1 ? `${path}/${c.name}[${k}]` : `${path}/${c.name}` });
    }
    for (let i = childItems.length - 1; i >= 0; i--) work.push(childItems[i]!);
  }

  for (let i = 0; i < doc.pool.count; i++) {
    if (doc.used.has(i)) continue;
    const s = doc.pool.get(i);
    if (s) yield emit(s, `strings[${i}]`);
  }
};
