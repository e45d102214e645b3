/**
 * XML property lists (Apple's PropertyList-1.0.dtd) read from an XML DOM: `<plist>` holding one value; `<dict>` of
 * alternating `<key>` and value elements, kept in file order; `<array>`; `<string>`, `<integer>`, `<real>`, `<date>`,
 * `<data>` (base64), `<true/>`, `<false/>`. Text, comments and CDATA between elements are ignored. Every node is
 * charged to the caller's budget; nesting is bounded by the caller (plist.ts counts it before parsing).
 */
import { parseXmlDom, CDATA_SECTION_NODE, COMMENT_NODE, TEXT_NODE, type DomNode } from './xml-dom.js';

/** A value of an XML plist (a subset of plist.ts's PlistValue: XML has no UIDs or 64-bit integers beyond doubles). */
export type XmlPlistValue = string | number | boolean | Date | Uint8Array | null | XmlPlistValue[] | Map<string, XmlPlistValue>;

/** Why an XML plist cannot be read; the caller turns it into its own error. */
export class XmlPlistError extends Error {}

function isIgnored(n: DomNode): boolean {
  return n.nodeType === TEXT_NODE || n.nodeType === COMMENT_NODE || n.nodeType === CDATA_SECTION_NODE;
}

/** The element children of `n` (text, comments and CDATA skipped). */
function elements(n: DomNode): DomNode[] {
  const out: DomNode[] = [];
  for (let i = 0; i < n.childNodes.length; i++) if (!isIgnored(n.childNodes[i]!)) out.push(n.childNodes[i]!);
  return out;
}

/** The text of `n`'s children of the given node types, joined. */
function textOf(n: DomNode, withCdata: boolean): string {
  let s = '';
  for (let i = 0; i < n.childNodes.length; i++) {
    const c = n.childNodes[i]!;
    if (c.nodeType === TEXT_NODE || (withCdata && c.nodeType === CDATA_SECTION_NODE)) s += c.nodeValue ?? '';
  }
  return s;
}

/** The first child's value: what a `<key>`, `<integer>` or `<date>` holds (undefined when it is empty). */
function firstValue(n: DomNode): string | undefined {
  return n.childNodes.length === 0 ? undefined : (n.childNodes[0]!.nodeValue ?? '');
}

function needed(n: DomNode, what: string): string {
  const v = firstValue(n);
  if (v === undefined) throw new XmlPlistError(`empty <${n.nodeName}> is not a ${what}`);
  return v;
}

/** Bytes of a base64 `<data>` body (whitespace inside it ignored); invalid base64 throws. */
function base64(text: string): Uint8Array {
  return Uint8Array.from(atob(text.replace(/\s+/g, '')), (ch) => ch.charCodeAt(0));
}

function valueOf(n: DomNode, take: () => void): XmlPlistValue {
  take();
  switch (n.nodeName) {
    case 'dict': {
      const out = new Map<string, XmlPlistValue>();
      const children = elements(n);
      for (let i = 0; i < children.length; i += 2) {
        const k = children[i]!;
        if (k.nodeName !== 'key') throw new XmlPlistError(`<dict> holds <${k.nodeName}> where a <key> must be`);
        const key = firstValue(k) ?? '';
        const v = children[i + 1];
        if (v !== undefined && v.nodeName === 'key') throw new XmlPlistError('<dict> holds two <key>s in a row');
        // A last key without a value reads as an empty string.
        out.set(key, v === undefined ? '' : valueOf(v, take));
      }
      return out;
    }
    case 'array': {
      const out: XmlPlistValue[] = [];
      for (const c of elements(n)) {
        const v = valueOf(c, take);
        if (v !== null) out.push(v);
      }
      return out;
    }
    case 'key':
      return firstValue(n) ?? '';
    case 'string':
      return textOf(n, true);
    case 'integer':
      return parseInt(needed(n, 'number'), 10);
    case 'real':
      if (n.childNodes.length === 0) throw new XmlPlistError('empty <real> is not a number');
      return parseFloat(textOf(n, false));
    case 'data':
      return base64(textOf(n, false));
    case 'date':
      return new Date(needed(n, 'date'));
    case 'null':
      return null;
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      throw new XmlPlistError(`invalid plist element <${n.nodeName}>`);
  }
}

/**
 * The value of an XML plist: its `<plist>` element's one value, an array when it holds several (or none). `take` is
 * called once per value (keys are part of their dict) and throws to stop. Malformed XML, a root other than `<plist>`
 * and an invalid element throw.
 */
export function readXmlPlist(text: string, take: () => void): XmlPlistValue {
  const root = parseXmlDom(text).documentElement;
  if (root === null || root.nodeName !== 'plist') throw new XmlPlistError('the root element is not <plist>');
  const values = elements(root).map((c) => valueOf(c, take));
  if (values.length === 1) return values[0]!;
  take();
  return values;
}
