import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';

// xmldom is loaded on first use: most scans never parse XML text, and loading it costs every scan worker.
const requireCjs = createRequire(import.meta.url);
let xmldom: typeof import('@xmldom/xmldom') | undefined;
function domParser(): typeof import('@xmldom/xmldom').DOMParser {
  return (xmldom ??= requireCjs('@xmldom/xmldom') as typeof import('@xmldom/xmldom')).DOMParser;
}
import { SNIFF_TEXT_BYTES, textEncoding } from './sniff.js';
import { DecodeError, type DecodeContext, type DecodedString, type Decoder } from './types.js';
import { CH_BACKSLASH, CH_COLON, CH_CR, CH_DQUOTE, CH_EQ, CH_GT, CH_LBRACE, CH_LF, CH_LT, CH_QUESTION, CH_SLASH, CH_SPACE, CH_SQUOTE, CH_TAB } from './js-lex.js';
import { JsScanner, MAX_CONTEXT_CHARS } from './js.js';

/** Largest text entry decoded at all; larger ones fall back to printable runs. */
export const MAX_TEXT_BYTES = 128 * 1024 * 1024;
/** Largest text handed to JSON.parse; larger JSON is scanned as JS literals. */
export const MAX_JSON_CHARS = 32 * 1024 * 1024;
/** Largest text handed to the XML DOM parser (xmldom reads about 0.2-1 MB/s); larger XML goes to the markup tokenizer. */
export const MAX_XML_DOM_CHARS = 512 * 1024;
/** Deepest JSON/XML nesting walked; deeper subtrees are skipped with a warning. */
export const MAX_TREE_DEPTH = 256;
/** Most JSON values or XML nodes visited in one entry. */
export const MAX_TREE_NODES = 5_000_000;
/** Most strings one text entry may yield before the decoder stops with a warning. */
export const MAX_STRINGS_PER_FILE = 1_000_000;
/** Longest string emitted in one piece; longer values are split. */
export const MAX_STRING_LENGTH = 64 * 1024;
/** JSON numbers are emitted as text only from this many characters on (project numbers, account ids). */
export const MIN_NUMBER_CHARS = 12;
/** Most lines one YAML block scalar, quoted .env value or .properties continuation may span. */
export const MAX_VALUE_LINES = 10_000;
/** Most attributes read from one markup tag. */
export const MAX_ATTRIBUTES = 1024;

/** Text formats decodeText knows. */
export type TextKind = 'json' | 'xml' | 'properties' | 'yaml' | 'env' | 'ini' | 'js' | 'html' | 'manifest' | 'plain';

const utf8 = new TextDecoder('utf-8');

/** The bytes as a string: UTF-8 (BOM stripped) or UTF-16LE/BE (BOM stripped); throws when it is not text. */
export function decodeTextBytes(bytes: Uint8Array): string {
  if (bytes.length > MAX_TEXT_BYTES) throw new DecodeError('text.too_large', `text entry of ${bytes.length} bytes exceeds ${MAX_TEXT_BYTES}`, 0);
  const encoding = textEncoding(bytes.subarray(0, SNIFF_TEXT_BYTES));
  if (encoding === undefined) throw new DecodeError('text.not_text', 'entry is not UTF-8 or UTF-16 text', 0);
  return decodeAs(bytes, encoding);
}

function decodeAs(bytes: Uint8Array, encoding: NonNullable<ReturnType<typeof textEncoding>>): string {
  switch (encoding) {
    case 'utf8':
    case 'utf8-bom':
      return utf8.decode(bytes);
    case 'utf16le':
    case 'utf16le-bom': {
      const start = encoding === 'utf16le-bom' ? 2 : 0;
      const end = start + ((bytes.length - start) & ~1);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le', start, end);
    }
    case 'utf16be-bom': {
      const swapped = new Uint8Array((bytes.length - 2) & ~1);
      for (let i = 0; i < swapped.length; i += 2) {
        swapped[i] = bytes[i + 3]!;
        swapped[i + 1] = bytes[i + 2]!;
      }
      return Buffer.from(swapped.buffer).toString('utf16le');
    }
  }
}

const EXTENSION_KIND: Record<string, TextKind> = {
  json: 'json', jsonc: 'json', map: 'json', webmanifest: 'json', arb: 'json',
  xml: 'xml', plist: 'xml', xsd: 'xml', svg: 'xml', storyboard: 'xml', xib: 'xml', entitlements: 'xml',
  properties: 'properties', gradle: 'js',
  yaml: 'yaml', yml: 'yaml',
  env: 'env',
  ini: 'ini', cfg: 'ini', conf: 'ini', toml: 'ini',
  js: 'js', mjs: 'js', cjs: 'js', jsx: 'js', ts: 'js', tsx: 'js', bundle: 'js', jsbundle: 'js', strings: 'js', dart: 'js', kt: 'js', java: 'js', swift: 'js', m: 'js', h: 'js',
  html: 'html', htm: 'html', xhtml: 'html', vue: 'html',
  txt: 'plain', md: 'plain', csv: 'plain', pem: 'plain', key: 'plain',
};

function extensionKind(path: string): TextKind | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (base === '.env' || base.startsWith('.env.') || base.endsWith('.env')) return 'env';
  const dot = base.lastIndexOf('.');
  return dot < 0 ? undefined : EXTENSION_KIND[base.slice(dot + 1)];
}

function skipSpace(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0xfeff) break;
    i++;
  }
  return i;
}

/** Guess from the first lines whether key/value text is .env, .properties or YAML. */
function lineKind(head: string): TextKind | undefined {
  let assign = 0;
  let exported = 0;
  let colon = 0;
  let section = 0;
  let code = 0;
  let lines = 0;
  for (const raw of head.split('\n', 64)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('//')) continue;
    lines++;
    if (/^\[[^\]]{1,200}\]$/.test(line)) section++;
    else if (/^export\s+[A-Za-z_]\w{0,200}=/.test(line)) exported++;
    else if (/^[\w.-]{1,200}\s*=/.test(line) && !/[;{}()]$/.test(line)) assign++;
    else if (/^(?:- )?[\w.-]{1,200}:(?: |$)/.test(line) || line.startsWith('- ')) colon++;
    if (/(?:\bfunction\b|=>|;$|^(?:var|let|const|import|export)\b)/.test(line)) code++;
  }
  if (lines === 0) return undefined;
  if (code * 2 > lines) return 'js';
  if (section > 0 && section + assign + colon >= lines * 0.8) return 'ini';
  if (exported + assign >= lines * 0.8) return exported > 0 ? 'env' : 'properties';
  if (colon >= lines * 0.8) return 'yaml';
  return undefined;
}

/** The text format of an entry: by content first (JSON, XML, HTML), the path's extension as a hint; undefined when not text. */
export function textKind(path: string, head: Uint8Array): TextKind | undefined {
  const encoding = textEncoding(head.subarray(0, SNIFF_TEXT_BYTES));
  if (encoding === undefined) return undefined;
  const text = decodeAs(head.subarray(0, Math.min(head.length, 4096)), encoding);
  return kindOf(path, text);
}

/** A JAR manifest or signature file: `META-INF/MANIFEST.MF`, `META-INF/CERT.SF` (also inside nested archives). */
const JAR_MANIFEST_PATH = /(^|\/|!\/)META-INF\/[^/]+\.(MF|SF)$/i;

function kindOf(path: string, text: string): TextKind {
  if (JAR_MANIFEST_PATH.test(path)) return 'manifest';
  const hint = extensionKind(path);
  const start = skipSpace(text, 0);
  const first = text.charCodeAt(start);
  const lower = text.slice(start, start + 256).toLowerCase();
  if (first === 0x7b /* { */) return hint === 'js' || hint === 'html' ? hint : 'json';
  if (first === 0x5b /* [ */) {
    const lineEnd = text.indexOf('\n', start);
    const firstLine = text.slice(start, lineEnd < 0 ? undefined : lineEnd).trim();
    if (hint === 'ini' || (hint !== 'json' && /^\[[\w .:-]{1,200}\]$/.test(firstLine) && !/^\[\s*\d/.test(firstLine))) return 'ini';
    return hint === 'js' ? 'js' : 'json';
  }
  if (first === 0x3c /* < */) {
    if (lower.startsWith('<!doctype html') || lower.startsWith('<html') || hint === 'html') return 'html';
    return 'xml';
  }
  if (hint !== undefined) return hint;
  // 64 lines decide; never split a whole large file to look at them.
  return lineKind(text.length > 16384 ? text.slice(0, 16384) : text) ?? 'plain';
}

/** Emits one string, split into pieces when longer than MAX_STRING_LENGTH; counts against the per-file cap. */
class Emitter {
  count = 0;
  stopped = false;
  constructor(
    readonly ctx: DecodeContext,
    readonly decoder: string,
  ) {}

  /** The string as one DecodedString when it needs no splitting and the cap is not reached; otherwise undefined (use emit). */
  one(text: string, pointer: string, context: string | undefined, scope?: string, code?: string): DecodedString | undefined {
    if (text === '' || text.length > MAX_STRING_LENGTH || this.count >= MAX_STRINGS_PER_FILE) return undefined;
    this.count++;
    const location = { entry: this.ctx.entry, decoder: this.decoder, pointer };
    const s: DecodedString = context === undefined ? { text, location } : { text, location, context };
    if (scope !== undefined) s.scope = scope;
    if (code !== undefined) s.code = code;
    return s;
  }

  *emit(text: string, pointer: string, context: string | undefined, scope?: string, code?: string): Generator<DecodedString> {
    if (text === '' || this.stopped) return;
    for (let at = 0; at < text.length; at += MAX_STRING_LENGTH) {
      if (++this.count > MAX_STRINGS_PER_FILE) {
        this.stopped = true;
        this.ctx.warn({ code: `${this.decoder}.too_many_strings`, message: `stopped after ${MAX_STRINGS_PER_FILE} strings` });
        return;
      }
      const piece = text.length <= MAX_STRING_LENGTH ? text : text.slice(at, at + MAX_STRING_LENGTH);
      const where = at === 0 ? pointer : `${pointer} [${at}:]`;
      const location = { entry: this.ctx.entry, decoder: this.decoder, pointer: where };
      const s: DecodedString = context === undefined ? { text: piece, location } : { text: piece, location, context };
      if (scope !== undefined) s.scope = scope;
      if (code !== undefined) s.code = code;
      yield s;
    }
  }
}

/** Maps string indices to 1-based line and column, moving forward (re-counting from the start if asked to go back). */
class LineCounter {
  private index = 0;
  private line = 1;
  private lineStart = 0;
  private nextNewline: number;
  constructor(private readonly text: string) {
    this.nextNewline = text.indexOf('\n');
  }
  at(index: number): { line: number; col: number } {
    if (index < this.index) {
      this.line = 1;
      this.lineStart = 0;
      this.nextNewline = this.text.indexOf('\n');
    }
    while (this.nextNewline >= 0 && this.nextNewline < index) {
      this.line++;
      this.lineStart = this.nextNewline + 1;
      this.nextNewline = this.text.indexOf('\n', this.lineStart);
    }
    this.index = index;
    return { line: this.line, col: index - this.lineStart + 1 };
  }
  pointer(index: number): string {
    const { line, col } = this.at(index);
    return `line ${line} col ${col}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function jsonPathKey(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/** Where JSON.parse failed, without the input snippet V8 puts in its message (it may hold a secret). */
function jsonErrorPosition(e: unknown): string {
  const m = /at position (\d{1,12})/.exec(e instanceof Error ? e.message : '');
  return m ? ` at position ${m[1]}` : '';
}

interface JsonFrame {
  value: unknown;
  path: string;
  key: string | undefined;
  depth: number;
}

function* jsonStrings(text: string, ctx: DecodeContext): Generator<DecodedString> {
  if (text.length > MAX_JSON_CHARS) {
    ctx.warn({ code: 'json.too_large', message: `JSON of ${text.length} characters is scanned as literals, not parsed` });
    yield* jsStrings(text, ctx);
    return;
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    ctx.warn({ code: 'json.invalid', message: `invalid JSON${jsonErrorPosition(e)}; scanning literals instead` });
    yield* jsStrings(text, ctx);
    return;
  }
  const out = new Emitter(ctx, 'json');
  const stack: JsonFrame[] = [{ value: root, path: '$', key: undefined, depth: 0 }];
  let nodes = 0;
  let deepWarned = false;
  while (stack.length > 0 && !out.stopped) {
    const { value, path, key, depth } = stack.pop()!;
    if (++nodes > MAX_TREE_NODES) {
      ctx.warn({ code: 'json.too_many_nodes', message: `stopped after ${MAX_TREE_NODES} JSON values` });
      return;
    }
    if (typeof value === 'string') {
      yield* out.emit(value, path, key);
    } else if (typeof value === 'number') {
      const s = String(value);
      if (s.length >= MIN_NUMBER_CHARS) yield* out.emit(s, path, key);
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_TREE_DEPTH) {
        if (!deepWarned) ctx.warn({ code: 'json.too_deep', message: `JSON nested deeper than ${MAX_TREE_DEPTH} at ${path.slice(0, 200)}; subtree skipped` });
        deepWarned = true;
        continue;
      }
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]`, key, depth: depth + 1 });
      } else {
        const record = value as Record<string, unknown>;
        const keys = Object.keys(record);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i]!;
          stack.push({ value: record[k], path: path + jsonPathKey(k), key: k, depth: depth + 1 });
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// JavaScript / TypeScript literal scanner

/**
 * String literals of JS/TS-like source in `text[from, to)` with their bindings (decoders/js.ts, docs/code-context.md
 * "JavaScript"). Pointer `line N col M`. Linear time.
 */
function* jsStrings(text: string, ctx: DecodeContext, from = 0, to = text.length, emitter?: Emitter, counter?: LineCounter): Generator<DecodedString> {
  const out = emitter ?? new Emitter(ctx, 'js');
  const lines = counter ?? new LineCounter(text);
  const scanner = new JsScanner(text, from, to, (code, message, offset) => ctx.warn({ code, message, offset }));
  const keep = ctx.keepCodeUse;
  while (!out.stopped && scanner.next()) {
    // An unnamed use keeps its code text only when a rule reads it (the literal then stays free for shape pairs).
    const code = scanner.context === undefined && keep !== undefined && scanner.code !== undefined && !keep(scanner.code, scanner.value) ? undefined : scanner.code;
    const pointer = code === undefined ? lines.pointer(scanner.at) : `${lines.pointer(scanner.at)}: ${code}`;
    const one = out.one(scanner.value, pointer, scanner.context, scanner.scope, code);
    if (one) yield one;
    else yield* out.emit(scanner.value, pointer, scanner.context, scanner.scope, code);
  }
  scanner.finish();
}

// ---------------------------------------------------------------------------------------------------------------
// XML (DOM) and markup (HTML, broken XML)

const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos|nbsp));/g;
const NAMED_ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED_ENTITY[name] ?? whole;
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return (colon < 0 ? qualified : qualified.slice(colon + 1)).toLowerCase();
}

/** Attributes that name their element (`<string name="x">`, `<meta name="x" content="...">`). */
const NAMING_ATTRIBUTES = ['name', 'key', 'property', 'id'];
/** Attributes whose value belongs to the element's name rather than to the attribute's own name. */
const VALUE_ATTRIBUTES = new Set(['value', 'content', 'defaultvalue']);

function namingValue(attrs: ReadonlyArray<{ name: string; value: string }>): string | undefined {
  for (const wanted of NAMING_ATTRIBUTES) {
    for (const a of attrs) if (localName(a.name) === wanted && a.value !== '') return a.value.length <= MAX_CONTEXT_CHARS ? a.value : undefined;
  }
  return undefined;
}

function attributeContext(attrName: string, elementName: string | undefined): string {
  return elementName !== undefined && VALUE_ATTRIBUTES.has(localName(attrName)) ? elementName : attrName;
}

function xpathStep(tag: string, nameAttr: { attr: string; value: string } | undefined, index: number, siblings: number): string {
  if (nameAttr && !nameAttr.value.includes("'")) return `${tag}[@${nameAttr.attr}='${nameAttr.value}']`;
  return siblings > 1 ? `${tag}[${index}]` : tag;
}

/** Approximate deepest element nesting, by counting start tags, end tags and self-closing tags. */
function markupDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let lt = text.indexOf('<'); lt >= 0; lt = text.indexOf('<', lt + 1)) {
    const c = text.charCodeAt(lt + 1);
    if (c === CH_SLASH) depth--;
    else if (c !== 0x21 /* ! */ && c !== CH_QUESTION) {
      const gt = text.indexOf('>', lt + 1);
      if (gt < 0) break;
      if (text.charCodeAt(gt - 1) !== CH_SLASH && ++depth > max) max = depth;
      lt = gt;
    }
  }
  return max;
}

interface DomNode {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  childNodes: ArrayLike<DomNode>;
  attributes?: ArrayLike<{ name: string; value: string }>;
}

interface XmlFrame {
  node: DomNode;
  /** For elements: their own path. For text: the parent element's path. */
  path: string;
  /** Context for text under this node. */
  textContext: string | undefined;
  depth: number;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

function* xmlStrings(text: string, ctx: DecodeContext): Generator<DecodedString> {
  if (text.length > MAX_XML_DOM_CHARS) {
    ctx.warn({ code: 'xml.large', message: `XML of ${text.length} characters is scanned with the markup tokenizer, not parsed` });
    yield* markupStrings(text, ctx, 'xml');
    return;
  }
  if (markupDepth(text) > MAX_TREE_DEPTH) {
    ctx.warn({ code: 'xml.too_deep', message: `XML nested deeper than ${MAX_TREE_DEPTH}; scanned with the markup tokenizer` });
    yield* markupStrings(text, ctx, 'xml');
    return;
  }
  const problems: string[] = [];
  let doc: { documentElement: DomNode | null };
  try {
    const DOMParser = domParser();
    const parser = new DOMParser({
      onError: (level: string, message: string) => {
        if (problems.length < 10) problems.push(`${level}: ${message}`);
      },
    });
    doc = parser.parseFromString(text, 'text/xml') as unknown as { documentElement: DomNode | null };
  } catch (e) {
    ctx.warn({ code: 'xml.invalid', message: `XML does not parse (${(e instanceof Error ? e.message : String(e)).split('\n')[0]}); scanning markup instead` });
    yield* markupStrings(text, ctx, 'xml');
    return;
  }
  for (const p of problems) ctx.warn({ code: 'xml.parse_problem', message: p.split('\n')[0]! });
  const rootElement = doc.documentElement;
  if (!rootElement) {
    ctx.warn({ code: 'xml.no_root', message: 'XML has no root element; scanning markup instead' });
    yield* markupStrings(text, ctx, 'xml');
    return;
  }
  const out = new Emitter(ctx, 'xml');
  const stack: XmlFrame[] = [{ node: rootElement, path: `/${rootElement.nodeName}`, textContext: undefined, depth: 0 }];
  let nodes = 0;
  let deepWarned = false;
  while (stack.length > 0 && !out.stopped) {
    const frame = stack.pop()!;
    const node = frame.node;
    if (++nodes > MAX_TREE_NODES) {
      ctx.warn({ code: 'xml.too_many_nodes', message: `stopped after ${MAX_TREE_NODES} XML nodes` });
      return;
    }
    if (node.nodeType === TEXT_NODE || node.nodeType === CDATA_SECTION_NODE) {
      const value = (node.nodeValue ?? '').trim();
      if (value !== '') yield* out.emit(value, frame.path, frame.textContext);
      continue;
    }
    if (node.nodeType !== ELEMENT_NODE) continue;
    const attrs: Array<{ name: string; value: string }> = [];
    const attrList = node.attributes;
    if (attrList) for (let k = 0; k < attrList.length && k < MAX_ATTRIBUTES; k++) attrs.push({ name: attrList[k]!.name, value: attrList[k]!.value });
    const named = namingValue(attrs);
    for (const a of attrs) {
      if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) yield* out.emit(a.value, `${frame.path}/@${a.name}`, attributeContext(a.name, named));
    }
    const ownContext = named ?? frame.textContext ?? node.nodeName;
    if (frame.depth >= MAX_TREE_DEPTH) {
      if (!deepWarned) ctx.warn({ code: 'xml.too_deep', message: `XML nested deeper than ${MAX_TREE_DEPTH} at ${frame.path.slice(0, 200)}; subtree skipped` });
      deepWarned = true;
      continue;
    }
    const children = node.childNodes;
    const counts = new Map<string, number>();
    for (let k = 0; k < children.length; k++) {
      const child = children[k]!;
      if (child.nodeType === ELEMENT_NODE) counts.set(child.nodeName, (counts.get(child.nodeName) ?? 0) + 1);
    }
    const seen = new Map<string, number>();
    const isDict = node.nodeName === 'dict';
    let plistKey: string | undefined;
    const childFrames: XmlFrame[] = [];
    for (let k = 0; k < children.length; k++) {
      const child = children[k]!;
      if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) {
        childFrames.push({ node: child, path: frame.path, textContext: ownContext, depth: frame.depth + 1 });
        continue;
      }
      if (child.nodeType !== ELEMENT_NODE) continue;
      const tag = child.nodeName;
      const index = (seen.get(tag) ?? 0) + 1;
      seen.set(tag, index);
      let nameAttr: { attr: string; value: string } | undefined;
      const childAttrs = child.attributes;
      if (childAttrs) {
        for (let a = 0; a < childAttrs.length && a < MAX_ATTRIBUTES; a++) {
          const at = childAttrs[a]!;
          if (localName(at.name) === 'name' && at.value.length <= MAX_CONTEXT_CHARS) nameAttr = { attr: at.name, value: at.value };
        }
      }
      // Apple property lists bind a value to the <key> element just before it inside a <dict>; unnamed children of a
      // named element (`<string-array name="x"><item>`) take its name.
      let textContext = isDict ? undefined : named;
      if (isDict && tag !== 'key') textContext = plistKey;
      if (isDict && tag === 'key') plistKey = elementText(child);
      childFrames.push({ node: child, path: `${frame.path}/${xpathStep(tag, nameAttr, index, counts.get(tag) ?? 1)}`, textContext, depth: frame.depth + 1 });
    }
    for (let k = childFrames.length - 1; k >= 0; k--) stack.push(childFrames[k]!);
  }
}

function elementText(el: DomNode): string | undefined {
  let s = '';
  const children = el.childNodes;
  for (let k = 0; k < children.length; k++) {
    const c = children[k]!;
    if (c.nodeType === TEXT_NODE || c.nodeType === CDATA_SECTION_NODE) s += c.nodeValue ?? '';
    if (s.length > MAX_CONTEXT_CHARS) return undefined;
  }
  s = s.trim();
  return s === '' ? undefined : s;
}

/**
 * Markup tokenizer for HTML and for XML the DOM parser rejects: attribute values (context: attribute name, or the
 * element's name/key/property/id for value-like attributes), text (XML only; context: element name) and, in HTML, the
 * contents of `<script>` through the JS scanner. Pointer `line N col M`. Linear time.
 */
function* markupStrings(text: string, ctx: DecodeContext, decoder: 'html' | 'xml'): Generator<DecodedString> {
  const out = new Emitter(ctx, decoder);
  const lines = new LineCounter(text);
  const lower = decoder === 'html' ? text.toLowerCase() : text;
  /** Open elements: tag and the context their text takes (name attribute or tag). */
  const elements: Array<{ tag: string; context: string }> = [];
  const isHtml = decoder === 'html';
  let i = 0;
  const n = text.length;
  while (i < n && !out.stopped) {
    const lt = text.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (!isHtml && textEnd > i) {
      const raw = text.slice(i, textEnd);
      const value = decodeEntities(raw.trim());
      if (value !== '') yield* out.emit(value, lines.pointer(i + (raw.length - raw.trimStart().length)), elements[elements.length - 1]?.context);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const close = text.indexOf('-->', i + 4);
      i = close < 0 ? n : close + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      const close = text.indexOf(']]>', i + 9);
      const end = close < 0 ? n : close;
      const value = text.slice(i + 9, end).trim();
      if (value !== '') yield* out.emit(value, lines.pointer(i + 9), elements[elements.length - 1]?.context);
      i = close < 0 ? n : close + 3;
      continue;
    }
    if (text.startsWith('<!', i) || text.startsWith('<?', i)) {
      const close = text.indexOf('>', i + 2);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if (text.startsWith('</', i)) {
      const close = text.indexOf('>', i + 2);
      const name = text.slice(i + 2, close < 0 ? n : close).trim();
      for (let k = elements.length - 1; k >= 0 && k >= elements.length - 64; k--) {
        if (elements[k]!.tag === name) {
          elements.length = k;
          break;
        }
      }
      i = close < 0 ? n : close + 1;
      continue;
    }
    // Start tag: name, then attributes.
    let j = i + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === CH_SPACE || c === CH_TAB || c === CH_LF || c === CH_CR || c === CH_GT || c === CH_SLASH) break;
      j++;
    }
    const tag = text.slice(i + 1, j);
    if (tag === '' || tag.charCodeAt(0) === CH_LT) {
      i = j === i + 1 ? i + 1 : j;
      continue;
    }
    const attrs: Array<{ name: string; value: string; at: number }> = [];
    let selfClosing = false;
    while (j < n) {
      while (j < n && (text.charCodeAt(j) <= CH_SPACE || text.charCodeAt(j) === CH_SLASH)) {
        if (text.charCodeAt(j) === CH_SLASH && text.charCodeAt(j + 1) === CH_GT) selfClosing = true;
        j++;
      }
      if (j >= n || text.charCodeAt(j) === CH_GT || text.charCodeAt(j) === CH_LT) break;
      const nameStart = j;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c <= CH_SPACE || c === CH_EQ || c === CH_GT || c === CH_SLASH || c === CH_LT) break;
        j++;
      }
      const name = text.slice(nameStart, j);
      if (name === '') {
        j++;
        continue;
      }
      let k = j;
      while (k < n && text.charCodeAt(k) <= CH_SPACE) k++;
      if (text.charCodeAt(k) !== CH_EQ) {
        j = k;
        continue;
      }
      k++;
      while (k < n && text.charCodeAt(k) <= CH_SPACE) k++;
      const q = text.charCodeAt(k);
      let value: string;
      let valueAt: number;
      if (q === CH_DQUOTE || q === CH_SQUOTE) {
        const close = text.indexOf(q === CH_DQUOTE ? '"' : "'", k + 1);
        const end = close < 0 ? n : close;
        value = text.slice(k + 1, end);
        valueAt = k + 1;
        j = close < 0 ? n : close + 1;
      } else {
        let e = k;
        while (e < n && text.charCodeAt(e) > CH_SPACE && text.charCodeAt(e) !== CH_GT) e++;
        value = text.slice(k, e);
        valueAt = k;
        j = e;
      }
      if (attrs.length < MAX_ATTRIBUTES) attrs.push({ name, value: decodeEntities(value), at: valueAt });
    }
    const named = namingValue(attrs);
    for (const a of attrs) yield* out.emit(a.value, lines.pointer(a.at), attributeContext(a.name, named));
    i = j < n && text.charCodeAt(j) === CH_GT ? j + 1 : j;
    const lowerTag = tag.toLowerCase();
    if (isHtml && (lowerTag === 'script' || lowerTag === 'style') && !selfClosing) {
      const close = lower.indexOf(`</${lowerTag}`, i);
      const end = close < 0 ? n : close;
      if (lowerTag === 'script') yield* jsStrings(text, ctx, i, end, out, lines);
      const gt = close < 0 ? -1 : text.indexOf('>', close);
      i = gt < 0 ? n : gt + 1;
      continue;
    }
    if (!selfClosing && elements.length < MAX_TREE_DEPTH) elements.push({ tag, context: named ?? tag });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Line-based formats: .properties, .env, INI, plain text, YAML

/** Java Properties escapes (java.util.Properties#load): \t \n \r \f \uXXXX, and any other escaped character as itself. */
function unescapeProperties(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const e = s[++i]!;
    if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
  }
  return out;
}

function unescapeDoubleQuoted(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(.)/g, (_, e: string) => (e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e));
}

/** Lines of a text as [start, end) index pairs without the line break, read lazily. */
function* lineRanges(text: string): Generator<[number, number]> {
  let start = 0;
  while (start <= text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const end = nl > start && text.charCodeAt(nl - 1) === CH_CR ? nl - 1 : nl;
    yield [start, end];
    start = nl + 1;
  }
}

/** Closing quote index of a quoted value starting at `open`, honouring backslash escapes in double quotes; -1 if open. */
function closingQuote(s: string, open: number): number {
  return quoteFrom(s, open + 1, s.charCodeAt(open));
}

/** Index of the first quote `q` in `s` from `from` on, skipping backslash-escaped characters in double quotes; -1 if none. */
function quoteFrom(s: string, from: number, q: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === CH_BACKSLASH && q === CH_DQUOTE) i++;
    else if (c === q) return i;
  }
  return -1;
}

/** Whether `s` ends in an odd number of backslashes: a .properties line that continues on the next line. */
function endsInEscape(s: string): boolean {
  let i = s.length;
  while (i > 0 && s.charCodeAt(i - 1) === CH_BACKSLASH) i--;
  return (s.length - i) % 2 === 1;
}

function stripInlineComment(value: string, markers: string): string {
  for (let i = 1; i < value.length; i++) {
    if (markers.includes(value[i]!) && (value[i - 1] === ' ' || value[i - 1] === '\t')) return value.slice(0, i).trimEnd();
  }
  return value;
}

type KeyValueKind = 'properties' | 'env' | 'ini' | 'plain';
const KEY = /^[A-Za-z_][\w.\-/[\]]*$/;

function* keyValueStrings(text: string, ctx: DecodeContext, kind: KeyValueKind): Generator<DecodedString> {
  const decoder = kind === 'plain' ? 'text' : kind;
  const out = new Emitter(ctx, decoder);
  const lines = lineRanges(text);
  let lineNo = 0;
  let section: string | undefined;
  for (let next = lines.next(); !next.done && !out.stopped; next = lines.next()) {
    lineNo++;
    const startLine = lineNo;
    let line = text.slice(next.value[0], next.value[1]);
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const first = trimmed[0]!;
    if (kind !== 'plain' && (first === '#' || (kind === 'properties' && first === '!') || (kind === 'ini' && first === ';'))) continue;
    if (kind === 'ini' && first === '[' && trimmed.endsWith(']')) {
      section = trimmed.slice(1, -1).trim() || undefined;
      continue;
    }
    if (kind === 'properties' && endsInEscape(line)) {
      // A line ending in an odd number of backslashes continues on the next line (java.util.Properties#load). Only the
      // newest piece is tested and the pieces are joined once, so the work stays linear however wide the lines are.
      // (The piece before it, less its final backslash, ends in an even run, so the joined line's parity is the piece's.)
      const pieces = [line];
      let last = line;
      let extra = 0;
      while (endsInEscape(last) && extra < MAX_VALUE_LINES) {
        const more = lines.next();
        if (more.done) break;
        lineNo++;
        extra++;
        pieces[pieces.length - 1] = last.slice(0, -1);
        last = text.slice(more.value[0], more.value[1]).trimStart();
        pieces.push(last);
      }
      line = pieces.join('');
    }
    let body = line.trimStart();
    if (kind === 'env' && body.startsWith('export ')) body = body.slice(7).trimStart();
    let sep = -1;
    for (let k = 0; k < body.length && k <= MAX_CONTEXT_CHARS; k++) {
      const c = body[k]!;
      if (kind === 'properties' && c === '\\') {
        k++;
        continue;
      }
      if (c === '=' || (c === ':' && kind !== 'env') || (kind === 'properties' && (c === ' ' || c === '\t'))) {
        sep = k;
        break;
      }
    }
    const rawKey = sep > 0 ? body.slice(0, sep).trim() : '';
    const key = kind === 'properties' ? unescapeProperties(rawKey) : rawKey;
    if (sep <= 0 || key === '' || (kind !== 'properties' && !KEY.test(key))) {
      if (kind === 'plain') yield* out.emit(trimmed, `line ${startLine}`, undefined);
      continue;
    }
    let rest = body.slice(sep + 1);
    if (kind === 'properties') rest = rest.replace(/^[ \t]*[=:]?/, '');
    let value = rest.trim();
    if (kind === 'properties') {
      value = unescapeProperties(rest.trimStart());
    } else if (value.startsWith('"') || value.startsWith("'")) {
      let close = closingQuote(value, 0);
      if (close < 0 && kind === 'env' && value.startsWith('"')) {
        // .env values in double quotes may span lines (dotenv multiline values). Each added line is searched on its
        // own: the line break before it is no quote and absorbs a backslash left pending, so no escape carries into
        // the line. Pieces are joined once, keeping the work linear however wide the lines are.
        const pieces = [value];
        let length = value.length;
        let extra = 0;
        while (close < 0 && extra < MAX_VALUE_LINES) {
          const more = lines.next();
          if (more.done) break;
          lineNo++;
          extra++;
          const added = text.slice(more.value[0], more.value[1]);
          const at = quoteFrom(added, 0, CH_DQUOTE);
          if (at >= 0) close = length + 1 + at;
          pieces.push('\n', added);
          length += 1 + added.length;
        }
        value = pieces.join('');
      }
      const inner = close < 0 ? value.slice(1) : value.slice(1, close);
      value = value.startsWith('"') ? unescapeDoubleQuoted(inner) : inner;
    } else {
      value = stripInlineComment(value, kind === 'ini' ? ';#' : '#');
    }
    const context = kind === 'ini' && section !== undefined ? `${section}.${key}` : key;
    yield* out.emit(value, `line ${startLine}`, context);
  }
}

function yamlScalar(raw: string): string {
  let v = raw.trim();
  // Node properties before the scalar: anchors (&a) and tags (!!str).
  while (v.startsWith('&') || v.startsWith('!')) {
    const space = v.indexOf(' ');
    if (space < 0) return '';
    v = v.slice(space + 1).trimStart();
  }
  if (v.startsWith('"')) {
    const close = closingQuote(v, 0);
    return unescapeDoubleQuoted(close < 0 ? v.slice(1) : v.slice(1, close));
  }
  if (v.startsWith("'")) {
    let out = '';
    let i = 1;
    while (i < v.length) {
      const c = v[i]!;
      if (c === "'") {
        if (v[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        break;
      }
      out += c;
      i++;
    }
    return out;
  }
  if (v.startsWith('*')) return '';
  return stripInlineComment(v, '#');
}

/** `key: rest` of a YAML line (plain or quoted key), or undefined when the line is not a mapping entry. */
function yamlKey(content: string): { key: string; rest: string } | undefined {
  if (content.startsWith('"') || content.startsWith("'")) {
    const close = closingQuote(content, 0);
    if (close < 0 || content[close + 1] !== ':') return undefined;
    const after = content.slice(close + 2);
    if (after !== '' && after[0] !== ' ' && after[0] !== '\t') return undefined;
    return { key: content.slice(1, close), rest: after };
  }
  for (let k = 0; k < content.length && k <= MAX_CONTEXT_CHARS; k++) {
    const c = content.charCodeAt(k);
    if (c === CH_COLON && (k + 1 === content.length || content[k + 1] === ' ' || content[k + 1] === '\t')) {
      if (k === 0) return undefined;
      return { key: content.slice(0, k).trim(), rest: content.slice(k + 1) };
    }
    if (k === 0 && (c === 0x5b || c === CH_LBRACE || c === CH_DQUOTE || c === 0x7c /* | */ || c === CH_GT)) return undefined;
    if (c === 0x23 /* # */ && k > 0 && content[k - 1] === ' ') return undefined;
  }
  return undefined;
}

function* yamlStrings(text: string, ctx: DecodeContext): Generator<DecodedString> {
  const out = new Emitter(ctx, 'yaml');
  const parents: Array<{ indent: number; key: string }> = [];
  const lines = lineRanges(text);
  let lineNo = 0;
  let held: [number, number] | undefined;
  const path = (key?: string) => {
    const parts = parents.map((p) => p.key);
    if (key !== undefined) parts.push(key);
    return parts.length === 0 ? undefined : parts.join('.');
  };
  while (!out.stopped) {
    let range: [number, number];
    if (held) {
      range = held;
      held = undefined;
    } else {
      const next = lines.next();
      if (next.done) break;
      range = next.value;
    }
    lineNo++;
    const line = text.slice(range[0], range[1]);
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('%')) continue;
    if (trimmed === '---' || trimmed === '...' || trimmed.startsWith('--- ')) {
      parents.length = 0;
      continue;
    }
    let indent = line.length - line.trimStart().length;
    let content = trimmed;
    while (parents.length > 0 && parents[parents.length - 1]!.indent >= indent) parents.pop();
    let listItem = false;
    while (content === '-' || content.startsWith('- ')) {
      listItem = true;
      const rest = content.slice(1).trimStart();
      indent += content.length - rest.length;
      content = rest;
    }
    if (content === '') continue;
    const entry = yamlKey(content);
    const key = entry?.key;
    const rest = entry ? entry.rest.trim() : content;
    const lineOfKey = lineNo;
    if (entry && (rest === '' || rest.startsWith('#') || ((rest.startsWith('&') || rest.startsWith('!')) && !rest.includes(' ')))) {
      if (parents.length < MAX_TREE_DEPTH) parents.push({ indent, key: key! });
      continue;
    }
    if (/^[|>][-+0-9]*(?:\s+#.*)?$/.test(rest)) {
      // Block scalar (YAML 1.2 section 8.1): the following more-indented lines, literal (|) or folded (>).
      const parts: string[] = [];
      let blockIndent = -1;
      let extra = 0;
      for (let more = lines.next(); !more.done; more = lines.next()) {
        const l = text.slice(more.value[0], more.value[1]);
        const lIndent = l.length - l.trimStart().length;
        if (l.trim() !== '' && lIndent <= indent - (listItem && !entry ? 2 : 0)) {
          held = more.value;
          break;
        }
        lineNo++;
        if (++extra > MAX_VALUE_LINES) break;
        if (blockIndent < 0 && l.trim() !== '') blockIndent = lIndent;
        parts.push(l.slice(Math.min(lIndent, Math.max(0, blockIndent))));
      }
      while (parts.length > 0 && parts[parts.length - 1]!.trim() === '') parts.pop();
      yield* out.emit(parts.join(rest.startsWith('>') ? ' ' : '\n'), `line ${lineOfKey}`, path(key));
      continue;
    }
    yield* out.emit(yamlScalar(rest), `line ${lineOfKey}`, path(key));
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** Strings of one text entry in the given (or detected) format. */
export function* textStrings(text: string, ctx: DecodeContext, kind: TextKind = kindOf(ctx.entry, text)): Generator<DecodedString> {
  switch (kind) {
    case 'json':
      yield* jsonStrings(text, ctx);
      return;
    case 'xml':
      yield* xmlStrings(text, ctx);
      return;
    case 'html':
      yield* markupStrings(text, ctx, 'html');
      return;
    case 'js':
      yield* jsStrings(text, ctx);
      return;
    case 'yaml':
      yield* yamlStrings(text, ctx);
      return;
    case 'manifest':
      yield* manifestStrings(text, ctx);
      return;
    case 'properties':
    case 'env':
    case 'ini':
    case 'plain':
      yield* keyValueStrings(text, ctx, kind);
      return;
  }
}

/**
 * JAR manifest format (JAR File Specification, "Manifest Specification"): `Name: value` headers, lines of at most 72
 * bytes continued on lines that start with one space, sections separated by blank lines, individual sections opened
 * by `Name:`. Each value is emitted whole (continuations joined, so a long value is never cut where the line wrapped)
 * with its header name as context, at the line where the header starts. A line that is no header is emitted as it is.
 */
function* manifestStrings(text: string, ctx: DecodeContext): Generator<DecodedString> {
  const out = new Emitter(ctx, 'manifest');
  const lines = text.split(/\r\n|\n|\r/);
  let i = 0;
  while (i < lines.length && !out.stopped) {
    const start = i;
    const line = lines[i++]!;
    if (line === '') continue;
    // Continuation lines (a leading space) belong to the header before them, up to MAX_VALUE_LINES of them.
    let value: string | string[] = line;
    while (i < lines.length && lines[i]!.charCodeAt(0) === 0x20 && i - start <= MAX_VALUE_LINES) {
      if (typeof value === 'string') value = [value];
      value.push(lines[i++]!.slice(1));
    }
    const whole = typeof value === 'string' ? value : value.join('');
    const colon = whole.indexOf(': ');
    const name = colon > 0 ? whole.slice(0, colon) : '';
    if (colon > 0 && /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
      const v = whole.slice(colon + 2);
      const one = out.one(v, `line ${start + 1}`, name);
      if (one) yield one;
      else yield* out.emit(v, `line ${start + 1}`, name);
    } else yield* out.emit(whole, `line ${start + 1}`, undefined);
  }
}

/** Decoder for text entries: decodes UTF-8/UTF-16, picks the format from the entry path and content, emits values with their keys. */
export const decodeText: Decoder = (bytes, ctx) => textStrings(decodeTextBytes(bytes), ctx);
