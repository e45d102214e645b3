/** XML through a DOM parser when small enough, and a tolerant markup tokenizer for HTML and broken or large XML. */
import { CH_CR, CH_DQUOTE, CH_EQ, CH_GT, CH_LF, CH_LT, CH_QUESTION, CH_SLASH, CH_SPACE, CH_SQUOTE, CH_TAB } from '../js-lex.js';
import { type DecodeContext, type DecodedString } from '../types.js';
import { Emitter, LineCounter, MAX_ATTRIBUTES, MAX_TREE_DEPTH, MAX_TREE_NODES, MAX_XML_DOM_CHARS, jsStrings } from './emit.js';
import { MAX_CONTEXT_CHARS } from '../js.js';
import { parseXmlDom, CDATA_SECTION_NODE, ELEMENT_NODE, TEXT_NODE, type DomNode } from '../xml-dom.js';

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

interface XmlFrame {
  node: DomNode;
  /** For elements: their own path. For text: the parent element's path. */
  path: string;
  /** Context for text under this node. */
  textContext: string | undefined;
  depth: number;
}

export function* xmlStrings(text: string, ctx: DecodeContext): Generator<DecodedString> {
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
    doc = parseXmlDom(text, (level, message) => {
      if (problems.length < 10) problems.push(`${level}: ${message}`);
    });
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
export function* markupStrings(text: string, ctx: DecodeContext, decoder: 'html' | 'xml'): Generator<DecodedString> {
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

